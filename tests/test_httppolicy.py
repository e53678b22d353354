"""The one backoff formula and the one reader of Retry-After / rate-limit reset headers."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from earful.httppolicy import backoff, retry_after, wait_seconds

NOW = datetime(2026, 12, 6, 8, 0, 0)


@pytest.mark.parametrize("value, seconds", [
    ("120", 120), ("1.5", 1.5), (" 30 ", 30), (7, 7),
    ("Sun, 06 Dec 2026 08:02:00 GMT", 120),     # IMF-fixdate
    ("Sunday, 06-Dec-26 08:02:00 GMT", 120),    # RFC 850
    ("Sun Dec  6 08:02:00 2026", 120),          # asctime
    (str(int((NOW - datetime(1970, 1, 1)).total_seconds()) + 300), 300),  # epoch seconds (X, Bluesky)
    ("2026-12-06T08:05:00.000000Z", 300),       # ISO 8601 (Mastodon)
    ("2026-12-06T07:59:00Z", -60),              # already past
])
def test_every_form_of_a_wait(value, seconds):
    assert wait_seconds(value, NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Sun, 99 Foo 2026", True, "12:00"])
def test_unreadable_values_are_none(value):
    assert wait_seconds(value, NOW) is None


def test_retry_after_takes_the_longest_named_wait_within_bounds():
    headers = {"retry-after": "30", "X-Ratelimit-Reset": "45", "other": "999"}
    assert retry_after(headers, NOW, names=("Retry-After", "x-ratelimit-reset")) == 45
    assert retry_after(headers, NOW) == 30
    assert retry_after({"Retry-After": "99999"}, NOW) == 900
    assert retry_after({"Retry-After": "Sun, 06 Dec 2026 07:00:00 GMT"}, NOW) == 1  # past: at least minimum
    assert retry_after({"Retry-After": "garbage"}, NOW, default=300) == 300
    assert retry_after(None, NOW) == 60
    assert retry_after({"x-rate-limit-reset": "100"}, NOW, names=("x-rate-limit-reset",), extra=1.0) == 101


def test_backoff_doubles_to_its_cap_and_jitter_only_lengthens():
    rng = random.Random(3)
    plain = [backoff(n, jitter=0.0) for n in range(1, 10)]
    assert plain == [0.5, 1, 2, 4, 8, 16, 32, 60, 60]
    waits = [backoff(n, rng=rng) for n in range(1, 10) for _ in range(20)]
    assert all(p <= w <= p * 1.1 for p, w in zip([p for p in plain for _ in range(20)], waits, strict=True))
    assert len(set(waits)) == len(waits)  # spread out, not in lockstep
    assert backoff(1, base=5, cap=900, retry_after=120, jitter=0.0) == 120  # never shorter than the server asked
    assert backoff(10_000, jitter=0.0) == 60


def test_urls_in_logs_and_errors_lose_their_secrets():
    from earful.collectors.httpget import safe_url

    assert safe_url("https://user:s3cret@feeds.example/feed.xml?token=abc#top") == "https://feeds.example/feed.xml"
    assert safe_url("https://feeds.example:8443/a/b") == "https://feeds.example:8443/a/b"
