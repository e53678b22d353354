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
from datetime import datetime
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

    def _due(self, brand: str | None, platform: str, start: datetime, fraction: float = 1.0) -> datetime:
        return self._sla(brand).deadline(start, platform, fraction)

    def _opens_case(self, m: dict[str, Any] | Mention, brand: str | None) -> bool:
        cfg = self._brand(brand)
        intents = cfg.case_intents if cfg else self.default_case_intents
        e = m.enrichment if isinstance(m, Mention) else None
        complaint = e.complaint if e else m.get("complaint")  # type: ignore[union-attr]
        intent = e.intent if e else m.get("intent")  # type: ignore[union-attr]
        return bool(complaint) or (intent == "question" and "question" in intents)

    # batched writes -----------------------------------------------------------------------------------
    def _begin(self, alert_at: datetime | None) -> None:
        self._new: list[dict[str, Any]] = []
        self._dirty: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._alerts: list[tuple[int, str, datetime]] = []
        self._alert_at = alert_at

    def _event(self, case_id: int, at: datetime, kind: str, actor: str = "earful", reason: str | None = None,
               mention_id: str | None = None, alert: bool = True) -> None:
        self._events.append({"case_id": case_id, "occurred_at": at, "kind": kind, "actor": actor,
                             "reason": reason, "mention_id": mention_id})
        if alert and self._alert_at is not None:
            self._alerts.append((case_id, kind, self._alert_at))

    def _change(self, case: dict[str, Any], **changes: Any) -> None:
        case.update(changes)
        if not case.get("_new"):
            self._dirty[case["case_id"]] = case

    def _flush(self) -> None:
        """Write the batch's new cases, changed cases and events (three statements), then alert."""
        self.store.write_cases(self._new, list(self._dirty.values()), self._events)
        if self.on_event is not None:
            for case_id, kind, at in self._alerts:
                self.on_event(case_id, kind, at)
        for case in self._new:
            case.pop("_new", None)
        self._begin(None)

    # new mentions ---------------------------------------------------------------------------------
    def on_mentions(self, mentions: Sequence[Mention], now: datetime, alerts: bool = True) -> TrackResult:
        """Update cases for newly stored mentions (call after the page is stored, in its transaction)."""
        result = TrackResult()
        by_platform: dict[str, list[Mention]] = {}
        for m in mentions:
            if m.brand is not None or m.is_brand:
                by_platform.setdefault(m.platform, []).append(m)
        with self.store.transaction():
            self._begin(now if alerts else None)
            for platform, items in by_platform.items():
                self._track_platform(platform, items, result)
            self._flush()
        return result

    def _track_platform(self, platform: str, items: list[Mention], result: TrackResult) -> None:
        thread_ids = {m.thread_id or m.id for m in items}
        threads = self.store.thread_mentions_many(platform, thread_ids)
        cases = self.store.cases_for_threads(platform, thread_ids)
        brands = {m.id: m.brand for m in items}
        for m in sorted(items, key=lambda x: (x.created_at, x.id)):
            thread_id = m.thread_id or m.id
            thread = threads.get(thread_id, [])
            thread_cases = cases.setdefault(thread_id, [])
            if m.is_brand:
                self._open_answered(platform, m, thread, thread_cases, result)
                self._correct_first_response(m, thread, thread_cases)
                self._link_replies(thread, thread_cases, result)
                continue
            mine = [c for c in thread_cases if c["author"] == m.author]
            negative = bool(m.enrichment and (m.enrichment.complaint or m.enrichment.sentiment <= NEGATIVE_SENTIMENT))
            if mine:
                case = mine[-1]
                if case["state"] in ("replied", "resolved") and negative and (
                        case["last_response_at"] is None or m.created_at > case["last_response_at"]):
                    self._reopen(platform, case, m, result)
                    self._link_replies(thread, thread_cases, result)
                continue
            if self._opens_case(m, m.brand):
                reason = f"{m.enrichment.intent if m.enrichment else 'complaint'} detected"
            elif self._brand_answered(m.id, m.author, thread):
                reason = "the brand replied to it"
            else:
                continue
            e = m.enrichment
            thread_cases.append(self._open(platform, m.id, m.brand or brands.get(m.id), m.author, thread_id,
                                           m.created_at, e.lang if e else m.lang_hint,
                                           e.complaint_score if e else None, reason, result,
                                           alert=reason != "the brand replied to it"))
            self._link_replies(thread, thread_cases, result)

    def _brand_answered(self, mention_id: str, author: str, thread: list[dict[str, Any]]) -> bool:
        by_id = {row["id"]: row for row in thread}
        return any(row["is_brand"] and self._answered_post(row, by_id) == mention_id for row in thread)

    def _open_answered(self, platform: str, reply: Mention, thread: list[dict[str, Any]],
                       thread_cases: list[dict[str, Any]], result: TrackResult) -> None:
        """A brand reply to a customer's post that has no case: the post needed an answer after all
        (a missed complaint or question), so it gets a case, answered at once."""
        by_id = {row["id"]: row for row in thread}
        row = by_id.get(reply.id)
        target = by_id.get(self._answered_post(row, by_id) or "") if row else None
        if target is None or any(c["author"] == target["author"] for c in thread_cases):
            return
        thread_cases.append(self._open(platform, target["id"], reply.brand, target["author"],
                                       target["thread_id"], target["created_at"], target.get("lang"),
                                       target.get("complaint_score"), "the brand replied to it", result,
                                       alert=False))

    def _correct_first_response(self, reply: Mention, thread: list[dict[str, Any]],
                                cases: list[dict[str, Any]]) -> None:
        """A brand reply collected after a later one (sources deliver out of order) moves the first
        response back to when it really happened."""
        by_id = {row["id"]: row for row in thread}
        row = by_id.get(reply.id)
        answered = self._answered_post(row, by_id) if row else None
        if answered is None:
            return
        for case in cases:
            first = case["first_response_at"]
            if (first is None or reply.created_at >= first or reply.created_at < case["opened_at"]
                    or by_id[answered]["author"] != case["author"]):
                continue
            self._change(case, first_response_at=reply.created_at)
            self._event(case["case_id"], reply.created_at, "first_response_corrected", actor=reply.author or "brand",
                        reason="an earlier reply arrived late", mention_id=reply.id, alert=False)

    def _open(self, platform: str, mention_id: str, brand: str | None, author: str, thread_id: str,
              created_at: datetime, lang: str | None, score: float | None, reason: str, result: TrackResult,
              alert: bool = True) -> dict[str, Any]:
        case = {
            "case_id": self.store.next_case_id(), "platform": platform, "mention_id": mention_id, "brand": brand,
            "author": author, "thread_id": thread_id, "lang": lang, "state": "needs_reply",
            "priority": priority_for(score), "opened_at": created_at, "clock_started_at": created_at,
            "first_response_at": None, "last_response_at": None,
            "sla_due_at": self._due(brand, platform, created_at), "sla_warned": False, "sla_breached": False,
            "sla_escalated": False, "resolved_at": None, "assignee": None, "state_reason": None,
            "updated_at": created_at, "_new": True,
        }
        self._new.append(case)
        self._event(case["case_id"], created_at, "opened", reason=reason, mention_id=mention_id, alert=alert)
        result.opened.append(case["case_id"])
        return case

    def _reopen(self, platform: str, case: dict[str, Any], m: Mention, result: TrackResult) -> None:
        self._change(case, state="needs_reply", clock_started_at=m.created_at,
                     sla_due_at=self._due(case["brand"], platform, m.created_at), sla_warned=False,
                     sla_escalated=False, resolved_at=None, updated_at=m.created_at)
        self._event(case["case_id"], m.created_at, "reopened", reason="new negative post by the customer",
                    mention_id=m.id, alert=False)
        result.reopened.append(case["case_id"])

    def _link_replies(self, thread: list[dict[str, Any]], cases: list[dict[str, Any]], result: TrackResult) -> None:
        open_cases = [c for c in cases if c["state"] == "needs_reply"]
        if not open_cases:
            return
        by_id = {row["id"]: row for row in thread}
        for case in open_cases:
            start = case["clock_started_at"]
            for row in thread:
                if not row["is_brand"] or row["created_at"] < start:
                    continue
                answered = self._answered_post(row, by_id)
                if answered is not None and by_id[answered]["author"] == case["author"]:
                    self._mark_replied(case, row, result)
                    break

    @staticmethod
    def _answered_post(reply: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str | None:
        """The customer post a brand post answers: the nearest post above it that the brand did not
        write (a reply to a bystander in the same thread answers the bystander, not the customer)."""
        parent_id, hops = reply["reply_to_id"], 0
        while parent_id and hops < 50:
            parent = by_id.get(parent_id)
            if parent is None:
                return None
            if not parent["is_brand"]:
                return parent_id
            parent_id, hops = parent["reply_to_id"], hops + 1
        return None

    def _mark_replied(self, case: dict[str, Any], reply: dict[str, Any], result: TrackResult) -> None:
        at = reply["created_at"]
        late = at > case["sla_due_at"]
        if late and not case["sla_breached"]:
            self._change(case, sla_breached=True)
            self._event(case["case_id"], case["sla_due_at"], "sla_breach", reason="answered after the SLA target",
                        alert=False)
        self._change(case, state="replied", last_response_at=at, updated_at=at,
                     first_response_at=case["first_response_at"] or at)
        self._event(case["case_id"], at, "replied", actor=reply["author"] or "brand",
                    reason="late reply" if late else "brand replied", mention_id=reply["id"], alert=False)
        result.replied.append(case["case_id"])

    # SLA clocks ---------------------------------------------------------------------------------------
    def tick(self, now: datetime, alerts: bool = True) -> list[tuple[int, str]]:
        """Raise SLA warning, breach and escalation events that are due at `now`."""
        fired: list[tuple[int, str]] = []
        with self.store.transaction():
            self._begin(now if alerts else None)
            for case in self.store.cases_needing_sla_check(now):
                sla = self._sla(case["brand"])
                minutes = sla.target_minutes(case["platform"])
                start, platform = case["clock_started_at"], case["platform"]
                steps = [
                    ("sla_warned", "sla_warning", sla.deadline(start, platform, sla.warn_fraction),
                     f"{int(sla.warn_fraction * 100)}% of the {minutes:g}-minute target used"),
                    ("sla_breached", "sla_breach", case["sla_due_at"], "no reply within the SLA target"),
                    ("sla_escalated", "sla_escalation", sla.deadline(start, platform, sla.escalate_multiple),
                     f"no reply after {sla.escalate_multiple:g}x the SLA target"),
                ]
                for flag, kind, when, reason in steps:
                    if case[flag] or now < when:
                        continue
                    self._change(case, **{flag: True})
                    self._event(case["case_id"], when, kind, reason=reason)
                    fired.append((case["case_id"], kind))
            self._flush()
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

    def missed_complaint(self, platform: str, mention_id: str, actor: str, now: datetime) -> int | None:
        """A human says the model missed a complaint: keep the label for training, and open a case for the
        post unless its author already has one in the thread. Returns the case id (new or existing)."""
        with self.store.transaction():
            m = self.store.customer_mention(platform, mention_id)
            if m is None or m["is_brand"]:
                raise CaseNotFound(f"no customer post {platform}:{mention_id}")
            self.store.add_label(m["text"] or "", True, actor, now, platform=platform, mention_id=mention_id,
                                 lang=m["lang"], brand=m["brand"], origin="dashboard")
            thread_id = m["thread_id"] or mention_id
            thread = self.store.thread_mentions_many(platform, [thread_id]).get(thread_id, [])
            cases = self.store.cases_for_threads(platform, [thread_id]).get(thread_id, [])
            mine = [c for c in cases if c["author"] == m["author"]]
            if mine:
                return int(mine[-1]["case_id"])
            self._begin(None)
            result = TrackResult()
            case = self._open(platform, mention_id, m["brand"], m["author"], thread_id, m["created_at"], m["lang"],
                              m["complaint_score"], f"marked as a missed complaint by {actor}", result, alert=False)
            cases.append(case)
            self._link_replies(thread, cases, result)
            self._flush()
            return int(case["case_id"])

    def assign(self, case_id: int, actor: str, assignee: str, now: datetime) -> None:
        with self.store.transaction():
            self._require(case_id)
            self.store.update_case(case_id, assignee=assignee, updated_at=now)
            self.store.add_event(case_id, now, "assigned", actor, assignee)
