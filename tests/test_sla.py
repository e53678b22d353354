from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from earful import config
from earful.errors import ConfigError
from earful.model import Enrichment, Mention
from earful.tracker import Tracker


def sla(**hours):
    return config.parse({"brands": [{"name": "A", "sla": {"first_response_minutes": 120, "warn_fraction": 0.5,
                                                           "business_hours": hours}}]}).brands[0].sla


def test_around_the_clock_by_default():
    s = config.parse({"brands": [{"name": "A"}]}).brands[0].sla
    assert s.deadline(datetime(2026, 11, 27, 23, 30), "x") == datetime(2026, 11, 28, 0, 30)


def test_business_hours_skip_nights_and_weekends():
    s = sla(timezone="Europe/Warsaw", days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00")
    # Friday 15:30 Warsaw (14:30 UTC): 90 minutes left on Friday, 30 more on Monday from 09:00 Warsaw
    assert s.deadline(datetime(2026, 11, 27, 14, 30), "x") == datetime(2026, 11, 30, 8, 30)
    # Saturday night: the clock starts Monday 09:00 Warsaw (08:00 UTC)
    assert s.deadline(datetime(2026, 11, 28, 22, 0), "x") == datetime(2026, 11, 30, 10, 0)
    # warning at half the target, inside the same day
    assert s.deadline(datetime(2026, 11, 30, 8, 0), "x", 0.5) == datetime(2026, 11, 30, 9, 0)


def test_daylight_saving_moves_the_window_with_local_time():
    s = sla(timezone="America/New_York", days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            start="09:00", end="10:00")
    # before the March change 09:00 New York is 14:00 UTC, after it 13:00 UTC
    assert s.deadline(datetime(2026, 3, 6, 15, 0), "x") == datetime(2026, 3, 8, 14, 0)
    assert s.deadline(datetime(2026, 3, 9, 12, 0), "x") == datetime(2026, 3, 10, 14, 0)


@pytest.mark.parametrize("hours, fix", [
    ({"timezone": "Mars/Olympus"}, "IANA name"),
    ({"days": ["funday"]}, "non-empty list"),
    ({"start": "9am"}, "09:00"),
    ({"start": "18:00", "end": "09:00"}, "later than start"),
])
def test_bad_business_hours_name_the_key(hours, fix):
    with pytest.raises(ConfigError) as info:
        sla(**hours)
    assert "brands[0].sla.business_hours" in str(info.value) and fix in str(info.value)


def test_tracker_uses_business_hours(store):
    cfg = config.parse({"brands": [{"name": "A", "sla": {
        "first_response_minutes": 60, "business_hours": {"timezone": "UTC", "start": "09:00", "end": "17:00"}}}]})
    tracker = Tracker(store, cfg)
    friday_night = datetime(2026, 11, 27, 22, 0)
    m = Mention("x", "1", "c", "broken", friday_night, brand="A",
                enrichment=Enrichment("en", -0.5, "complaint", True, 0.9, []))
    store.save_page([m], "t", None, friday_night)
    case_id = tracker.on_mentions([m], friday_night).opened[0]
    assert store.case(case_id)["sla_due_at"] == datetime(2026, 11, 30, 10, 0)
    assert tracker.tick(friday_night + timedelta(days=2)) == []  # the weekend does not count
    assert [k for _, k in tracker.tick(datetime(2026, 11, 30, 9, 45))] == ["sla_warning"]
