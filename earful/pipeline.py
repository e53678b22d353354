"""The wiring: collectors -> match -> enrich -> store (with cursor) -> tracker -> alerts outbox.

Data flows one way. Each page a collector yields is matched against the brands (plus thread
membership: a customer's follow-up in a tracked thread is kept even without a keyword), enriched
(only posts not stored before), stored with the collector's cursor, and tracked, all in one
transaction, so a killed process never loses or duplicates anything. A failing source is logged,
backed off and retried; it never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from earful import httppolicy
from earful.alerts.outbox import Outbox
from earful.alerts.rules import AlertRouter, Route, routes_from_config
from earful.clock import Clock
from earful.collectors.base import Collector
from earful.config import Config
from earful.coverage import SilenceMonitor, page_meta
from earful.errors import AuthFailed, RateLimited, SourceError
from earful.matcher import Matcher
from earful.model import Enrichment, Mention, Page
from earful.sentiment import BrandContext, Classifier
from earful.store import Store
from earful.tracker import Tracker, TrackResult

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    fetched: int = 0
    kept: int = 0
    stored: int = 0
    track: TrackResult = field(default_factory=TrackResult)


def apply_threshold(e: Enrichment, threshold: float) -> None:
    """A brand's calibrated threshold (from `earful calibrate`) replaces the shipped one. Spam stays spam."""
    decided = e.complaint_score >= threshold
    if decided == e.complaint or e.intent == "spam":
        return
    e.complaint = decided
    if decided:
        e.intent = "complaint"
    elif e.intent == "complaint":
        e.intent = "question" if "question form" in e.reasons else "other"
    e.reasons = [*e.reasons, f"brand threshold {threshold:.2f}"]


def brand_contexts(config: Config) -> dict[str, BrandContext]:
    out = {}
    for b in config.brands:
        handles = tuple(sorted({h.lstrip("@").split("@")[0] for accts in b.accounts.values() for h in accts}))
        out[b.name] = BrandContext(name=b.name, handles=handles, competitors=tuple(b.competitors),
                                   keywords=tuple(b.keywords))
    return out


