"""`earful demo --no-dashboard --until-idle`: the whole pipeline on the bundled scenario, twice."""

from __future__ import annotations

import asyncio
from collections import Counter

from earful.cli import main
from earful.demo import Demo
from earful.sandbox import scenario as scenario_mod
from earful.store import Store


def test_demo_runs_the_scenario_to_its_end_and_a_second_run_adds_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    db = tmp_path / "demo.duckdb"
    assert main(["--db", str(db), "demo", "--no-dashboard", "--until-idle"]) == 0
    out = capsys.readouterr().out
    scn = scenario_mod.load()
    posts = Counter(p.platform for p in scn.posts)
    assert f"Scenario: {len(scn.posts)} posts" in out

    store = Store(db)
    stored = dict(store.query("SELECT platform, count(*) FROM mentions GROUP BY 1"))
    assert set(stored) == {"x", "reddit", "bluesky", "mastodon", "hackernews", "rss"}
    excluded = sum(1 for p in scn.posts if "parcelly careers" in p.text.lower() or "parcelly jobs" in p.text.lower())
    assert sum(stored.values()) == len(scn.posts) - excluded
    assert f"Mentions stored: {len(scn.posts) - excluded} of {len(scn.posts) - excluded} expected" in out
    for platform, count in stored.items():
        assert count <= posts[platform]
    assert store.scalar("SELECT count(*) FROM mentions WHERE is_brand") == sum(
        1 for p in scn.posts if p.label == "brand_reply")

    # cases: most written complaints are caught; answered ones are linked to the brand's reply
    states = dict(store.query("SELECT state, count(*) FROM cases GROUP BY 1"))
    assert states.get("replied", 0) >= 80 and states.get("needs_reply", 0) >= 50
    answered = {p.reply_to for p in scn.posts if p.label == "brand_reply"}
    complaints = [p for p in scn.posts if p.label == "complaint"]
    caught = store.scalar("SELECT count(*) FROM mentions WHERE complaint AND NOT is_brand")
    assert caught >= 0.8 * len(complaints)
    late = store.scalar("SELECT count(*) FROM cases WHERE first_response_at > sla_due_at")
    assert late == store.scalar("SELECT count(*) FROM cases WHERE state = 'replied' AND sla_breached")
    assert len(answered) > 0

    # alerts: each one delivered exactly once to the sandbox Slack
    delivered = store.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL")
    assert delivered > 100
    assert store.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == 0
    assert f"the sandbox Slack received {delivered} messages" in out
    kinds = dict(store.query("SELECT kind, count(*) FROM outbox GROUP BY 1"))
    assert kinds["new_case"] == store.scalar(
        "SELECT count(*) FROM cases c JOIN case_events e USING (case_id) WHERE e.kind = 'opened' "
        "AND e.reason <> 'the brand replied to it'")
    assert kinds.get("sla_breach", 0) > 0 and kinds.get("sla_warning", 0) > 0
    before = store.mention_count()
    cases_before = store.scalar("SELECT count(*) FROM cases")

    # a second run over the same store: same posts, same ids, nothing new, no alert twice
    demo = Demo(store, step_minutes=10)
    summary = asyncio.run(demo.run())
    assert store.mention_count() == before
    assert store.scalar("SELECT count(DISTINCT (platform, id)) FROM mentions") == before
    assert store.scalar("SELECT count(*) FROM cases") == cases_before
    assert summary.slack_received == 0
    store.close()
