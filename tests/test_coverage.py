"""Coverage: per-source health numbers, one source_silent alert per silence episode, and a failing source
that never stops the others."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from earful import config, coverage
from earful.alerts.rules import AlertRouter, Route
from earful.alerts.slack import DeliveryResult, build_message
from earful.clock import ManualClock
from earful.errors import AuthFailed, Unavailable
from earful.model import Enrichment, Mention, Page
from earful.pipeline import Pipeline
from earful.sentiment import Classifier
from earful.store import Store

T0 = datetime(2026, 11, 23, 0, 0)
CFG = config.parse({"brands": [{"name": "Acme", "keywords": ["acme"]}]})
ROUTES = [Route("ops", "http://127.0.0.1:9/hook", ("source_silent",)),
          Route("cases", "http://127.0.0.1:9/hook2", ("new_case",))]


def mention(source: str, i: int, created: datetime, collected: datetime, platform: str = "reddit") -> Mention:
    return Mention(platform, f"{source}-{i}", "cust", "acme is broken", created, brand="Acme", collected_at=collected,
                   source=source, enrichment=Enrichment("en", -0.5, "complaint", True, 0.9, ["r"], "t"))


def arrive(store: Store, source: str, at: datetime, n: int = 1, lag_s: float = 30.0, start: int = 0) -> None:
    """n mentions of `source` collected at `at`, created lag_s before."""
    page = [mention(source, start + k, at - timedelta(seconds=lag_s), at) for k in range(n)]
    store.save_page(page, source, None, at)


def outbox(store: Store) -> list[dict]:
    return store.query_dicts("SELECT dedupe_key, kind, route, payload FROM outbox ORDER BY alert_id")


def test_health_numbers_lag_percentiles_and_rate(store: Store) -> None:
    now = T0 + timedelta(days=1)
    # 48 mentions created in the last 24 h, lags 10 s, 20 s, ... 480 s
    page = [mention("reddit", i, now - timedelta(minutes=30 * i + 1) - timedelta(seconds=10 * (i + 1)),
                    now - timedelta(minutes=30 * i + 1)) for i in range(48)]
    store.save_page(page, "reddit", "c1", now)
    # older mentions (created two days ago, collected then) count for neither the rate nor the lag
    arrive(store, "reddit", now - timedelta(days=2), n=5, lag_s=9999, start=100)
    store.record_source_error("hn", "hackernews", "Unavailable: HTTP 503", now - timedelta(minutes=5))
    rows = {h.source: h for h in coverage.source_health(store, now)}
    r = rows["reddit"]
    assert r.mentions_24h == 48 and r.mentions_per_hour == pytest.approx(2.0)
    lags = sorted(10.0 * (i + 1) for i in range(48))
    assert r.lag_p50_s == pytest.approx((lags[23] + lags[24]) / 2)          # 245 s
    assert r.lag_p95_s == pytest.approx(lags[44] + 0.65 * (lags[45] - lags[44]))  # linear interpolation: 456.5 s
    assert r.last_mention_at == now - timedelta(minutes=1) and r.silent_for_s == 60
    assert r.usual_gap_s == pytest.approx(1800.0)      # every 30 min
    assert r.threshold_s == pytest.approx(5400.0)      # 3 x 30 min > 1 h floor
    assert r.status == "ok" and r.healthy
    hn = rows["hn"]
    assert hn.platform == "hackernews" and hn.last_error == "Unavailable: HTTP 503" and hn.mentions_24h == 0
    assert hn.lag_p50_s is None and hn.status == "erroring" and hn.healthy  # not failing for long yet


def test_threshold_rule() -> None:
    assert coverage.threshold(None, None) == 3600
    assert coverage.threshold(600, 60) == 3600          # floor 1 h
    assert coverage.threshold(600, 1800) == 5400        # floor 3 poll intervals
    assert coverage.threshold(7200, 60) == 21600        # 3 x usual gap


def test_silence_alerts_once_per_episode(store: Store) -> None:
    clock = ManualClock(T0)
    router = AlertRouter(store, ROUTES)
    monitor = coverage.SilenceMonitor(store, router, {"reddit": 60.0, "mastodon": 60.0}, ["Acme"], every=60)
    for k in range(36):  # a mention every 10 min for 6 h
        arrive(store, "reddit", clock.now(), start=k)
        arrive(store, "mastodon", clock.now(), start=k)
        clock.advance(600)
    last = clock.now() - timedelta(seconds=600)
    # threshold max(3 x 10 min, 1 h) = 1 h after the last mention
    clock.set(last + timedelta(minutes=59))
    assert monitor.check(clock.now()) == [] and outbox(store) == []
    clock.set(last + timedelta(minutes=61))
    arrive(store, "mastodon", clock.now(), start=100)   # mastodon keeps talking
    bad = monitor.check(clock.now())
    assert [h.source for h in bad] == ["reddit"] and bad[0].is_silent and bad[0].status == "silent"
    rows = outbox(store)
    assert [(r["kind"], r["route"]) for r in rows] == [("source_silent", "ops")]   # not on the new_case route
    assert rows[0]["dedupe_key"] == f"source_silent:reddit:{last.isoformat()}:ops"
    payload = json.loads(rows[0]["payload"])
    assert payload["platform"] == "reddit" and payload["age_minutes"] == 61.0 and "Acme" == payload["brand"]
    header = build_message(payload)["blocks"][0]["text"]["text"]
    assert "Source silent" in header and "Reddit" in header
    # still silent: checked again (throttled, then forced) -> no second alert
    clock.advance(30)
    assert monitor.check(clock.now()) == []                # within `every`
    clock.advance(3600)
    arrive(store, "mastodon", clock.now(), start=150)
    assert [h.source for h in monitor.check(clock.now())] == ["reddit"]
    assert len(outbox(store)) == 1
    # recovers: a mention arrives -> healthy, nothing new
    arrive(store, "reddit", clock.now(), start=200)
    arrive(store, "mastodon", clock.now(), start=200)
    recovered = clock.now()
    assert monitor.check(clock.now(), force=True) == [] and len(outbox(store)) == 1
    # silent again -> a second episode, a second alert
    clock.advance(3 * 3600)
    arrive(store, "mastodon", clock.now(), start=300)
    assert [h.source for h in monitor.check(clock.now())] == ["reddit"]
    keys = [r["dedupe_key"] for r in outbox(store)]
    assert keys == [f"source_silent:reddit:{last.isoformat()}:ops", f"source_silent:reddit:{recovered.isoformat()}:ops"]
    assert monitor.raised == [("reddit", last.isoformat()), ("reddit", recovered.isoformat())]


def test_not_enough_history_is_not_silence(store: Store) -> None:
    router = AlertRouter(store, ROUTES)
    monitor = coverage.SilenceMonitor(store, router, {"rss": 600.0}, ["Acme"])
    for k in range(3):  # only 2 gaps: "usual" unknown
        arrive(store, "rss", T0 + timedelta(hours=k), start=k)
    assert monitor.check(T0 + timedelta(days=3)) == [] and outbox(store) == []
    (h,) = coverage.source_health(store, T0 + timedelta(days=3))
    assert h.usual_gap_s is None and h.silent_for_s == 3 * 86400 - 2 * 3600 and not h.is_silent


# -- the pipeline: failing sources, wiring ------------------------------------------------------------------

@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(["en"])


class Healthy:
    platform = "mastodon"
    poll_interval = 60.0

    def __init__(self, clock: ManualClock, key: str = "healthy"):
        self.key, self.clock, self.n = key, clock, 0

    async def pages(self, cursor):
        self.n += 1
        now = self.clock.now()
        yield Page([Mention("mastodon", f"m{self.n}", "cust", f"acme lost my parcel again #{self.n}",
                            now - timedelta(seconds=5))], str(self.n),
                   meta={"x_posts_read_month": 120 * self.n, "x_cap": 10_000, "kept_by": {"m": "keyword"}})

    async def aclose(self) -> None:
        return None


class Failing:
    platform = "reddit"
    poll_interval = 60.0

    def __init__(self, key: str, exc: BaseException):
        self.key, self.exc = key, exc

    async def pages(self, cursor):
        raise self.exc
        yield  # pragma: no cover  (an async generator)

    async def aclose(self) -> None:
        return None


async def test_a_failing_source_never_stops_the_others(store: Store, classifier: Classifier) -> None:
    clock = ManualClock(T0)
    delivered: list[dict] = []

    async def deliver(url: str, message: dict) -> DeliveryResult:
        delivered.append(message)
        return DeliveryResult(ok=True, retryable=False, status=200)

    collectors = [Failing("down", Unavailable("reddit: HTTP 503")),
                  Failing("badauth", AuthFailed("reddit: 401", setting="sources.reddit.client_secret")),
                  Failing("buggy", ZeroDivisionError("division by zero")), Healthy(clock)]
    pipe = Pipeline(store, CFG, classifier, clock, collectors, routes=ROUTES[:1], deliver=deliver)
    stored = await pipe.run_cycle()
    assert stored == 1 and store.mention_count() == 1
    status = {r["source"]: r for r in store.query_dicts("SELECT * FROM source_status")}
    assert status["healthy"]["last_success_at"] == T0 and status["healthy"]["failing_since"] is None
    assert json.loads(status["healthy"]["meta"]) == {"x_posts_read_month": 120, "x_cap": 10_000}
    assert status["down"]["last_error"] == "Unavailable: reddit: HTTP 503" and status["down"]["errors"] == 1
    assert "sources.reddit.client_secret" in status["badauth"]["last_error"]
    assert status["buggy"]["last_error"].startswith("ZeroDivisionError")
    assert all(status[k]["failing_since"] == T0 and status[k]["last_success_at"] is None
               for k in ("down", "badauth", "buggy"))
    # an hour and a bit of failures later: one source_silent alert per failing source, delivered once
    for _ in range(14):
        clock.advance(300)
        await pipe.run_cycle()
    assert store.mention_count() == 15
    status = {r["source"]: r for r in store.query_dicts("SELECT * FROM source_status")}
    assert status["down"]["errors"] == 15 and status["down"]["failing_since"] == T0
    assert json.loads(status["healthy"]["meta"])["x_posts_read_month"] == 15 * 120
    rows = outbox(store)
    assert sorted(json.loads(r["payload"])["source"] for r in rows) == ["badauth", "buggy", "down"]
    assert all(r["dedupe_key"].endswith(f":{T0.isoformat()}:ops") for r in rows)  # episode: errors began
    assert len(delivered) == 3 and all("Source silent" in m["blocks"][0]["text"]["text"] for m in delivered)
    # the bad source recovers: failing_since cleared
    pipe.collectors[0] = Healthy(clock, key="down")
    await pipe.run_cycle()
    assert store.scalar("SELECT failing_since FROM source_status WHERE source = 'down'") is None
    assert store.scalar("SELECT last_success_at FROM source_status WHERE source = 'down'") == clock.now()
