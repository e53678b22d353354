from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from earful import config
from earful.errors import EarfulError
from earful.model import Enrichment, Mention
from earful.tracker import Tracker

T0 = datetime(2026, 11, 23, 9, 0, 0)
CFG = config.parse({"brands": [{"name": "Acme", "accounts": {"x": ["AcmeHelp"]},
                                "sla": {"first_response_minutes": 60, "warn_fraction": 0.5, "escalate_multiple": 2}},
                               {"name": "Qbrand", "case_intents": ["complaint", "question"]}]})


def enr(complaint: bool, sentiment: float = -0.5, intent: str | None = None) -> Enrichment:
    return Enrichment("en", sentiment, intent or ("complaint" if complaint else "other"), complaint,
                      0.9 if complaint else 0.1, ["test"])


def post(i: str, minutes: float, author: str = "cust", reply_to: str | None = None, thread: str | None = None,
         brand: str = "Acme", is_brand: bool = False, e: Enrichment | None = None) -> Mention:
    return Mention(platform="x", id=i, author=author, text=f"post {i}", created_at=T0 + timedelta(minutes=minutes),
                   reply_to_id=reply_to, thread_id=thread or reply_to or i, brand=brand, is_brand=is_brand,
                   enrichment=e if e is not None else (None if is_brand else enr(True)))


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[int, str]] = []

    def __call__(self, case_id: int, kind: str, now: datetime) -> None:
        self.events.append((case_id, kind))


def feed(store, tracker, mentions, now=None):
    store.save_page(mentions, "test", None, now or T0)
    return tracker.on_mentions(mentions, now or T0)


def test_reply_links_to_case_with_exact_first_response(store):
    rec = Recorder()
    tracker = Tracker(store, CFG, on_event=rec)
    res = feed(store, tracker, [post("1", 0)])
    assert len(res.opened) == 1 and rec.events == [(res.opened[0], "opened")]
    res2 = feed(store, tracker, [post("2", 12.5, author="AcmeHelp", reply_to="1", thread="1", is_brand=True)])
    case = store.case(res.opened[0])
    assert res2.replied == [case["case_id"]]
    assert case["state"] == "replied"
    assert case["first_response_at"] == T0 + timedelta(minutes=12.5)
    assert not case["sla_breached"]
    kinds = [r[0] for r in store.query("SELECT kind FROM case_events ORDER BY event_id")]
    assert kinds == ["opened", "replied"]


def test_reply_stored_before_the_complaint_still_links(store):
    tracker = Tracker(store, CFG)
    feed(store, tracker, [post("2", 5, author="AcmeHelp", reply_to="1", thread="1", is_brand=True)])
    res = feed(store, tracker, [post("1", 0, thread="1")])
    case = store.case(res.opened[0])
    assert case["state"] == "replied" and case["first_response_at"] == T0 + timedelta(minutes=5)


def test_reply_deeper_in_thread_counts_but_reply_to_someone_else_does_not(store):
    tracker = Tracker(store, CFG)
    res = feed(store, tracker, [post("1", 0), post("9", 1, author="other", e=enr(True), thread="9")])
    feed(store, tracker, [
        post("3", 2, author="bystander", reply_to="1", thread="1", e=enr(False, 0.2)),
        post("4", 3, author="AcmeHelp", reply_to="3", thread="1", is_brand=True),  # answers the bystander only
    ])
    assert store.case(res.opened[0])["state"] == "needs_reply"
    feed(store, tracker, [
        post("5", 4, author="cust", reply_to="4", thread="1", e=enr(False, 0.0)),
        post("6", 30, author="AcmeHelp", reply_to="5", thread="1", is_brand=True),
    ])
    case = store.case(res.opened[0])
    assert case["state"] == "replied" and case["first_response_at"] == T0 + timedelta(minutes=30)


def test_negative_follow_up_reopens_and_next_reply_closes_again(store):
    tracker = Tracker(store, CFG)
    res = feed(store, tracker, [post("1", 0), post("2", 10, author="AcmeHelp", reply_to="1", is_brand=True)])
    case_id = res.opened[0]
    res2 = feed(store, tracker, [post("3", 20, reply_to="2", thread="1", e=enr(False, -0.6))])
    case = store.case(case_id)
    assert res2.reopened == [case_id] and res2.opened == []
    assert case["state"] == "needs_reply"
    assert case["clock_started_at"] == T0 + timedelta(minutes=20)
    assert case["sla_due_at"] == T0 + timedelta(minutes=80)
    # a friendly follow-up does not reopen
    feed(store, tracker, [post("4", 25, author="AcmeHelp", reply_to="3", thread="1", is_brand=True)])
    feed(store, tracker, [post("5", 26, reply_to="4", thread="1", e=enr(False, 0.7, "praise"))])
    case = store.case(case_id)
    assert case["state"] == "replied"
    assert case["first_response_at"] == T0 + timedelta(minutes=10)
    assert case["last_response_at"] == T0 + timedelta(minutes=25)


