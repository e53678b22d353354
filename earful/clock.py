"""Time as a dependency: the real clock, and a manual one for tests and the demo's simulated day."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    """Naive UTC now: every timestamp earful stores is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


class Clock:
    """Real time. `sleep` is the one place collectors and delivery wait."""

    def now(self) -> datetime:
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock(Clock):
    """A clock that moves only when told to; `sleep` advances it instead of waiting.

    Thread-safe, so sandbox servers and the pipeline can share it.
    """

    def __init__(self, start: datetime):
        self._now = to_utc_naive(start)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, value: datetime) -> None:
        with self._lock:
            self._now = to_utc_naive(value)

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 timestamp from a platform payload ("Z" or an offset) as naive UTC; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return to_utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None