class Pipeline:
    def __init__(self, store: Store, config: Config, classifier: Classifier, clock: Clock,
                 collectors: Sequence[Collector] = (), routes: list[Route] | None = None,
                 alerts: bool = True, deliver: Any = None, default_case_intents: Sequence[str] = ("complaint",)):
        self.store = store
        self.config = config
        self.classifier = classifier
        self.clock = clock
        self.collectors = list(collectors)
        self.matcher = Matcher(config.brands)
        self.contexts = brand_contexts(config)
        self.routes = routes if routes is not None else routes_from_config(config)
        self.router = AlertRouter(store, self.routes)
        self.alerts = alerts
        self.tracker = Tracker(store, config, on_event=self.router.on_event,
                               default_case_intents=default_case_intents)
        self.outbox = Outbox(store, self.routes, clock, deliver=deliver, max_attempts=config.alerts.max_attempts)
        self._ingest_lock = asyncio.Lock()
        self.rng = random.Random(7)
        self.source_errors: dict[str, str] = {}
        self.thresholds = store.brand_thresholds()
        # coverage (earful/coverage.py): one source_silent alert per silence episode of a configured source
        self.silence = SilenceMonitor(store, self.router, {c.key: c.poll_interval for c in self.collectors},
                                      [b.name for b in config.brands])

    # one page ---------------------------------------------------------------------------------------
    def _select(self, mentions: Sequence[Mention]) -> list[Mention]:
        """Keep posts about a brand, by a brand account, or in a thread we already track."""
        kept: list[Mention] = []
        pending: list[Mention] = []
        seen: set[tuple[str, str]] = set()
        for m in mentions:
            if (m.platform, m.id) in seen:
                continue
            seen.add((m.platform, m.id))
            if m.brand is None:
                match = self.matcher.match(m.platform, m.author, m.text or "")
                if match is not None:
                    m.brand, m.is_brand = match.brand, match.is_brand
            if m.brand is not None:
                kept.append(m)
            elif m.reply_to_id or m.thread_id:
                pending.append(m)
        if pending:
            local = {(m.platform, m.id): m for m in kept}
            by_platform: dict[str, list[Mention]] = {}
            for m in pending:
                by_platform.setdefault(m.platform, []).append(m)
            for platform, items in by_platform.items():
                refs = {r for m in items for r in (m.reply_to_id, m.thread_id) if r}
                known = self.store.known_threads(platform, refs)
                for m in sorted(items, key=lambda x: x.created_at):
                    for ref in (m.reply_to_id, m.thread_id):
                        if not ref:
                            continue
                        parent = local.get((platform, ref))
                        brand = parent.brand if parent is not None else (known.get(ref) or (None, None))[0]
                        if brand:
                            m.brand = brand
                            local[(platform, m.id)] = m
                            kept.append(m)
                            break
        return kept

    def _enrich(self, mentions: list[Mention]) -> None:
        if not mentions:
            return
        contexts = [self.contexts.get(m.brand or "") for m in mentions]
        results = self.classifier.classify_many([m.text or "" for m in mentions], contexts,
                                                [m.lang_hint for m in mentions])
        for m, e in zip(mentions, results, strict=True):
            threshold = self.thresholds.get(m.brand or "")
            if threshold is not None:
                apply_threshold(e, threshold)
            m.enrichment = e

    def ingest(self, page: Page, source: str, alerts: bool | None = None) -> IngestResult:
        """Match, enrich, store and track one page (synchronous; the pipeline runs it in a thread)."""
        now = self.clock.now()
        result = IngestResult(fetched=len(page.mentions))
        kept = self._select(page.mentions)
        result.kept = len(kept)
        by_platform: dict[str, list[Mention]] = {}
        for m in kept:
            by_platform.setdefault(m.platform, []).append(m)
        new: list[Mention] = []
        for platform, items in by_platform.items():
            existing = self.store.existing_ids(platform, [m.id for m in items])
            new.extend(m for m in items if m.id not in existing)
        for m in new:
            m.collected_at = now
            m.source = m.source or source
        self._enrich(new)
        if not new:
            if page.cursor is not None:
                self.store.save_cursor(source, page.cursor, now)
            return result
        with self.store.transaction():
            result.stored = self.store.save_page(new, source, page.cursor, now, fetched=len(page.mentions))
            result.track = self.tracker.on_mentions(new, now, alerts=self.alerts if alerts is None else alerts)
        return result

    # collectors -------------------------------------------------------------------------------------
    async def collect_once(self, collector: Collector) -> int:
        """Run a collector until it is caught up; returns mentions stored."""
        cursor = self.store.get_cursor(collector.key)
        stored = 0
        async for page in collector.pages(cursor):
            if not page.mentions and page.cursor in (None, cursor):
                continue  # nothing new and nowhere new to resume from
            cursor = page.cursor or cursor
            async with self._ingest_lock:
                res = await asyncio.to_thread(self._ingest_and_note, page, collector)
            stored += res.stored
            if res.fetched:
                log.info("%s: page of %d, kept %d, stored %d, opened %d, replied %d", collector.key,
                         res.fetched, res.kept, res.stored, len(res.track.opened), len(res.track.replied))
        self.source_errors.pop(collector.key, None)
        await asyncio.to_thread(self.store.record_source_ok, collector.key, collector.platform, self.clock.now())
        return stored

    def _ingest_and_note(self, page: Page, collector: Collector) -> IngestResult:
        """ingest, then (coverage) note the fetch as a success with the page's small meta (X's read budget)."""
        res = self.ingest(page, collector.key)
        self.store.record_source_ok(collector.key, collector.platform, self.clock.now(), page_meta(page.meta))
        return res

    def _record_error(self, collector: Collector, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.source_errors[collector.key] = message
        self.store.record_source_error(collector.key, collector.platform, message, self.clock.now())
        self.store.mark_source_failing(collector.key, collector.platform, self.clock.now())  # coverage

    async def collect_safely(self, collector: Collector) -> tuple[int, float | None]:
        """collect_once that never raises: returns (stored, seconds to wait before retrying or None)."""
        try:
            return await self.collect_once(collector), None
        except RateLimited as exc:
            self._record_error(collector, exc)
            log.warning("%s rate limited; retry in %.0f s", collector.key, exc.retry_after)
            return 0, exc.retry_after
        except AuthFailed as exc:
            self._record_error(collector, exc)
            log.error("%s: %s; retrying in 15 min", collector.key, exc)
            return 0, 900.0
        except SourceError as exc:
            self._record_error(collector, exc)
            log.warning("%s failed: %s", collector.key, exc)
            return 0, 30.0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in one collector must not stop the others
            self._record_error(collector, exc)
            log.exception("%s crashed", collector.key)
            return 0, 60.0

    async def run_cycle(self) -> int:
        """Every collector once (concurrently), then SLA clocks and alert delivery."""
        results = await asyncio.gather(*(self.collect_safely(c) for c in self.collectors))
        async with self._ingest_lock:
            await asyncio.to_thread(self.tick)
            await asyncio.to_thread(self.check_sources)  # coverage
        await self.outbox.deliver_due()
        return sum(r[0] for r in results)

    def check_sources(self, now: datetime | None = None) -> None:
        """Coverage: raise a source_silent alert for each configured source silent for longer than usual."""
        with self.store.transaction():
            self.silence.check(now or self.clock.now())

    def tick(self, now: datetime | None = None) -> None:
        self.thresholds = self.store.brand_thresholds()  # `earful calibrate` may have run meanwhile
        with self.store.transaction():
            self.tracker.tick(now or self.clock.now(), alerts=self.alerts)

    async def _collector_loop(self, collector: Collector, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            _, retry = await self.collect_safely(collector)
            if retry is None:
                failures = 0
                wait = collector.poll_interval
            else:
                failures += 1
                wait = httppolicy.backoff(failures + 1, base=5.0, cap=900.0, retry_after=retry, rng=self.rng)
            await self._wait(stop, wait)

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for task in (sleeper, stopper):
            task.cancel()

    async def _housekeeping_loop(self, stop: asyncio.Event, every: float = 15.0) -> None:
        while not stop.is_set():
            try:
                async with self._ingest_lock:
                    await asyncio.to_thread(self.tick)
                    await asyncio.to_thread(self.check_sources)  # coverage
                await self.outbox.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("housekeeping failed; will retry")
            await self._wait(stop, every)

    async def run(self, stop: asyncio.Event) -> None:
        """The service: every collector on its own poll loop, plus SLA clocks and alert delivery."""
        tasks = [asyncio.create_task(self._collector_loop(c, stop), name=c.key) for c in self.collectors]
        tasks.append(asyncio.create_task(self._housekeeping_loop(stop), name="housekeeping"))
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for c in self.collectors:
                try:
                    await c.aclose()
                except Exception:
                    log.exception("closing %s", c.key)
