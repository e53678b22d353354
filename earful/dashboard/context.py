"""The process-wide handle the dashboard reads its data through.

The earful process (`earful run`, `earful demo`) owns the DuckDB file: it creates the Store, Tracker
and Clock, calls `register(DashboardContext(...))` and then starts Streamlit in the same process, so
the app's scripts find everything with `current()`. Nothing here opens a database on its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from earful.clock import Clock
from earful.errors import EarfulError
from earful.store import Store
from earful.tracker import Tracker


@dataclass
class DashboardContext:
    store: Store
    tracker: Tracker
    clock: Clock
    brands: list[str]
    refresh_seconds: float = 10
    read_only_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class DashboardNotStarted(EarfulError):
    pass


_lock = threading.Lock()
_current: DashboardContext | None = None


def register(ctx: DashboardContext) -> None:
    """Make `ctx` the context every dashboard session in this process uses."""
    global _current
    with _lock:
        _current = ctx


def clear() -> None:
    global _current
    with _lock:
        _current = None


def current() -> DashboardContext:
    with _lock:
        ctx = _current
    if ctx is None:
        raise DashboardNotStarted(
            "the earful dashboard has no data source in this process. Start it with `earful run` (your "
            "config) or `earful demo` (the bundled scenario), not with `streamlit run`: one process must own "
            "the DuckDB file, and the dashboard runs inside it.")
    return ctx
