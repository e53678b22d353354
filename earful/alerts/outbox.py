"""The persisted outbox: alerts wait in DuckDB until Slack says ok.

Each row is tried when due; 429 (Retry-After), 5xx, timeouts and connection errors are retried with
backoff; other 4xx answers fail the row permanently (logged, shown on the dashboard). Because the row
is marked delivered only after Slack's ok and the row's key is unique per case, kind and route, every
alert arrives once, also across restarts. (A crash between Slack's ok and the commit can repeat one
message: at-least-once is the only honest promise over a webhook without idempotency keys.)
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from earful.alerts import slack
from earful.alerts.rules import Route
from earful.clock import Clock
from earful.store import Store

log = logging.getLogger(__name__)

Deliver = Callable[[str, dict[str, Any]], Awaitable["slack.DeliveryResult"]]


@dataclass
class OutboxStats:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Outbox:
    def __init__(self, store: Store, routes: list[Route], clock: Clock, deliver: Deliver | None = None,
                 max_attempts: int = 12, rng: random.Random | None = None):
        self.store = store
        self.routes = {r.name: r for r in routes}
        self.clock = clock
        self.deliver = deliver or slack.deliver
        self.max_attempts = max_attempts
        self.rng = rng or random.Random(0)
        self.stats = OutboxStats()

    def pending(self) -> int:
        return self.store.pending_alerts()

    async def deliver_due(self) -> int:
        """Try every alert that is due now; returns how many were delivered."""
        delivered = 0
        now = self.clock.now()
        for row in self.store.due_alerts(now):
            route = self.routes.get(row["route"])
            if route is None or not route.url:
                self.store.mark_alert(row["alert_id"], failed_at=now,
                                      error=f"route {row['route']!r} has no webhook configured")
                self.stats.failed += 1
                continue
            message = slack.build_message(json.loads(row["payload"]))
            result = await self.deliver(route.url, message)
            now = self.clock.now()
            if result.ok:
                self.store.mark_alert(row["alert_id"], delivered_at=now)
                self.stats.delivered += 1
                delivered += 1
                log.info("alert %s (%s, case %s) delivered to %s", row["alert_id"], row["kind"], row["case_id"],
                         row["route"])
                continue
            attempts = row["attempts"] + 1
            if result.retryable and attempts < self.max_attempts:
                wait = slack.backoff(attempts, result.retry_after, self.rng)
                self.store.mark_alert(row["alert_id"], next_attempt_at=now + timedelta(seconds=wait),
                                      error=result.error)
                self.stats.retried += 1
                log.warning("alert %s to %s not delivered (%s); retry in %.0f s", row["alert_id"], row["route"],
                            result.error, wait)
            else:
                self.store.mark_alert(row["alert_id"], failed_at=now, error=result.error)
                self.stats.failed += 1
                self.stats.errors.append(result.error)
                log.error("alert %s to %s failed for good: %s", row["alert_id"], row["route"], result.error)
        return delivered

    def seconds_until_next(self) -> float | None:
        due = self.store.next_alert_due()
        if due is None:
            return None
        return max(0.0, (due - self.clock.now()).total_seconds())
