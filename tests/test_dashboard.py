"""The Streamlit dashboard, driven with streamlit.testing.v1.AppTest against a real DuckDB store.

Rows are written through the Store and Tracker APIs; the clock is a ManualClock, so ages, SLA due
times and "today" are exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from earful import config as config_mod
from earful.clock import ManualClock
from earful.dashboard import context, data
from earful.model import Enrichment, Mention
from earful.store import Store
from earful.tracker import Tracker

APP = Path(__file__).resolve().parents[1] / "earful" / "dashboard" / "app.py"
NOW = datetime(2025, 6, 2, 12, 0, 0)
HOSTILE = "Broken again <script>alert(1)</script> **bold** [x](javascript:alert(1)) :red[boom] $x^2$"
TIMEOUT = 30


def ago(**kw: float) -> datetime:
    return NOW - timedelta(**kw)


def mention(platform: str, mid: str, author: str, text: str, at: datetime, sentiment: float,
            intent: str = "complaint", complaint: bool = True, is_brand: bool = False,
            reply_to: str | None = None, thread: str | None = None, url: str | None = "auto") -> Mention:
    return Mention(
        platform=platform, id=mid, author=author, text=text, created_at=at,
        url=f"https://{platform}.example/{mid}" if url == "auto" else url,
        reply_to_id=reply_to, thread_id=thread or mid, brand="Acme", is_brand=is_brand, collected_at=at,
        source=f"{platform}:test",
        enrichment=Enrichment(lang="en", sentiment=sentiment, intent=intent, complaint=complaint,
                              complaint_score=0.95 if complaint else 0.1,
                              reasons=["problem report", "negative"] if complaint else [], model_version="t1"))


MENTIONS = [
    # customers' complaints that are still open (SLA: x 60 min, reddit 15 min)
    mention("x", "m1", "alice", "my order never arrived", ago(hours=3), -0.6),          # due -2h
    mention("reddit", "m2", "bob", "app crashes on login", ago(minutes=150), -0.4),     # due -2h15m
    mention("x", "m3", "carol", HOSTILE, ago(hours=2), -0.7),                           # due -1h
    mention("x", "m8", "hank", "refund please", ago(minutes=20), -0.5, url="javascript:alert(1)"),  # due +40m
    # answered complaints: m4 within the SLA (30 min), m7 late (2 h)
    mention("x", "m4", "dave", "card charged twice", ago(hours=5), -0.5),
    mention("x", "b1", "acme", "sorry, refunded", ago(hours=4, minutes=30), 0.2, intent="other",
            complaint=False, is_brand=True, reply_to="m4", thread="m4"),
    mention("x", "m7", "gina", "still waiting for support", ago(hours=4), -0.3),
    mention("x", "b2", "acme", "we are on it", ago(hours=2), 0.1, intent="other", complaint=False,
            is_brand=True, reply_to="m7", thread="m7"),
    # no cases
    mention("bluesky", "m5", "erin", "love the new acme app", ago(hours=1), 0.8, intent="praise", complaint=False),
    mention("x", "m6", "frank", "acme store opens at 9", ago(hours=20), 0.3, intent="other", complaint=False),
]


def make_config() -> config_mod.Config:
    return config_mod.parse({"brands": [{
        "name": "Acme", "keywords": ["acme"], "accounts": {"x": ["acme"]},
        "sla": {"first_response_minutes": 60, "per_platform": {"reddit": 15}}}]})


@pytest.fixture
def ctx(tmp_path: Path):
    store = Store(tmp_path / "dash.duckdb")
    tracker = Tracker(store, make_config())
    for platform in ("x", "reddit", "bluesky"):
        page = [m for m in MENTIONS if m.platform == platform]
        store.save_page(page, f"{platform}:test", "cursor-1", NOW)
        tracker.on_mentions(page, NOW, alerts=False)
    store.enqueue_alert("k1", None, "new_case", "slack", {"text": "hi"}, NOW)
    clock = ManualClock(NOW)
    dctx = context.DashboardContext(store=store, tracker=tracker, clock=clock, brands=["Acme"],
                                    refresh_seconds=3600)
    context.register(dctx)
    st.cache_data.clear()
    yield dctx
    context.clear()
    st.cache_data.clear()
    store.close()


def case_id(store: Store, mention_id: str) -> int:
    return int(store.scalar("SELECT case_id FROM cases WHERE mention_id = ?", [mention_id]))


def run_page(page: str | None = None, actor: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    if actor is not None:
        at.sidebar.text_input(key="actor").set_value(actor).run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_live_page_kpis_match_the_data(ctx: context.DashboardContext) -> None:
    at = run_page()
    assert [t.value for t in at.title] == ["Live"]
    got = metrics(at)
    assert got["Mentions today"] == "7"            # customers' posts since 00:00 (m6 was yesterday)
    assert got["Mentions (last 24 hours)"] == "8"
    assert got["Open cases"] == "4"
    assert got["Oldest unanswered"] == "3h 00m"     # m1
    assert got["Response rate"] == "33%"           # m4 and m7 of six cases
    assert got["Median first response"] == "1h 15m"  # median of 30 min and 2 h
    assert got["Answered within SLA"] == "20%"     # m4 of five decided (m8 is not due yet)
    assert got["Net sentiment"] == "-50"           # (2 positive - 6 negative) / 8
    assert len(at.get("vega_lite_chart")) == 3
    latest = at.dataframe[0].value
    assert len(latest) == len(MENTIONS)
    assert latest.loc[latest["author"] == "hank", "url"].isna().all()  # javascript: link dropped


def test_live_filters_change_the_numbers(ctx: context.DashboardContext) -> None:
    at = run_page()
    at.sidebar.selectbox(key="filter_platform").set_value("reddit").run()
    got = metrics(at)
    assert got["Open cases"] == "1"
    assert got["Mentions (last 24 hours)"] == "1"
    at.segmented_control(key="live_window").set_value("Last hour").run()
    got = metrics(at)
    assert got["Mentions (last hour)"] == "0"
    assert got["Open cases"] == "1"  # open cases ignore the window


def test_queue_lists_open_cases_in_sla_order(ctx: context.DashboardContext) -> None:
    at = run_page("views/queue.py")
    assert [t.value for t in at.title] == ["Queue"]
    headers = [t for t in texts(at) if t.startswith("#")]
    order = [h.split(" · by ")[-1] for h in headers]
    assert order == ["bob", "alice", "carol", "hank"]
    bob = headers[0]
    assert "reddit" in bob and "age 2h 30m" in bob and "priority 3" in bob
    assert "overdue by 2h 15m" in [m.value for m in at.markdown if "overdue" in m.value][0]
    assert any("due in 40m" in m.value for m in at.markdown)
    # one link per case with an http(s) URL; hank's javascript: URL gets none
    links = [lb.proto.url for lb in at.get("link_button")]
    assert links == ["https://reddit.example/m2", "https://x.example/m1", "https://x.example/m3"]


def test_hostile_text_is_shown_literally(ctx: context.DashboardContext) -> None:
    at = run_page("views/queue.py")
    assert HOSTILE in texts(at)                          # st.text: no markdown, no HTML
    assert not any("<script>" in m.value or "javascript:" in m.value for m in at.markdown)
    assert not any("<script>" in c.value for c in at.caption)
    assert not at.get("html")


def test_resolve_moves_case_and_records_actor(ctx: context.DashboardContext) -> None:
    store = ctx.store
    cid = case_id(store, "m2")
    at = run_page("views/queue.py", actor="tess")
    at.button(key=f"resolve_{cid}").click().run()
    assert not at.exception, at.exception
    assert store.case(cid)["state"] == "resolved"
    events = store.query_dicts("SELECT kind, actor, occurred_at FROM case_events WHERE case_id = ? AND kind = 'resolved'",
                               [cid])
    assert events == [{"kind": "resolved", "actor": "tess", "occurred_at": NOW}]
    assert any(f"#{cid} resolved" in t.value for t in at.toast)
    order = [t.split(" · by ")[-1] for t in texts(at) if t.startswith("#")]
    assert order == ["alice", "carol", "hank"]


def test_wont_reply_needs_a_reason(ctx: context.DashboardContext) -> None:
    store = ctx.store
    cid = case_id(store, "m1")
    at = run_page("views/queue.py", actor="tess")
    at.button(key=f"wont_reply_{cid}").click().run()
    assert store.case(cid)["state"] == "needs_reply"
    assert store.scalar("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'wont_reply'", [cid]) == 0
    assert any("reason" in w.value for w in at.warning)
    at.text_input(key=f"reason_{cid}").set_value("   ").run()
    at.button(key=f"wont_reply_{cid}").click().run()
    assert store.case(cid)["state"] == "needs_reply"
    at.text_input(key=f"reason_{cid}").set_value("spam account").run()
    at.button(key=f"wont_reply_{cid}").click().run()
    assert not at.exception, at.exception
    case = store.case(cid)
    assert (case["state"], case["state_reason"]) == ("wont_reply", "spam account")
    assert store.query("SELECT actor, reason FROM case_events WHERE case_id = ? AND kind = 'wont_reply'",
                       [cid]) == [("tess", "spam account")]


def test_not_a_complaint_writes_a_label(ctx: context.DashboardContext) -> None:
    store = ctx.store
    cid = case_id(store, "m3")
    at = run_page("views/queue.py")            # actor left empty: "dashboard"
    at.button(key=f"not_complaint_{cid}").click().run()
    assert not at.exception, at.exception
    assert store.case(cid)["state"] == "not_a_complaint"
    labels = store.query_dicts("SELECT platform, mention_id, text, is_complaint, actor, origin FROM labels")
    assert labels == [{"platform": "x", "mention_id": "m3", "text": HOSTILE, "is_complaint": False,
                       "actor": "dashboard", "origin": "dashboard"}]
    assert store.scalar("SELECT actor FROM case_events WHERE case_id = ? AND kind = 'not_a_complaint'",
                        [cid]) == "dashboard"


def test_action_on_a_case_handled_elsewhere_is_not_repeated(ctx: context.DashboardContext) -> None:
    store = ctx.store
    cid = case_id(store, "m1")
    at = run_page("views/queue.py")
    ctx.tracker.resolve(cid, "someone", NOW)      # another user, between render and click
    at.button(key=f"resolve_{cid}").click().run()
    assert store.scalar("SELECT count(*) FROM case_events WHERE case_id = ? AND kind = 'resolved'", [cid]) == 1
    assert any("already handled" in t.value for t in at.toast)


def test_alerts_sources_and_sql_pages(ctx: context.DashboardContext) -> None:
    at = run_page("views/alerts.py")
    assert metrics(at) == {"Delivered": "0", "Pending": "1", "Failed": "0"}
    assert list(at.dataframe[0].value["status"]) == ["pending"]
    at.switch_page("views/sources.py").run()
    assert set(at.dataframe[0].value["source"]) == {"x:test", "reddit:test", "bluesky:test"}
    at.switch_page("views/sql.py").run()
    at.text_area(key="sql_text").set_value("SELECT count(*) AS n FROM cases WHERE state = 'needs_reply'")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["n"].tolist() == [4]
    at.text_area(key="sql_text").set_value("DELETE FROM cases")
    at.button[0].click().run()
    assert at.error and "Refused" in at.error[0].value
    assert ctx.store.scalar("SELECT count(*) FROM cases") == 6


def test_alerts_page_with_mixed_error_and_null_rows(ctx: context.DashboardContext) -> None:
    store = ctx.store
    store.enqueue_alert("k2", None, "new_case", "slack", {"text": "two"}, NOW)
    store.enqueue_alert("k3", None, "new_case", "slack", {"text": "three"}, NOW)
    ids = [r[0] for r in store.query("SELECT alert_id FROM outbox ORDER BY alert_id")]
    store.mark_alert(ids[1], next_attempt_at=NOW + timedelta(minutes=5),
                     error="HTTP 500 from https://hooks.slack.com/services/T0/B0/secret")
    store.mark_alert(ids[2], delivered_at=NOW)
    at = run_page("views/alerts.py")
    assert metrics(at) == {"Delivered": "1", "Pending": "2", "Failed": "0"}
    errors = list(at.dataframe[0].value["last_error"])
    assert sum(not isinstance(e, str) for e in errors) == 2 and "HTTP 500 from https://hooks.slack.com/services/…" in errors
    assert not any("secret" in e for e in errors if isinstance(e, str))


@pytest.mark.parametrize("sql", [
    "DELETE FROM cases",
    "SELECT 1; DROP TABLE cases",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM cursors",
    "WITH x AS (SELECT 1) SELECT * FROM x, glob('/*')",
    "COPY cases TO '/tmp/x.csv'",
    "ATTACH '/tmp/other.db'",
    "",
])
def test_sql_guard_refuses(ctx: context.DashboardContext, sql: str) -> None:
    with pytest.raises(data.SqlRefused):
        data.run_select(ctx.store, sql)
    assert ctx.store.scalar("SELECT count(*) FROM cases") == 6


def test_sql_guard_allows_selects_with_a_row_limit(ctx: context.DashboardContext) -> None:
    res = data.run_select(ctx.store, "WITH c AS (SELECT * FROM cases) SELECT state FROM c ORDER BY case_id", limit=2)
    assert res.truncated and len(res.frame) == 2
    res = data.run_select(ctx.store, "FROM mentions SELECT count(*) AS n")
    assert res.frame["n"].tolist() == [len(MENTIONS)] and not res.truncated


def test_without_a_context_the_app_explains_how_to_start(ctx: context.DashboardContext) -> None:
    context.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert at.error and "earful demo" in at.error[0].value
    with pytest.raises(context.DashboardNotStarted, match="earful run"):
        context.current()


def test_formatting_helpers() -> None:
    assert data.safe_url("javascript:alert(1)") is None
    assert data.safe_url(" https://x.example/a?b=1 ") == "https://x.example/a?b=1"
    assert data.safe_url("data:text/html,hi") is None
    assert data.fmt_duration(3 * 3600 + 5 * 60) == "3h 05m"
    assert data.fmt_duration(2 * 86400 + 3600) == "2d 1h"
    assert data.due_text(NOW - timedelta(minutes=5), NOW) == ("overdue by 5m", True)
    assert data.redact("POST https://hooks.slack.com/services/T0/B0/secret failed") == \
        "POST https://hooks.slack.com/services/… failed"


def test_demo_alerts_page_shows_what_the_sandbox_slack_received(ctx: context.DashboardContext) -> None:
    class FakeDemoSlack:  # stands for the running demo object; only its sandbox Slack's log is read
        slack_app = {"received": [
            {"path": "/services/T/B/x", "received_at": "2026-11-23T10:00:00",
             "payload": {"text": "New case &lt;!channel&gt;", "blocks": [
                 {"type": "header", "text": {"type": "plain_text", "text": ":mega: New complaint: Acme on X"}}]}},
        ]}
    ctx.extra["demo"] = FakeDemoSlack()
    at = run_page("views/alerts.py")
    assert any("Received by the sandbox Slack" in s.value for s in at.subheader)
    frame = at.dataframe[-1].value
    assert list(frame["header"]) == [":mega: New complaint: Acme on X"]
    assert list(frame["text"]) == ["New case &lt;!channel&gt;"]


def test_sources_page_shows_health_silence_and_x_budget(ctx: context.DashboardContext) -> None:
    store = ctx.store
    # mastodon: a mention every 10 min from 8 h to 6 h ago (created 30 s before collection), then silence
    for k in range(13):
        at = ago(hours=8) + timedelta(minutes=10 * k)
        store.save_page([mention("mastodon", f"t{k}", "cust", "acme broke", at - timedelta(seconds=30), -0.5)],
                        "mastodon:test", None, at)
        store.con.execute("UPDATE mentions SET collected_at = ? WHERE id = ?", [at, f"t{k}"])
    store.record_source_ok("x:test", "x", NOW, {"x_posts_read_month": 1500, "x_cap": 10000})
    store.record_source_error("rss:test", "rss", f"MalformedPayload: {HOSTILE}", ago(minutes=1))
    store.mark_source_failing("rss:test", "rss", ago(minutes=2))
    at = run_page("views/sources.py")
    frame = at.dataframe[0].value
    rows = {r["source"]: r for r in frame.to_dict("records")}
    assert set(rows) == {"x:test", "reddit:test", "bluesky:test", "mastodon:test", "rss:test"}
    mast = rows["mastodon:test"]
    assert mast["status"] == "silent" and mast["silent_for"] == "6h 00m" and mast["usual_gap"] == "10m"
    assert mast["lag_p50_s"] == mast["lag_p95_s"] == 30.0
    assert rows["rss:test"]["status"] == "erroring" and rows["rss:test"]["last_error"].endswith(HOSTILE)
    assert rows["x:test"]["status"] == "ok" and rows["x:test"]["mentions_per_hour"] == round(8 / 24, 2)  # all 8 x posts are < 24 h old
    assert at.error and "mastodon:test" in at.error[0].value and "rss:test" not in at.error[0].value
    assert [m.value for m in at.metric] == ["1,500"]
    assert at.get("progress") and "15% of 10,000" in at.get("progress")[0].proto.text
    assert len(at.get("vega_lite_chart")) == 2
    assert not any("<script>" in m.value for m in at.markdown) and not at.get("html")
    hourly = data.source_hourly(store, ago(hours=24))
    lag = hourly[hourly["source"] == "mastodon:test"]
    assert lag["mentions"].sum() == 13 and set(lag["lag_p95_s"].round(1)) == {30.0}


def test_explore_marks_a_missed_complaint(ctx: context.DashboardContext) -> None:
    store = ctx.store
    at = run_page("views/explore.py")
    assert not at.exception, at.exception
    shown = " ".join(t.value for t in at.text)
    assert "love the new acme app" in shown and "acme store opens at 9" in shown
    assert "my order never arrived" not in shown  # already a case: hidden by default
    at.text_input(key="explore_text").set_value("store opens").run()
    assert "love the new acme app" not in " ".join(t.value for t in at.text)
    at.button(key="missed_x_m6").click().run()
    assert not at.exception, at.exception
    case = store.query_dicts("SELECT state, author FROM cases WHERE mention_id = 'm6'")
    assert case == [{"state": "needs_reply", "author": "frank"}]
    assert store.query("SELECT mention_id, is_complaint, origin FROM labels") == [("m6", True, "dashboard")]
    assert store.scalar("SELECT reason FROM case_events e JOIN cases c USING (case_id) WHERE c.mention_id = 'm6'") \
        == "marked as a missed complaint by dashboard"
