"""Progress lines for long work (import, train, the demo): one status line on stderr."""

from __future__ import annotations

import sys
import time


class Progress:
    """One status line on stderr, rewritten in place on a terminal, every ~2 s otherwise."""

    def __init__(self, stream=sys.stderr):  # noqa: ANN001
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0

    def __call__(self, message: str, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 2.0):
            return
        self.last = now
        if self.tty:
            self.stream.write("\r\033[K" + message + ("\n" if final else ""))
        else:
            self.stream.write(message + "\n")
        self.stream.flush()
