"""What deserves an alert, and where it goes: tracker events become outbox rows, one per case, kind
and route (the outbox's unique key makes that hold across restarts too)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from earful.config import Config
from earful.store import Store

log = logging.getLogger(__name__)

EVENT_TO_ALERT = {"opened": "new_case", "sla_warning": "sla_warning", "sla_breach": "sla_breach",
                  "sla_escalation": "sla_escalation"}


@dataclass(frozen=True)
class Route:
    name: str
    url: str | None  # a secret: never logged
    kinds: tuple[str, ...]
    brands: tuple[str, ...] = ()
    min_priority: int = 0


def routes_from_config(config: Config) -> list[Route]:
    routes = []
    for i, r in enumerate(config.alerts.routes):
        routes.append(Route(r.name, config.secret(f"alerts.routes[{i}].webhook"), tuple(r.kinds),
                            tuple(b.lower() for b in r.brands), r.min_priority))
    return routes


def alert_payload(kind: str, ctx: dict[str, Any], now: datetime) -> dict[str, Any]:
    opened = ctx["opened_at"]
    return {
        "kind": kind, "case_id": ctx["case_id"], "brand": ctx["brand"], "platform": ctx["platform"],
        "author": ctx["author"], "text": ctx["text"] or "", "url": ctx["url"], "lang": ctx["lang"],
        "priority": ctx["priority"], "opened_at": opened.isoformat() if opened else None,
        "sla_due_at": ctx["sla_due_at"].isoformat() if ctx["sla_due_at"] else None,
        "age_minutes": round((now - opened).total_seconds() / 60, 1) if opened else None,
        "reasons": list(ctx["reasons"] or []), "complaint_score": ctx["complaint_score"],
    }


class AlertRouter:
    def __init__(self, store: Store, routes: list[Route]):
        self.store = store
        self.routes = routes
        self.enqueued = 0

    def on_event(self, case_id: int, event: str, now: datetime) -> None:
        kind = EVENT_TO_ALERT.get(event)
        if kind is None:
            return
        targets = [r for r in self.routes if kind in r.kinds]
        if not targets:
            return
        ctx = self.store.case_alert_context(case_id)
        if ctx is None:
            return
        payload = alert_payload(kind, ctx, now)
        for route in targets:
            if route.brands and (ctx["brand"] or "").lower() not in route.brands:
                continue
            if (ctx["priority"] or 0) < route.min_priority:
                continue
            if self.store.enqueue_alert(f"{case_id}:{kind}:{route.name}", case_id, kind, route.name, payload, now):
                self.enqueued += 1

    def on_source_silent(self, source: str, episode: str, payload: dict[str, Any], now: datetime) -> int:
        """A source went silent (earful.coverage): one outbox row per route taking "source_silent", keyed by
        source and episode start, so one silence episode alerts once. Returns rows enqueued."""
        added = 0
        for route in self.routes:
            if "source_silent" not in route.kinds:
                continue
            if self.store.enqueue_alert(f"source_silent:{source}:{episode}:{route.name}", None, "source_silent",
                                        route.name, payload, now):
                added += 1
        self.enqueued += added
        return added
