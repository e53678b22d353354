"""`earful run` and the interactive `earful demo`: the pipeline and the dashboard in one process.

DuckDB lets one process open the file, so the pipeline (an asyncio loop in a worker thread) and the
Streamlit server (the main thread, as streamlit.web.bootstrap.run requires) share it, each thread
through its own cursor. The dashboard finds the store, tracker and clock through
earful.dashboard.context.register().
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp

from earful.clock import Clock
from earful.config import Config
from earful.store import Store

log = logging.getLogger(__name__)


class Background:
    """An asyncio loop in a daemon thread running one coroutine until stop() is called."""

    def __init__(self, make: Callable[[asyncio.Event], Coroutine[Any, Any, Any]], name: str):
        self.make = make
        self.loop = asyncio.new_event_loop()
        self.stop_event: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.result: Any = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._main, name=name, daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def runner() -> None:
            self.stop_event = asyncio.Event()
            self.result = await self.make(self.stop_event)

        try:
            self.loop.run_until_complete(runner())
        except BaseException as exc:  # reported by the caller
            self.error = exc
            log.exception("%s stopped with an error", self.thread.name)
        finally:
            self.done.set()

    def start(self) -> Background:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self.stop_event is not None and not self.done.is_set():
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.done.wait(timeout)


def run_dashboard(ctx: Any, port: int, host: str = "127.0.0.1") -> None:
    """Serve the Streamlit app in this (main) thread until interrupted."""
    from earful.dashboard.launch import run_server

    print(f"dashboard: http://{host}:{port}", file=sys.stderr)
    run_server(ctx, host, port)


def serve(store: Store, cfg: Config, dashboard: bool = True) -> int:
    from earful.collectors import registry
    from earful.dashboard.context import DashboardContext
    from earful.pipeline import Pipeline
    from earful.sentiment import Classifier
    from earful.tracker import Tracker

    clock = Clock()
    ctx = DashboardContext(store=store, tracker=Tracker(store, cfg), clock=clock, brands=[b.name for b in cfg.brands],
                           refresh_seconds=cfg.dashboard.refresh_seconds)
    languages = sorted({lang for b in cfg.brands for lang in b.languages}) or None
    classifier = Classifier.load(languages).warmed_up()
    holder: dict[str, Pipeline] = {}

    async def main(stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            collectors = registry.build(cfg, clock, session)
            pipeline = holder["pipeline"] = Pipeline(store, cfg, classifier, clock, collectors)
            ctx.extra["poll_seconds"] = {c.key: c.poll_interval for c in collectors}
            log.warning("earful running: %d collectors (%s)", len(collectors),
                        ", ".join(c.key for c in collectors) or "none configured")
            await pipeline.run(stop)

    worker = Background(main, "pipeline").start()
    if not dashboard:
        try:
            worker.done.wait()
        except KeyboardInterrupt:
            worker.stop()
        return 1 if worker.error else 0
    try:
        run_dashboard(ctx, cfg.dashboard.port, cfg.dashboard.host)
    finally:
        worker.stop()
    return 0


def serve_demo(store: Store, db: str, step_seconds: float = 0.6, port: int = 8501) -> int:
    from earful.config import default_config
    from earful.dashboard.context import DashboardContext
    from earful.demo import Demo
    from earful.progress import Progress
    from earful.tracker import Tracker

    demo = Demo(store, realtime_step=step_seconds)
    demo.progress = Progress()
    summary_holder: dict[str, Any] = {}

    async def main(stop: asyncio.Event) -> None:
        summary = await demo.run(stop)
        summary_holder["summary"] = summary
        print("\n".join(["", "demo scenario finished:", *summary.lines(),
                         "the dashboard stays up; press Ctrl+C to stop"]), file=sys.stderr)

    cfg = default_config()
    brand = demo.scenario.brand.get("name", "demo")
    ctx = DashboardContext(store=store, tracker=Tracker(store, cfg), clock=demo.clock, brands=[brand],
                           refresh_seconds=2.0, extra={"demo": demo, "db": db},
                           read_only_note="Demo: a simulated day on sandbox platforms")
    worker = Background(main, "demo").start()
    print(f"earful demo: sandbox platforms {', '.join(demo.platforms)}; a simulated day in about "
          f"{288 * step_seconds / 60:.0f} minutes; store {db}", file=sys.stderr)
    try:
        run_dashboard(ctx, port)
    finally:
        worker.stop()
    return 0
