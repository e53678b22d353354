"""Benchmark: from a post appearing on a platform to its case being opened, and collection throughput.

Run: .venv/bin/python bench/bench_latency.py [--rate 200] [--seconds 60] [--latency-seconds 20]
                                             [--poll 5] [--poll-posts 12] [--quick]

Everything is real except the platforms: the Jetstream and Mastodon sandboxes (earful/sandbox/) run in
their own thread and event loop on loopback, the real collectors read them over websocket/HTTP, and the
real Pipeline (real Store in a temporary directory, real Classifier) runs as `earful run` does
(Pipeline.run: one loop per collector plus housekeeping). Times are wall-clock.

1. latency (Jetstream): complaint posts published at 5 posts/s; per post, from the moment the sandbox
   publishes it to the moment the transaction that stored it and opened its case committed.
2. throughput (Jetstream): `--rate` posts/s for `--seconds` s, every post mentioning the brand (the worst
   case: the real firehose's ~200 posts/s are almost all unrelated and dropped by the matcher cheaply), half
   of them complaints. Reports the achieved rate, the largest backlog (published minus stored, sampled every
   0.5 s), how long the backlog took to drain after publishing stopped, lost posts (published, never stored;
   must be 0), publish-to-case-opened p50/p95 under load, and the process's peak RSS (sandbox included).
3. polling (Mastodon, poll interval `--poll` s): complaint posts published at random moments; the target
   is publish-to-case-opened within the poll interval + 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from earful import config as config_mod  # noqa: E402
from earful.clock import Clock, utcnow  # noqa: E402
from earful.collectors.bluesky import BlueskyCollector  # noqa: E402
from earful.collectors.mastodon import MastodonCollector  # noqa: E402
from earful.pipeline import IngestResult, Pipeline  # noqa: E402
from earful.sandbox import bluesky as bsky_sandbox  # noqa: E402
from earful.sandbox import mastodon as masto_sandbox  # noqa: E402
from earful.sandbox.scenario import Scenario, ScenarioPost  # noqa: E402
from earful.sandbox.server import SandboxServer  # noqa: E402
from earful.sentiment import Classifier  # noqa: E402
from earful.store import Store  # noqa: E402

BRAND = {"name": "Parcelly", "keywords": ["parcelly"], "accounts": {"bluesky": ["parcelly.bsky.social"]}}
COMPLAINTS = [
    "@parcelly my parcel never arrived and nobody answers, order {n}",
    "parcelly charged me twice for delivery {n}, I want a refund",
    "Parcelly lost my package again. Tracking {n} says delivered but it is not here",
    "three weeks waiting for parcelly support, ticket {n}, still broken",
]
OTHER = [
    "parcelly delivered early today, thanks! {n}",
    "anyone know if parcelly works on sundays? {n}",
    "saw a parcelly van in the street {n}",
]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def cpu_s() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class SandboxThread:
    """Sandbox apps served from their own thread and event loop (as a remote platform would be)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sandbox", daemon=True)
        self.thread.start()
        self.servers: list[SandboxServer] = []

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def serve(self, app: Any) -> str:
        async def start() -> str:
            server = await SandboxServer(app).start()
            self.servers.append(server)
            return server.url
        return self.run(start())

    def close(self) -> None:
        async def stop() -> None:
            for s in self.servers:
                await s.stop()
        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class TimedPipeline(Pipeline):
    """The real pipeline, noting when each page's transaction committed and which posts got a case."""

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.committed: dict[str, float] = {}     # mention id -> commit time (posts with a case opened)
        self.stored_ids: set[str] = set()

    def ingest(self, page: Any, source: str, alerts: bool | None = None) -> IngestResult:
        res = super().ingest(page, source, alerts)
        t = time.time()
        if res.track.opened:
            opened = set(res.track.opened)
            for row in self.store.query("SELECT mention_id FROM cases WHERE case_id IN (SELECT unnest(?::BIGINT[]))",
                                        [list(opened)]):
                self.committed[row[0]] = t
        self.stored_ids.update(m.id for m in page.mentions)
        return res


def config(sources: dict[str, Any]) -> config_mod.Config:
    return config_mod.parse({"brands": [BRAND], "sources": sources})


