"""The persisted outbox against the sandbox Slack: every alert arrives exactly once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from earful import config
from earful.alerts.outbox import Outbox
from earful.alerts.rules import AlertRouter, Route
from earful.model import Enrichment, Mention
from earful.sandbox import slack as slack_sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.server import SandboxServer
from earful.store import Store
from earful.tracker import Tracker

HOOK = "/services/T0TEST/B0TEST/outboxsecret"
CFG = config.parse({"brands": [{"name": "Acme"}]})


def open_cases(store: Store, router: AlertRouter, n: int, t0: datetime, text: str = "broken") -> list[int]:
    tracker = Tracker(store, CFG, on_event=router.on_event)
    mentions = [Mention("x", str(i), f"c{i}", f"{text} {i}", t0, brand="Acme", url=f"https://x.com/c/status/{i}",
                        enrichment=Enrichment("en", -0.6, "complaint", True, 0.9, ["problem cue: 'broken'"]))
                for i in range(n)]
    with store.transaction():
        store.save_page(mentions, "t", None, t0)
        return tracker.on_mentions(mentions, t0).opened


async def run_until_quiet(outbox: Outbox, clock, rounds: int = 40) -> None:
    for _ in range(rounds):
        await outbox.deliver_due()
        wait = outbox.seconds_until_next()
        if wait is None:
            return
        clock.advance(wait + 0.001)


async def check_exactly_once(tmp_path, clock, faults: Faults, n: int = 3):
    app = slack_sandbox.make_app(faults, webhooks={HOOK})
    async with SandboxServer(app) as server:
        store = Store(tmp_path / "o.duckdb")
        route = Route("leads", server.url + HOOK, ("new_case",))
        router = AlertRouter(store, [route])
        ids = open_cases(store, router, n, clock.now())
        outbox = Outbox(store, [route], clock, rng=random.Random(1))
        await run_until_quiet(outbox, clock)
        received = app["received"]
        assert len(received) == n, [r["payload"]["text"] for r in received]
        assert outbox.pending() == 0
        assert store.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") == n
        return store, ids, outbox


async def test_429_then_200(tmp_path, clock):
    faults = Faults()
    faults.add("/services/", status=429, body="rate_limited", headers={"Retry-After": "30"},
               content_type="text/plain")
    store, ids, outbox = await check_exactly_once(tmp_path, clock, faults)
    assert store.scalar("SELECT max(attempts) FROM outbox") == 2
    assert outbox.stats.retried == 1


async def test_503_twice(tmp_path, clock):
    faults = Faults()
    faults.add("/services/", status=503, body="service_unavailable", times=2, content_type="text/plain")
    store, *_ = await check_exactly_once(tmp_path, clock, faults)
    assert store.scalar("SELECT sum(attempts) FROM outbox") == 5


async def test_slack_down_for_a_while(tmp_path, clock):
    faults = Faults()
    faults.add("/services/", kind="disconnect", times=6)
    faults.add("/services/", status=502, body="bad gateway", times=3, content_type="text/plain")
    start = clock.now()
    await check_exactly_once(tmp_path, clock, faults, n=4)
    assert clock.now() - start > timedelta(seconds=30)  # it backed off rather than hammering


async def test_delivered_once_across_restart_and_requeue(tmp_path, clock):
    app = slack_sandbox.make_app(Faults(), webhooks={HOOK})
    async with SandboxServer(app) as server:
        path = tmp_path / "r.duckdb"
        store = Store(path)
        route = Route("leads", server.url + HOOK, ("new_case",))
        router = AlertRouter(store, [route])
        ids = open_cases(store, router, 2, clock.now())
        await Outbox(store, [route], clock).deliver_due()
        store.close()
        store = Store(path)  # a restart
        router = AlertRouter(store, [route])
        for case_id in ids:  # the same events again must not enqueue again
            router.on_event(case_id, "opened", clock.now())
        await Outbox(store, [route], clock).deliver_due()
        assert len(app["received"]) == 2
        assert router.enqueued == 0


async def test_permanent_failure_is_recorded_not_retried(tmp_path, clock):
    app = slack_sandbox.make_app(Faults(), webhooks={HOOK})
    async with SandboxServer(app) as server:
        store = Store(tmp_path / "p.duckdb")
        route = Route("leads", server.url + "/services/T0TEST/B0TEST/wrongsecret", ("new_case",))
        open_cases(store, AlertRouter(store, [route]), 1, clock.now())
        outbox = Outbox(store, [route], clock)
        await run_until_quiet(outbox, clock)
        row = store.query_dicts("SELECT attempts, failed_at, last_error FROM outbox")[0]
        assert row["attempts"] == 1 and row["failed_at"] is not None
        assert "no_service" in row["last_error"] and "wrongsecret" not in row["last_error"]


async def test_hostile_post_pings_nobody(tmp_path, clock):
    app = slack_sandbox.make_app(Faults(), webhooks={HOOK})
    async with SandboxServer(app) as server:
        store = Store(tmp_path / "h.duckdb")
        route = Route("leads", server.url + HOOK, ("new_case",))
        open_cases(store, AlertRouter(store, [route]), 1, clock.now(),
                   text="<!channel> @here <https://evil.example|refund> \u202e")
        await run_until_quiet(Outbox(store, [route], clock), clock)
        body = str(app["received"][0]["payload"])
        assert "<!channel>" not in body and "<https://evil" not in body
        assert "@here" not in body