def test_sla_warning_breach_escalation_fire_once(store):
    rec = Recorder()
    tracker = Tracker(store, CFG, on_event=rec)
    case_id = feed(store, tracker, [post("1", 0)]).opened[0]
    assert tracker.tick(T0 + timedelta(minutes=29)) == []
    assert tracker.tick(T0 + timedelta(minutes=30)) == [(case_id, "sla_warning")]
    assert tracker.tick(T0 + timedelta(minutes=61)) == [(case_id, "sla_breach")]
    assert tracker.tick(T0 + timedelta(minutes=62)) == []
    assert tracker.tick(T0 + timedelta(minutes=121)) == [(case_id, "sla_escalation")]
    assert tracker.tick(T0 + timedelta(minutes=500)) == []
    assert [k for _, k in rec.events] == ["opened", "sla_warning", "sla_breach", "sla_escalation"]
    case = store.case(case_id)
    assert case["sla_breached"] and case["state"] == "needs_reply"


def test_late_reply_marks_breach(store):
    tracker = Tracker(store, CFG)
    case_id = feed(store, tracker, [post("1", 0)]).opened[0]
    feed(store, tracker, [post("2", 75, author="AcmeHelp", reply_to="1", is_brand=True)])
    case = store.case(case_id)
    assert case["state"] == "replied" and case["sla_breached"]


def test_questions_open_cases_only_where_configured(store):
    tracker = Tracker(store, CFG)
    q = enr(False, 0.0, "question")
    res = feed(store, tracker, [post("1", 0, e=q), post("2", 0, brand="Qbrand", e=q, author="c2")])
    opened = [store.case(c)["brand"] for c in res.opened]
    assert opened == ["Qbrand"]


def test_brand_posts_and_praise_open_nothing(store):
    tracker = Tracker(store, CFG)
    res = feed(store, tracker, [post("1", 0, author="AcmeHelp", is_brand=True),
                                post("2", 1, e=enr(False, 0.8, "praise"))])
    assert res.opened == []


def test_human_actions_are_events_with_actor(store):
    tracker = Tracker(store, CFG)
    ids = feed(store, tracker, [post("1", 0), post("2", 0, author="b"), post("3", 0, author="c")]).opened
    now = T0 + timedelta(hours=1)
    tracker.resolve(ids[0], "ana", now)
    with pytest.raises(EarfulError):
        tracker.wont_reply(ids[1], "ana", "  ", now)
    tracker.wont_reply(ids[1], "ana", "troll", now)
    tracker.not_a_complaint(ids[2], "ben", now)
    states = [store.case(i)["state"] for i in ids]
    assert states == ["resolved", "wont_reply", "not_a_complaint"]
    events = store.query("SELECT case_id, kind, actor FROM case_events WHERE actor <> 'earful' ORDER BY event_id")
    assert events == [(ids[0], "resolved", "ana"), (ids[1], "wont_reply", "ana"), (ids[2], "not_a_complaint", "ben")]
    labels = store.labels()
    assert len(labels) == 1 and labels[0]["is_complaint"] is False and labels[0]["text"] == "post 3"


def test_an_earlier_reply_collected_late_corrects_the_first_response(store):
    tracker = Tracker(store, CFG)
    case_id = feed(store, tracker, [post("1", 0), post("3", 40, author="AcmeHelp", reply_to="1", is_brand=True)]).opened[0]
    assert store.case(case_id)["first_response_at"] == T0 + timedelta(minutes=40)
    feed(store, tracker, [post("2", 15, author="AcmeHelp", reply_to="1", is_brand=True)])
    case = store.case(case_id)
    assert case["first_response_at"] == T0 + timedelta(minutes=15) and case["state"] == "replied"
    kinds = [r[0] for r in store.query("SELECT kind FROM case_events WHERE case_id = ? ORDER BY event_id", [case_id])]
    assert kinds[-1] == "first_response_corrected"


def test_missed_complaint_is_labelled_and_opens_a_case(store):
    tracker = Tracker(store, CFG)
    praise = enr(False, 0.4, "praise")
    feed(store, tracker, [post("1", 0, e=praise), post("2", 5, author="AcmeHelp", reply_to="1", is_brand=True),
                          post("3", 6, author="other", e=praise, thread="3")])
    assert store.scalar("SELECT count(*) FROM cases") == 1  # the brand's reply opened one for post 1
    case_id = tracker.missed_complaint("x", "3", "ana", T0 + timedelta(hours=1))
    case = store.case(case_id)
    assert case["mention_id"] == "3" and case["state"] == "needs_reply"
    assert store.labels()[0]["is_complaint"] is True and store.labels()[0]["actor"] == "ana"
    assert tracker.missed_complaint("x", "1", "ana", T0) == store.scalar(
        "SELECT case_id FROM cases WHERE mention_id = '1'")  # an existing case is reused
    with pytest.raises(EarfulError):
        tracker.missed_complaint("x", "2", "ana", T0)  # the brand's own post is not a customer's complaint
