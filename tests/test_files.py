"""`earful import`: TWCS, generic CSV and JSONL, bad rows, encodings, re-imports and a killed import."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from earful.cli import main
from earful.store import Store
from tests.conftest import ODD_TEXTS, TWCS


def run_import(db: Path, path: Path, capsys) -> str:
    assert main(["--db", str(db), "import", str(path)]) == 0
    return capsys.readouterr().out


@pytest.mark.skipif(not TWCS.exists(), reason="../shared/data/twcs is not beside this checkout")
def test_twcs_sample_twice_links_every_reply_exactly(tmp_path, capsys):
    db = tmp_path / "twcs.duckdb"
    out = run_import(db, TWCS, capsys)
    assert "rows read: 5,000" in out
    assert "line 2589" in out  # the one malformed row, reported by its line
    out2 = run_import(db, TWCS, capsys)
    assert "new mentions: 0" in out2
    store = Store(db)
    assert store.mention_count() == 5000
    assert store.scalar("SELECT count(DISTINCT id) FROM mentions") == 5000
    # every customer tweet the brand answered directly belongs to a case of that customer's thread
    answered = store.query_dicts("""
        WITH rep AS (SELECT reply_to_id AS pid, min(created_at) AS t FROM mentions
                     WHERE is_brand AND reply_to_id IS NOT NULL GROUP BY 1)
        SELECT m.id, m.author, m.thread_id, m.created_at, rep.t FROM mentions m JOIN rep ON rep.pid = m.id
        WHERE NOT m.is_brand""")
    assert 2000 <= len(answered) <= 2200
    cases = {(c["thread_id"], c["author"]): c for c in store.query_dicts("SELECT * FROM cases")}
    assert all((a["thread_id"], a["author"]) in cases for a in answered)
    # a case opened on a directly answered tweet has that reply's exact time as its first response
    exact = [(a, cases[(a["thread_id"], a["author"])]) for a in answered
             if cases[(a["thread_id"], a["author"])]["mention_id"] == a["id"]]
    assert len(exact) > 1000
    assert all(c["first_response_at"] == a["t"] for a, c in exact)
    minutes = sorted((a["t"] - a["created_at"]).total_seconds() / 60 for a in answered)
    assert 10 < minutes[len(minutes) // 2] < 13  # the data's median first response, about 11.5 minutes


def test_generic_csv_with_broken_rows_encodings_and_long_text(tmp_path, capsys):
    path = tmp_path / "posts.csv"
    long_text = "très long " * 1100  # about 11 kB
    rows = [
        b"id,author,created_at,text,brand\n",
        b"1,ana,2026-11-01T10:00:00Z,My Acme order is late,Acme\n",
        b"2,ben,2026-11-01T10:05:00Z,\"quoted, with comma\",Acme\n",
        b"3,cat,2026-11-01T10:06:00Z,too,many,fields,here\n",
        "4,dan,2026-11-01T10:07:00Z,Caf\u00e9 cr\u00e8me,Acme\n".encode("cp1252"),
        b"5,eve,not-a-date,bad date,Acme\n",
        f"6,fay,2026-11-01T10:08:00Z,{long_text},Acme\n".encode(),
        b"7,gus,2026-11-01T10:09:00Z,broken across\n",
        b"lines here,Acme\n",
        b"\n",
        f'8,hal,2026-11-01T10:10:00Z,"{ODD_TEXTS[0]} {ODD_TEXTS[1]} {ODD_TEXTS[2]}",Acme\n'.encode(),
    ]
    path.write_bytes(b"".join(rows))
    out = run_import(tmp_path / "g.duckdb", path, capsys)
    assert "line 4: expected 5 fields, found 7 (skipped)" in out
    assert "line 5: not UTF-8; read as Windows-1252" in out
    assert "line 6: unreadable created_at 'not-a-date' (skipped)" in out
    assert "line 8: row broken across lines 8-9" in out
    store = Store(tmp_path / "g.duckdb")
    texts = dict(store.query("SELECT id, text FROM mentions"))
    assert sorted(texts) == ["1", "2", "4", "6", "7", "8"]
    assert texts["4"] == "Café crème"
    assert texts["6"] == long_text
    assert texts["7"] == "broken across\nlines here"
    assert ODD_TEXTS[1] in texts["8"] and "\u200b" in texts["8"]


def test_jsonl_bad_lines_and_stable_ids(tmp_path, capsys):
    path = tmp_path / "posts.jsonl"
    lines = [json.dumps({"text": t, "author": f"u{i}", "created_at": 1767225600 + i, "brand": "Acme"})
             for i, t in enumerate(ODD_TEXTS)]
    lines.insert(2, "{not json")
    lines.insert(3, json.dumps(["a", "list"]))
    lines.append(json.dumps({"text": "lone \ud800 surrogate", "brand": "Acme"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    db = tmp_path / "j.duckdb"
    out = run_import(db, path, capsys)
    assert "line 3: not JSON" in out and "line 4: not a JSON object" in out
    run_import(db, path, capsys)
    store = Store(db)
    assert store.mention_count() == len(ODD_TEXTS) + 1
    stored = {r[0] for r in store.query("SELECT text FROM mentions")}
    for text in ODD_TEXTS:
        assert text.replace("\x00", "") in stored


def test_killed_import_resumes_without_loss_or_duplicates(tmp_path, capsys):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": f"Acme parcel {i} is late again",
                                        "created_at": 1767225600 + i, "brand": "Acme"}) + "\n"
                            for i in range(2500)), encoding="utf-8")
    db = tmp_path / "k.duckdb"
    script = textwrap.dedent(f"""
        import asyncio, os
        from earful.collectors.files import FileCollector
        from earful.config import default_config
        from earful.clock import Clock
        from earful.pipeline import Pipeline
        from earful.sentiment import Classifier
        from earful.store import Store
        store = Store({str(db)!r})
        collector = FileCollector({str(path)!r}, page_size=1000)
        pipeline = Pipeline(store, default_config(), Classifier.load(), Clock(), alerts=False)
        async def go():
            pages = 0
            async for page in collector.pages(store.get_cursor(collector.key)):
                pipeline.ingest(page, collector.key)
                pages += 1
                if pages == 2:
                    os._exit(9)  # killed: no cleanup, no checkpoint
        asyncio.run(go())
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True)
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    store = Store(db)
    assert store.mention_count() == 2000
    store.close()
    out = run_import(db, path, capsys)
    assert "new mentions: 500" in out
    store = Store(db)
    assert store.mention_count() == 2500
    assert store.scalar("SELECT count(DISTINCT id) FROM mentions") == 2500


def test_missing_and_unknown_files_say_what_to_do(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.duckdb"), "import", str(tmp_path / "nope.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    odd = tmp_path / "posts.xlsx"
    odd.write_bytes(b"PK")
    assert main(["--db", str(tmp_path / "x.duckdb"), "import", str(odd)]) == 1
    assert "use .csv or .jsonl" in capsys.readouterr().err