async def run_pipeline(pipe: Pipeline, body: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    stop = asyncio.Event()
    task = asyncio.create_task(pipe.run(stop))
    try:
        return await body()
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


# -- Jetstream ---------------------------------------------------------------------------------------------

def jetstream_run(classifier: Classifier, rate: float, seconds: float, complaint_share: float,
                  label: str) -> dict[str, Any]:
    clock = Clock()
    scn = Scenario(name="bench", start=utcnow() - timedelta(hours=1), duration_minutes=120, brand=BRAND, posts=[])
    sandbox = SandboxThread()
    app = bsky_sandbox.make_app(scn, clock)
    hub = app[bsky_sandbox.HUB]
    url = sandbox.serve(app)
    published: dict[str, float] = {}          # uri -> publish time
    complaint_uris: set[str] = set()
    rng = random.Random(1)

    async def publisher() -> None:
        start = time.monotonic()
        n = 0
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(elapsed * rate) + 1
            batch, kinds = [], []
            while n < due:
                complaint = rng.random() < complaint_share
                text = rng.choice(COMPLAINTS if complaint else OTHER).format(n=n)
                batch.append({"id": f"p{n}", "author": f"user{n % 97}", "text": text, "lang": "en",
                              "label": "complaint" if complaint else "other"})
                kinds.append(complaint)
                n += 1
            if batch:
                added = hub.add(batch)
                t = time.time()
                for sp, complaint in zip(added, kinds, strict=True):
                    published[sp.uri] = t
                    if complaint:
                        complaint_uris.add(sp.uri)
            await asyncio.sleep(0.002)

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        source = {"jetstream_url": url.replace("http", "ws") + "/subscribe", "pds_url": url, "poll_seconds": 5,
                  "backfill_hours": 0, "timeout_seconds": 10}
        cfg = config({"bluesky": source})

        async def main() -> dict[str, Any]:
            async with aiohttp.ClientSession() as session:
                collector = BlueskyCollector(cfg, cfg.sources.bluesky, clock, session)
                pipe = TimedPipeline(store, cfg, classifier, clock, [collector], alerts=False)

                async def body() -> dict[str, Any]:
                    await asyncio.sleep(1.0)              # connected and caught up
                    backlog_max = 0
                    fut = sandbox.submit(publisher())
                    t0, c0 = time.monotonic(), cpu_s()
                    while not fut.done():
                        await asyncio.sleep(0.5)
                        backlog_max = max(backlog_max, len(published) - len(pipe.stored_ids & published.keys()))
                    fut.result()
                    publish_s = time.monotonic() - t0
                    t_end = time.monotonic()
                    while time.monotonic() - t_end < 30 and not published.keys() <= pipe.stored_ids:
                        await asyncio.sleep(0.05)
                    drain_s = time.monotonic() - t_end
                    cpu = (cpu_s() - c0) / (time.monotonic() - t0)
                    return {"publish_s": publish_s, "drain_s": drain_s, "backlog_max": backlog_max, "cpu": cpu}

                timing = await run_pipeline(pipe, body)
                await collector.aclose()
                return {**timing, "pipe": pipe}

        out = asyncio.run(main())
        pipe = out.pop("pipe")
        stored_ids = {r[0] for r in store.query("SELECT id FROM mentions WHERE source = 'bluesky'")}
        stored = len(stored_ids)
        lost = len(set(published) - stored_ids)
        lat = [pipe.committed[u] - published[u] for u in complaint_uris if u in pipe.committed]
        cases = int(store.scalar("SELECT count(*) FROM cases"))
        store.close()
    sandbox.close()
    return {"run": label, "published": len(published), "stored": stored, "lost": lost,
            "rate": len(published) / out["publish_s"], "backlog_max": out["backlog_max"], "drain_s": out["drain_s"],
            "cpu": out["cpu"], "complaints": len(complaint_uris), "cases": cases, "timed": len(lat),
            "p50": pct(lat, 0.5), "p95": pct(lat, 0.95), "max": max(lat) if lat else None, "rss_mb": rss_mb()}


# -- Mastodon (polling) ------------------------------------------------------------------------------------

def polling_run(classifier: Classifier, poll: float, posts: int) -> dict[str, Any]:
    clock = Clock()
    scn = Scenario(name="bench", start=utcnow() - timedelta(hours=1), duration_minutes=120, brand=BRAND, posts=[])
    sandbox = SandboxThread()
    app = masto_sandbox.make_app(scn, clock)
    url = sandbox.serve(app)
    published: dict[str, float] = {}     # status id -> publish time
    rng = random.Random(2)

    async def publish(i: int) -> None:
        text = rng.choice(COMPLAINTS).format(n=i).replace("@parcelly", "#parcelly")
        post = ScenarioPost(id=f"m{i}", platform="mastodon", minute=0.0, author=f"user{i}", text=text + " #parcelly",
                            lang="en", label="complaint", at=utcnow())
        app["extra_posts"].append(post)
        published[str(masto_sandbox.snowflake(post.at, post.id))] = time.time()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        source = {**masto_sandbox.demo_source(url), "poll_seconds": poll, "backfill_hours": 1}
        source.pop("access_token")  # public hashtag timelines only
        cfg = config({"mastodon": source})

        async def main() -> TimedPipeline:
            async with aiohttp.ClientSession() as session:
                collector = MastodonCollector(cfg, cfg.sources.mastodon, clock, session)
                pipe = TimedPipeline(store, cfg, classifier, clock, [collector], alerts=False)

                async def body() -> None:
                    await asyncio.sleep(1.0)
                    for i in range(posts):
                        await asyncio.sleep(rng.uniform(0.2, poll * 1.3))
                        sandbox.run(publish(i))
                    deadline = time.monotonic() + poll + 10
                    while time.monotonic() < deadline and len(pipe.committed) < posts:
                        await asyncio.sleep(0.05)

                await run_pipeline(pipe, body)
                await collector.aclose()
                return pipe

        pipe = asyncio.run(main())
        ids = store.query("SELECT id, raw FROM mentions")
        store.close()
    sandbox.close()
    # mention ids are "<instance host>:<status id>"; the raw status carries the id the sandbox published
    lat = [pipe.committed[mid] - published[json.loads(raw)["id"]] for mid, raw in ids
           if mid in pipe.committed and json.loads(raw).get("id") in published]
    return {"run": f"mastodon poll {poll:g} s", "published": len(published), "stored": len(ids),
            "lost": len(published) - len(lat), "timed": len(lat), "p50": pct(lat, 0.5), "p95": pct(lat, 0.95),
            "max": max(lat) if lat else None, "target": poll + 2}


def fmt(v: Any, spec: str = ".2f") -> str:
    return "–" if v is None else format(v, spec)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--latency-seconds", type=float, default=20.0)
    p.add_argument("--poll", type=float, default=5.0)
    p.add_argument("--poll-posts", type=int, default=12)
    p.add_argument("--quick", action="store_true", help="short runs (10 s, 6 polling posts)")
    args = p.parse_args(argv)
    if args.quick:
        args.seconds, args.latency_seconds, args.poll_posts = 10.0, 8.0, 6
    logging.basicConfig(level=logging.WARNING)
    t = time.monotonic()
    classifier = Classifier.load(["en"]).warmed_up()  # as `earful run` does
    print(f"classifier loaded in {time.monotonic() - t:.1f} s; peak RSS {rss_mb():.0f} MB", flush=True)

    lat = jetstream_run(classifier, 5.0, args.latency_seconds, 1.0, "jetstream latency (5 posts/s)")
    thr = jetstream_run(classifier, args.rate, args.seconds, 0.5,
                        f"jetstream throughput ({args.rate:g} posts/s x {args.seconds:g} s)")
    poll = polling_run(classifier, args.poll, args.poll_posts)

    print("\npublish -> stored, enriched, case opened (seconds)")
    print(f"{'run':46} {'posts':>7} {'timed':>6} {'p50':>6} {'p95':>6} {'max':>6}  target")
    for r, target in ((lat, "p95 < 2 s"), (thr, "p95 < 2 s"), (poll, f"p95 < {poll['target']:g} s")):
        print(f"{r['run']:46} {r['published']:>7} {r['timed']:>6} {fmt(r['p50']):>6} {fmt(r['p95']):>6} "
              f"{fmt(r['max']):>6}  {target}")
    print("\nthroughput (Jetstream sandbox -> bluesky collector -> pipeline, 2 cores)")
    print(f"{'offered':>8} {'achieved':>9} {'published':>9} {'stored':>7} {'lost':>5} {'max backlog':>11} "
          f"{'drain s':>8} {'CPU (cores)':>11} {'peak RSS MB':>11}")
    print(f"{args.rate:>8g} {thr['rate']:>9.1f} {thr['published']:>9} {thr['stored']:>7} {thr['lost']:>5} "
          f"{thr['backlog_max']:>11} {thr['drain_s']:>8.2f} {thr['cpu']:>11.2f} {thr['rss_mb']:>11.0f}")
    ok = (lat["lost"] == thr["lost"] == 0 and (lat["p95"] or 99) < 2 and (poll["p95"] or 99) < poll["target"]
          and poll["lost"] == 0)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
