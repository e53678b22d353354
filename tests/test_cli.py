"""The `earful` command's contracts: classify, export, run, label."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq

from earful import config
from earful.cli import main
from earful.clock import ManualClock
from earful.collectors import registry
from earful.pipeline import Pipeline
from earful.sandbox import reddit as reddit_sandbox
from earful.sandbox import scenario as scenario_mod
from earful.sandbox.faults import Faults
from earful.sandbox.server import SandboxServer
from earful.sentiment import Classifier
from earful.store import Store

ROOT = Path(__file__).resolve().parents[1]


def test_classify_writes_one_line_per_input_line_in_order():
    lines = [json.dumps({"text": "@AcmeHelp my order 48213 never arrived, still waiting for a refund", "brand": "Acme"}),
             "this is not json",
             json.dumps({"text": "Приложение не работает второй день"}),
             json.dumps({"text": ""}),
             json.dumps({"text": "love the new app, insanely fast delivery 😍"})]
    proc = subprocess.run([sys.executable, "-m", "earful.cli", "classify"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["complaint"] is True and out[0]["intent"] == "complaint" and out[0]["reasons"]
    assert "line 2" in out[1]["error"] and "line 2" in proc.stderr
    assert out[2]["lang"] == "ru" and out[2]["complaint"] is True
    assert out[3]["complaint"] is False
    assert out[4]["intent"] == "praise" and out[4]["sentiment"] > 0
    for row in out[:1] + out[2:]:
        assert set(row) >= {"lang", "sentiment", "intent", "complaint", "complaint_score", "reasons"}
        assert -1 <= row["sentiment"] <= 1 and 0 <= row["complaint_score"] <= 1


def test_export_writes_parquet_snapshots(tmp_path, capsys):
    db = tmp_path / "e.duckdb"
    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps({"id": str(i), "text": f"Acme order {i} is broken", "brand": "Acme",
                                         "created_at": 1767225600 + i}) for i in range(20)) + "\n")
    assert main(["--db", str(db), "import", str(src)]) == 0
    assert main(["--db", str(db), "export", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "mentions: 20 rows" in out
    mentions = pq.read_table(tmp_path / "out" / "latest" / "mentions.parquet")
    assert mentions.num_rows == 20 and "raw" not in mentions.column_names
    cases = pq.read_table(tmp_path / "out" / "latest" / "cases.parquet")
    assert cases.num_rows == Store(db).scalar("SELECT count(*) FROM cases")


def test_label_stores_a_correction(tmp_path, capsys):
    db = tmp_path / "l.duckdb"
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"id": "9", "text": "Acme is fine", "brand": "Acme", "platform": "x"}) + "\n")
    main(["--db", str(db), "import", str(src)])
    assert main(["--db", str(db), "label", "x:9", "complaint", "--actor", "ana"]) == 0
    assert main(["--db", str(db), "label", "x:404", "complaint"]) == 1
    labels = Store(db).labels()
    assert [(r["text"], r["is_complaint"], r["actor"]) for r in labels] == [("Acme is fine", True, "ana")]


def test_run_needs_a_config(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    assert "earful init" in capsys.readouterr().err


async def test_service_loop_collects_until_stopped(tmp_path):
    """What `earful run` runs: every collector on its poll loop plus SLA clocks and alerts, until stopped."""
    scn = scenario_mod.load()
    clock = ManualClock(scn.start + (scn.end - scn.start) / 2)
    async with SandboxServer(reddit_sandbox.make_app(scn, clock, Faults())) as server:
        import os
        os.environ.update(reddit_sandbox.DEMO_ENV)
        cfg = config.parse({"brands": [scn.brand], "sources": {"reddit": reddit_sandbox.demo_source(server.url)}})
        store = Store(tmp_path / "run.duckdb")
        import aiohttp
        async with aiohttp.ClientSession() as session:
            pipe = Pipeline(store, cfg, Classifier.load(), clock, registry.build(cfg, clock, session))
            stop = asyncio.Event()
            task = asyncio.create_task(pipe.run(stop))
            for _ in range(10_000):
                await asyncio.sleep(0)  # yield to the service's tasks; the manual clock never waits
                if store.mention_count() > 20:
                    break
            stop.set()
            await asyncio.wait_for(task, 30)
        assert store.mention_count() > 20
        assert store.scalar("SELECT count(*) FROM cases") > 0
        assert store.scalar("SELECT last_success_at FROM source_status WHERE source = 'reddit'") is not None
        assert datetime(2026, 1, 1) < clock.now()


def test_calibrate_sets_a_brand_threshold_the_pipeline_uses(tmp_path, capsys):
    from earful.model import Enrichment
    from earful.pipeline import apply_threshold

    db = tmp_path / "c.duckdb"
    assert main(["--db", str(db), "calibrate"]) == 0
    assert "no corrections" in capsys.readouterr().out
    store = Store(db)
    now = datetime(2026, 11, 23)
    for score, verdict in [(0.30, True), (0.35, True), (0.40, True), (0.45, True), (0.5, True), (0.55, True),
                           (0.1, False), (0.15, False), (0.2, False), (0.05, False), (0.12, False), (0.22, False)]:
        from earful.model import Mention
        m = Mention("x", f"m{score}{verdict}", "u", f"post {score}", now, brand="Acme",
                    enrichment=Enrichment("en", 0.0, "other", False, score, []))
        store.save_page([m], "t", None, now)
        store.add_label(m.text, verdict, "ana", now, platform="x", mention_id=m.id, brand="Acme")
    store.close()
    assert main(["--db", str(db), "calibrate"]) == 0
    assert "Acme: 12 corrections" in capsys.readouterr().out
    threshold = Store(db).brand_thresholds()["Acme"]
    assert 0.22 < threshold <= 0.30
    e = Enrichment("en", 0.0, "other", False, 0.28, ["model score 0.28"])
    apply_threshold(e, threshold)
    assert e.complaint and e.intent == "complaint" and e.reasons[-1].startswith("brand threshold")
    spam = Enrichment("en", 0.0, "spam", False, 0.9, ["looks like phishing"])
    apply_threshold(spam, threshold)
    assert not spam.complaint
