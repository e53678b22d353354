"""Case lifecycle and SLA clocks.

A case is opened for a customer's post that is a complaint (and a question where the brand's
`case_intents` says so). A post by one of the brand's own accounts that replies to the customer's post (or to anything
else that customer wrote later in the thread, or to the brand's own answer to them) moves the case
from needs_reply to replied and sets first_response_at. A new negative post by the customer in an
answered thread reopens the case and starts the next-response clock. SLA warning, breach and
escalation are events too; every automatic change is an event with a reason, and every human action
(resolve, won't reply, not a complaint, assign) is an event with actor and time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from earful.config import Brand, Config, Sla
from earful.errors import EarfulError
from earful.model import Mention
from earful.store import Store

log = logging.getLogger(__name__)

NEGATIVE_SENTIMENT = -0.05
EventHook = Callable[[int, str, datetime], None]


@dataclass
class TrackResult:
    opened: list[int] = field(default_factory=list)
    replied: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)


def priority_for(score: float | None) -> int:
    score = score or 0.0
    return 3 if score >= 0.9 else 2 if score >= 0.7 else 1


class CaseNotFound(EarfulError):
    pass


class Tracker:
    def __init__(self, store: Store, config: Config, on_event: EventHook | None = None,
                 default_case_intents: Sequence[str] = ("complaint",)):
        self.store = store
        self.config = config
        self.on_event = on_event
        self.default_case_intents = tuple(default_case_intents)

    # configuration lookups --------------------------------------------------------------------------
    def _brand(self, name: str | None) -> Brand | None:
        return self.config.brand(name)

    def _sla(self, brand: str | None) -> Sla:
        cfg = self._brand(brand)
        return cfg.sla if cfg else Sla()

    def _target(self, brand: str | None, platform: str) -> timedelta:
        return timedelta(minutes=self._sla(brand).target_minutes(platform))

    def _opens_case(self, m: dict[str, Any] | Mention, brand: str | None) -> bool:
        cfg = self._brand(brand)
        intents = cfg.case_intents if cfg else self.default_case_intents
        e = m.enrichment if isinstance(m, Mention) else None
        complaint = e.complaint if e else m.get("complaint")  # type: ignore[union-attr]
        intent = e.intent if e else m.get("intent")  # type: ignore[union-attr]
        return bool(complaint) or (intent == "question" and "question" in intents)

    def _event(self, case_id: int, at: datetime, kind: str, actor: str = "earful", reason: str | None = None,
               mention_id: str | None = None, alert_at: datetime | None = None) -> None:
        self.store.add_event(case_id, at, kind, actor, reason, mention_id)
        if self.on_event is not None and alert_at is not None:
            self.on_event(case_id, kind, alert_at)

    # new mentions ---------------------------------------------------------------------------------
    def on_mentions(self, mentions: Sequence[Mention], now: datetime, alerts: bool = True) -> TrackResult:
        """Update cases for newly stored mentions (call after the page is stored)."""
        result = TrackResult()
        by_platform: dict[str, list[Mention]] = {}
        for m in mentions:
            if m.brand is not None or m.is_brand:
                by_platform.setdefault(m.platform, []).append(m)
        for platform, items in by_platform.items():
            self._track_platform(platform, items, now, alerts, result)
        return result

    def _track_platform(self, platform: str, items: list[Mention], now: datetime, alerts: bool,
                        result: TrackResult) -> None:
        thread_ids = {m.thread_id or m.id for m in items}
        threads = self.store.thread_mentions_many(platform, thread_ids)
        cases = self.store.cases_for_threads(platform, thread_ids)
        alert_at = now if alerts else None
        for m in sorted(items, key=lambda x: (x.created_at, x.id)):
            thread_id = m.thread_id or m.id
            thread_cases = cases.setdefault(thread_id, [])
            if m.is_brand:
                self._link_replies(platform, threads.get(thread_id, []), thread_cases, alert_at, result)
                continue
            mine = [c for c in thread_cases if c["author"] == m.author]
            negative = bool(m.enrichment and (m.enrichment.complaint or m.enrichment.sentiment <= NEGATIVE_SENTIMENT))
            if mine:
                case = mine[-1]
                if case["state"] in ("replied", "resolved") and negative and (
                        case["last_response_at"] is None or m.created_at > case["last_response_at"]):
                    self._reopen(platform, case, m, alert_at, result)
                    self._link_replies(platform, threads.get(thread_id, []), thread_cases, alert_at, result)
                continue
            if not self._opens_case(m, m.brand):
                continue
            case = self._open(platform, m, thread_id, alert_at, result)
            if case is not None:
                thread_cases.append(case)
                self._link_replies(platform, threads.get(thread_id, []), thread_cases, alert_at, result)

    def _open(self, platform: str, m: Mention, thread_id: str, alert_at: datetime | None,
              result: TrackResult) -> dict[str, Any] | None:
        due = m.created_at + self._target(m.brand, platform)
        score = m.enrichment.complaint_score if m.enrichment else None
        values = {
            "platform": platform, "mention_id": m.id, "brand": m.brand, "author": m.author, "thread_id": thread_id,
            "lang": m.enrichment.lang if m.enrichment else m.lang_hint, "state": "needs_reply",
            "priority": priority_for(score), "opened_at": m.created_at, "clock_started_at": m.created_at,
            "sla_due_at": due, "updated_at": m.created_at,
        }
        case_id = self.store.open_case(values)
        if case_id is None:
            return None
        intent = m.enrichment.intent if m.enrichment else "complaint"
        self._event(case_id, m.created_at, "opened", reason=f"{intent} detected", mention_id=m.id,
                    alert_at=alert_at)
        result.opened.append(case_id)
        values.update(case_id=case_id, first_response_at=None, last_response_at=None, sla_warned=False,
                      sla_breached=False, sla_escalated=False)
        return values

    def _reopen(self, platform: str, case: dict[str, Any], m: Mention, alert_at: datetime | None,
                result: TrackResult) -> None:
        due = m.created_at + self._target(case["brand"], platform)
        changes = {"state": "needs_reply", "clock_started_at": m.created_at, "sla_due_at": due,
                   "sla_warned": False, "sla_escalated": False, "resolved_at": None, "updated_at": m.created_at}
        self.store.update_case(case["case_id"], **changes)
        case.update(changes)
        self._event(case["case_id"], m.created_at, "reopened", reason="new negative post by the customer",
                    mention_id=m.id)
        result.reopened.append(case["case_id"])

    def _link_replies(self, platform: str, thread: list[dict[str, Any]], cases: list[dict[str, Any]],
                      alert_at: datetime | None, result: TrackResult) -> None:
        open_cases = [c for c in cases if c["state"] == "needs_reply"]
        if not open_cases:
            return
        by_id = {row["id"]: row for row in thread}
        for case in open_cases:
            start = case["clock_started_at"]
            for row in thread:
                if not row["is_brand"] or row["created_at"] < start:
                    continue
                if self._answers(row, case["author"], by_id):
                    self._mark_replied(case, row, result)
                    break

    @staticmethod
    def _answers(reply: dict[str, Any], customer: str, by_id: dict[str, dict[str, Any]]) -> bool:
        """Does a brand post answer the customer? Yes when the nearest post above it that the brand did
        not write is the customer's (a reply to a bystander in the same thread answers the bystander)."""
        parent_id, hops = reply["reply_to_id"], 0
        while parent_id and hops < 50:
            parent = by_id.get(parent_id)
            if parent is None:
                return False
            if not parent["is_brand"]:
                return parent["author"] == customer
            parent_id, hops = parent["reply_to_id"], hops + 1
        return False

    def _mark_replied(self, case: dict[str, Any], reply: dict[str, Any], result: TrackResult) -> None:
        at = reply["created_at"]
        changes: dict[str, Any] = {"state": "replied", "last_response_at": at, "updated_at": at}
        if case["first_response_at"] is None:
            changes["first_response_at"] = at
        late = at > case["sla_due_at"]
        if late and not case["sla_breached"]:
            changes["sla_breached"] = True
            self._event(case["case_id"], case["sla_due_at"], "sla_breach", reason="answered after the SLA target")
        self.store.update_case(case["case_id"], **changes)
        case.update(changes)
        self._event(case["case_id"], at, "replied", actor=reply["author"] or "brand",
                    reason="late reply" if late else "brand replied", mention_id=reply["id"])
        result.replied.append(case["case_id"])

    # SLA clocks ---------------------------------------------------------------------------------------
    def tick(self, now: datetime, alerts: bool = True) -> list[tuple[int, str]]:
        """Raise SLA warning, breach and escalation events that are due at `now`."""
        fired: list[tuple[int, str]] = []
        alert_at = now if alerts else None
        for case in self.store.cases_needing_sla_check(now):
            sla = self._sla(case["brand"])
            target = self._target(case["brand"], case["platform"])
            start = case["clock_started_at"]
            steps = [
                ("sla_warned", "sla_warning", start + target * sla.warn_fraction,
                 f"{int(sla.warn_fraction * 100)}% of the {target.total_seconds() / 60:g}-minute target used"),
                ("sla_breached", "sla_breach", case["sla_due_at"], "no reply within the SLA target"),
                ("sla_escalated", "sla_escalation", start + target * sla.escalate_multiple,
                 f"no reply after {sla.escalate_multiple:g}x the SLA target"),
            ]
            for flag, kind, when, reason in steps:
                if case[flag] or now < when:
                    continue
                self.store.update_case(case["case_id"], **{flag: True})
                self._event(case["case_id"], when, kind, reason=reason, alert_at=alert_at)
                fired.append((case["case_id"], kind))
        return fired

    # human actions ------------------------------------------------------------------------------------
    def _require(self, case_id: int) -> dict[str, Any]:
        case = self.store.case(case_id)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        return case

    def resolve(self, case_id: int, actor: str, now: datetime, reason: str | None = None) -> None:
        with self.store.transaction():
            self._require(case_id)
            self.store.update_case(case_id, state="resolved", resolved_at=now, state_reason=reason, updated_at=now)
            self.store.add_event(case_id, now, "resolved", actor, reason)

    def wont_reply(self, case_id: int, actor: str, reason: str, now: datetime) -> None:
        if not reason or not reason.strip():
            raise EarfulError("a reason is required for won't reply")
        with self.store.transaction():
            self._require(case_id)
            self.store.update_case(case_id, state="wont_reply", state_reason=reason.strip(), updated_at=now)
            self.store.add_event(case_id, now, "wont_reply", actor, reason.strip())

    def not_a_complaint(self, case_id: int, actor: str, now: datetime, reason: str | None = None) -> None:
        with self.store.transaction():
            case = self._require(case_id)
            self.store.update_case(case_id, state="not_a_complaint", state_reason=reason, updated_at=now)
            self.store.add_event(case_id, now, "not_a_complaint", actor, reason)
            rows = self.store.mentions_by_ids(case["platform"], [case["mention_id"]])
            if rows:
                m = rows[0]
                self.store.add_label(m["text"] or "", False, actor, now, platform=m["platform"],
                                     mention_id=m["id"], lang=m["lang"], brand=m["brand"], origin="dashboard")

    def assign(self, case_id: int, actor: str, assignee: str, now: datetime) -> None:
        with self.store.transaction():
            self._require(case_id)
            self.store.update_case(case_id, assignee=assignee, updated_at=now)
            self.store.add_event(case_id, now, "assigned", actor, assignee)
