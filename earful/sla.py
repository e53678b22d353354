"""SLA deadlines: a number of minutes after a post, counted around the clock or only in business hours.

Business hours are local to a time zone (IANA name), so daylight-saving changes move them with the
local clock. All datetimes in and out are naive UTC, like everything earful stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessHours:
    zone: ZoneInfo
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def _window(self, day: datetime) -> tuple[datetime, datetime] | None:
        """The business window of a local calendar day, as naive UTC, or None on a closed day."""
        if day.weekday() not in self.days:
            return None
        opens = datetime.combine(day.date(), self.start, self.zone).astimezone(UTC).replace(tzinfo=None)
        closes = datetime.combine(day.date(), self.end, self.zone).astimezone(UTC).replace(tzinfo=None)
        return (opens, closes) if closes > opens else None

    def add(self, start: datetime, minutes: float) -> datetime:
        """`minutes` of business time after `start` (naive UTC)."""
        remaining = timedelta(minutes=minutes)
        local = start.replace(tzinfo=UTC).astimezone(self.zone)
        current = start
        for offset in range(0, 3700):  # ten years of days is more than any SLA
            day = (local + timedelta(days=offset)).replace(hour=12, minute=0, second=0, microsecond=0)
            window = self._window(day)
            if window is None:
                continue
            opens, closes = window
            begin = max(opens, current)
            if begin >= closes:
                continue
            if begin + remaining <= closes:
                return begin + remaining
            remaining -= closes - begin
        raise ValueError("business hours never open; check brands.sla.business_hours.days")


def deadline(start: datetime, minutes: float, hours: BusinessHours | None) -> datetime:
    return start + timedelta(minutes=minutes) if hours is None else hours.add(start, minutes)
