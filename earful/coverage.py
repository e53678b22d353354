"""Coverage you can see: per-source health, and the "silent for longer than usual" alert.

For every source (a collector key such as "reddit"), from the store:

- last_success_at: the last fetch that worked, even if it found nothing new; last_error_at / last_error;
  failing_since: when the current run of errors began (None while the source works);
- mentions_per_hour: mentions created in the last 24 h divided by 24;
- lag_p50_s / lag_p95_s: seconds from a post's created_at (the platform's time) to our collected_at, over
  mentions collected in the last 24 h (a first run's backfill counts too, so expect a high p95 after it);
- silent_for_s: seconds since the newest stored mention from the source arrived;
- usual_gap_s: the 90th percentile of the gaps between successive arrivals (pages that stored something)
  over the last 7 days, None with fewer than MIN_GAPS gaps (not enough history to say what "usual" is).

The rule (SILENT_MULTIPLE = k = 3, floor = max(3 poll intervals, 1 hour)):

    threshold = max(k * usual_gap, floor)
    silent   = usual_gap is known and silent_for > threshold
    failing  = the source has been failing (every fetch an error) for longer than `threshold`
               (`floor` when usual_gap is unknown)
    healthy  = not silent and not failing

One alert per silence episode: the episode starts at the newest stored mention (or, for a source that
never stored one, when its errors began), and the outbox's dedupe key is "source_silent:<source>:<episode
start>:<route>", so a source that stays silent alerts once, and alerts again only after it has delivered a
mention (a new episode) and gone quiet again. SilenceMonitor.check(now) runs from the pipeline's
housekeeping, at most once per `every` seconds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from earful.store import Store

log = logging.getLogger(__name__)

SILENT_MULTIPLE = 3.0
FLOOR_POLLS = 3
FLOOR_SECONDS = 3600.0
GAP_QUANTILE = 0.9
MIN_GAPS = 5
HISTORY = timedelta(days=7)
WINDOW = timedelta(hours=24)
META_KEYS_MAX = 20


@dataclass
class SourceHealth:
    source: str
    platform: str | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    failing_since: datetime | None
    last_mention_at: datetime | None
    mentions_24h: int
    mentions_per_hour: float
    lag_p50_s: float | None
    lag_p95_s: float | None
    silent_for_s: float | None
    usual_gap_s: float | None
    threshold_s: float
    is_silent: bool
    is_failing: bool
    episode: str | None          # the silence episode's start (dedupe key part) when unhealthy
    meta: dict[str, Any]
    pages: int = 0
    stored: int = 0
    errors: int = 0

    @property
    def healthy(self) -> bool:
        return not (self.is_silent or self.is_failing)

    @property
    def status(self) -> str:
        if self.is_failing:
            return "failing"
        if self.is_silent:
            return "silent"
        if self.failing_since is not None or (self.last_error_at is not None and (
                self.last_success_at is None or self.last_error_at > self.last_success_at)):
            return "erroring"
        return "ok" if self.last_mention_at or self.last_success_at else "waiting"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status
        return out


def threshold(usual_gap_s: float | None, poll_seconds: float | None) -> float:
    floor = max(FLOOR_SECONDS, FLOOR_POLLS * (poll_seconds or 0.0))
    return max(SILENT_MULTIPLE * usual_gap_s, floor) if usual_gap_s is not None else floor


def _meta(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def source_health(store: Store, now: datetime, poll_seconds: Mapping[str, float] | None = None,
                  only: Iterable[str] | None = None) -> list[SourceHealth]:
    """Health of every source the store knows (or only the given keys; unknown keys appear as "waiting")."""
    poll_seconds = poll_seconds or {}
    rows = {r["source"]: r for r in store.source_coverage(now, now - WINDOW)}
    gaps = store.source_arrival_gaps(now - HISTORY, GAP_QUANTILE)
    keys = list(only) if only is not None else list(rows)
    out = []
    for key in keys:
        r = rows.get(key) or {"platform": None, "mentions_window": 0, "pages": 0, "stored": 0, "errors": 0}
        gap, n_gaps = gaps.get(key, (None, 0))
        usual = gap if n_gaps >= MIN_GAPS and gap is not None else None
        limit = threshold(usual, poll_seconds.get(key))
        last_mention = r.get("last_mention_at")
        silent_for = max(0.0, (now - last_mention).total_seconds()) if last_mention else None
        failing_since = r.get("failing_since")
        is_silent = usual is not None and silent_for is not None and silent_for > limit
        is_failing = failing_since is not None and (now - failing_since).total_seconds() > limit
        episode = None
        if is_silent or is_failing:
            start = last_mention or failing_since
            episode = start.isoformat() if start else "never"
        count = int(r.get("mentions_window") or 0)
        out.append(SourceHealth(
            source=key, platform=r.get("platform"), last_success_at=r.get("last_success_at"),
            last_error_at=r.get("last_error_at"), last_error=r.get("last_error"), failing_since=failing_since,
            last_mention_at=last_mention, mentions_24h=count,
            mentions_per_hour=count / (WINDOW.total_seconds() / 3600),
            lag_p50_s=r.get("lag_p50_s"), lag_p95_s=r.get("lag_p95_s"), silent_for_s=silent_for,
            usual_gap_s=usual, threshold_s=limit, is_silent=is_silent, is_failing=is_failing, episode=episode,
            meta=_meta(r.get("meta")), pages=int(r.get("pages") or 0), stored=int(r.get("stored") or 0),
            errors=int(r.get("errors") or 0)))
    return out


def page_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a Page.meta worth keeping in source_status.meta: a few scalar values (X's read budget,
    stream counters), never per-post data such as Bluesky's kept_by."""
    out = {}
    for key, value in meta.items():
        if isinstance(key, str) and isinstance(value, int | float | bool | str) and len(out) < META_KEYS_MAX:
            out[key] = value if not isinstance(value, str) else value[:200]
    return out


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(seconds)
    if seconds >= 86400:
        return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{max(1, seconds // 60)} min"


def alert_payload(h: SourceHealth, brands: list[str], now: datetime) -> dict[str, Any]:
    """The outbox payload for earful.alerts.slack.build_message(kind="source_silent")."""
    if h.is_silent:
        detail = (f"Source {h.source}: last mention {_fmt(h.silent_for_s)} ago; usually one at least every "
                  f"{_fmt(h.usual_gap_s)}.")
    else:
        detail = f"Source {h.source}: every fetch has failed for {_fmt((now - h.failing_since).total_seconds())}."
    if h.last_error and h.failing_since is not None:
        detail += f" Last error: {h.last_error[:300]}"
    silent_for = h.silent_for_s if h.is_silent else (now - h.failing_since).total_seconds()  # type: ignore[operator]
    return {"kind": "source_silent", "source": h.source, "platform": h.platform or h.source,
            "brand": ", ".join(brands) or None, "age_minutes": round(silent_for / 60, 1), "text": detail,
            "episode": h.episode, "status": h.status}


class SilenceMonitor:
    """Raises one source_silent alert per silence episode of each configured source."""

    def __init__(self, store: Store, router: Any, sources: Mapping[str, float], brands: list[str],
                 every: float = 60.0):
        self.store = store
        self.router = router              # earful.alerts.rules.AlertRouter
        self.sources = dict(sources)      # collector key -> poll interval (s)
        self.brands = brands
        self.every = every
        self._last: datetime | None = None
        self.raised: list[tuple[str, str]] = []

    def check(self, now: datetime, force: bool = False) -> list[SourceHealth]:
        """Check every configured source; returns the unhealthy ones (alerts are enqueued for new episodes)."""
        if not self.sources:
            return []
        if not force and self._last is not None and (now - self._last).total_seconds() < self.every:
            return []
        self._last = now
        bad = [h for h in source_health(self.store, now, self.sources, only=self.sources) if not h.healthy]
        for h in bad:
            if self.router.on_source_silent(h.source, h.episode or "never", alert_payload(h, self.brands, now), now):
                self.raised.append((h.source, h.episode or "never"))
                log.warning("source %s is %s (%s); alert raised", h.source, h.status,
                            f"silent for {_fmt(h.silent_for_s)}" if h.is_silent else "failing")
        return bad
