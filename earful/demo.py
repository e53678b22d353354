"""`earful demo`: the whole pipeline on a bundled scenario, with no accounts and no network.

Sandbox platforms (one local server per platform that has a sandbox module) release the scenario's
posts as a simulated clock moves through the day; the real collectors poll them, the pipeline
enriches, stores and tracks, and alerts go to a sandbox Slack (and to a real Slack too when
SLACK_WEBHOOK_URL is set). With a dashboard the day passes in a few minutes of real time; with
--until-idle it runs as fast as the machine allows and exits with a summary.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp

from earful import config as config_mod
from earful.clock import ManualClock
from earful.collectors import registry
from earful.config import COLLECTED_PLATFORMS, Config
from earful.matcher import Matcher
from earful.pipeline import Pipeline
from earful.sandbox import scenario as scenario_mod
from earful.sandbox import slack as slack_sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.server import SandboxServer
from earful.sentiment import Classifier
from earful.store import Store

log = logging.getLogger(__name__)

DEMO_WEBHOOK_PATH = "/services/TDEMO0001/BDEMO0001/sandboxdemosecret"
DEMO_WEBHOOK_ENV = "EARFUL_DEMO_SLACK_WEBHOOK"
STEP_MINUTES = 5.0
TAIL_MINUTES = 240.0  # keep the clock running after the last post so SLA breaches fire


@dataclass
class DemoSummary:
    scenario_posts: int
    scenario_by_platform: dict[str, int]
    expected_mentions: int
    mentions: int
    mentions_by_platform: dict[str, int]
    cases_by_state: dict[str, int]
    alerts_by_kind: dict[str, int]
    alerts_pending: int
    alerts_failed: int
    slack_received: int
    scenario_complaints: int
    scenario_answered: int
    duration_minutes: float
    sources: list[str] = field(default_factory=list)
    source_errors: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        plat = ", ".join(f"{k} {v}" for k, v in sorted(self.mentions_by_platform.items()))
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.cases_by_state.items())) or "none"
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.alerts_by_kind.items())) or "none"
        out = [
            f"Scenario: {self.scenario_posts} posts over {self.duration_minutes / 60:g} simulated hours on "
            f"{', '.join(self.sources)}; {self.scenario_complaints} complaints written, "
            f"{self.scenario_answered} of them answered by the brand",
            f"Mentions stored: {self.mentions} of {self.expected_mentions} expected ({plat})",
            f"Cases by state: {states}",
            f"Alerts delivered: {sum(self.alerts_by_kind.values())} ({kinds}); pending {self.alerts_pending}, "
            f"failed {self.alerts_failed}; the sandbox Slack received {self.slack_received} messages",
        ]
        for key, err in sorted(self.source_errors.items()):
            out.append(f"Source {key} last error: {err}")
        return out


def demo_platforms() -> list[str]:
    """Platforms with both a sandbox and a collector."""
    out = []
    for platform in registry.available_platforms():
        try:
            module = importlib.import_module(f"earful.sandbox.{platform}")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "make_app") and hasattr(module, "demo_source"):
            out.append(platform)
    return out


def build_config(scn: scenario_mod.Scenario, urls: dict[str, str], slack_url: str) -> Config:
    sources: dict[str, Any] = {}
    for platform, url in urls.items():
        module = importlib.import_module(f"earful.sandbox.{platform}")
        os.environ.update(getattr(module, "DEMO_ENV", {}))
        sources[platform] = module.demo_source(url)
        sources[platform]["poll_seconds"] = 60
    os.environ[DEMO_WEBHOOK_ENV] = slack_url + DEMO_WEBHOOK_PATH
    routes = [{"name": "sandbox-slack", "webhook": {"env": DEMO_WEBHOOK_ENV},
               "kinds": ["new_case", "sla_warning", "sla_breach"]}]
    if os.environ.get("SLACK_WEBHOOK_URL"):
        routes.append({"name": "slack", "webhook": {"env": "SLACK_WEBHOOK_URL"},
                       "kinds": ["new_case", "sla_breach"]})
    return config_mod.parse({"brands": [scn.brand], "sources": sources, "alerts": {"routes": routes}})


def expected_mentions(scn: scenario_mod.Scenario, cfg: Config, platforms: list[str]) -> int:
    """Scenario posts the matcher keeps (directly or as part of a kept thread)."""
    matcher = Matcher(cfg.brands)
    kept: set[str] = set()
    for post in scn.posts:
        if post.platform not in platforms:
            continue
        if matcher.match(post.platform, post.author, f"{post.title or ''}\n{post.text}") is not None:
            kept.add(post.id)
        elif post.reply_to and post.reply_to in kept:
            kept.add(post.id)
    return len(kept)


class Demo:
    def __init__(self, store: Store, scn: scenario_mod.Scenario | None = None, realtime_step: float = 0.0,
                 step_minutes: float = STEP_MINUTES,
                 classifier: Classifier | None = None, platforms: list[str] | None = None,
                 slack_faults: Faults | None = None, clock: ManualClock | None = None):
        self.store = store
        self.scenario = scn or scenario_mod.load()
        self.realtime_step = realtime_step
        self.step_minutes = step_minutes
        self.classifier = classifier
        self.platforms = platforms if platforms is not None else demo_platforms()
        self.clock = clock or ManualClock(self.scenario.start)
        self.slack_faults = slack_faults or Faults()
        self.slack_app = slack_sandbox.make_app(self.slack_faults, webhooks={DEMO_WEBHOOK_PATH})
        self.pipeline: Pipeline | None = None
        self.servers: list[SandboxServer] = []
        self.progress = lambda message: None

    async def _start_sandboxes(self) -> tuple[dict[str, str], str]:
        urls = {}
        for platform in self.platforms:
            module = importlib.import_module(f"earful.sandbox.{platform}")
            server = await SandboxServer(module.make_app(self.scenario, self.clock, Faults())).start()
            self.servers.append(server)
            urls[platform] = server.url
        slack = await SandboxServer(self.slack_app).start()
        self.servers.append(slack)
        return urls, slack.url

    async def run(self, stop: asyncio.Event | None = None) -> DemoSummary:
        urls, slack_url = await self._start_sandboxes()
        cfg = build_config(self.scenario, urls, slack_url)
        classifier = self.classifier or await asyncio.to_thread(lambda: Classifier.load(cfg.brands[0].languages).warmed_up())
        timeout = aiohttp.ClientTimeout(total=30)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                collectors = registry.build(cfg, self.clock, session)
                for c in collectors:
                    if hasattr(c, "until_idle"):
                        c.until_idle = True
                self.pipeline = Pipeline(self.store, cfg, classifier, self.clock, collectors)
                end = self.scenario.end + timedelta(minutes=TAIL_MINUTES)
                while self.clock.now() <= end and not (stop and stop.is_set()):
                    await self.pipeline.run_cycle()
                    self.progress(f"{self.clock.now():%H:%M} simulated, {self.store.mention_count()} mentions")
                    self.clock.advance(self.step_minutes * 60)
                    if self.realtime_step:
                        await asyncio.sleep(self.realtime_step)
                for _ in range(3):  # drain alerts whose retry is due
                    await self.pipeline.run_cycle()
                    if not self.pipeline.outbox.pending():
                        break
                    self.clock.advance(self.step_minutes * 60)
                for c in collectors:
                    await c.aclose()
        finally:
            for server in self.servers:
                await server.stop()
        return self.summary(cfg)

    def summary(self, cfg: Config) -> DemoSummary:
        scn, store = self.scenario, self.store
        posts = [p for p in scn.posts if p.platform in self.platforms]
        answered = {p.reply_to for p in posts if p.label == "brand_reply"}
        complaints = [p for p in posts if p.label == "complaint"]
        totals = store.totals()
        return DemoSummary(
            scenario_posts=len(posts),
            scenario_by_platform=dict(Counter(p.platform for p in posts)),
            expected_mentions=expected_mentions(scn, cfg, self.platforms),
            mentions=store.mention_count(),
            mentions_by_platform=totals["mentions_by_platform"],
            cases_by_state=totals["cases_by_state"],
            alerts_by_kind=totals["alerts_delivered_by_kind"],
            alerts_pending=totals["alerts_pending"],
            alerts_failed=totals["alerts_failed"],
            slack_received=len(self.slack_app["received"]),
            scenario_complaints=len(complaints),
            scenario_answered=sum(1 for p in complaints if p.id in answered),
            duration_minutes=scn.duration_minutes,
            sources=sorted(self.platforms),
            source_errors=dict(self.pipeline.source_errors) if self.pipeline else {},
        )


__all__ = ["Demo", "DemoSummary", "COLLECTED_PLATFORMS"]
