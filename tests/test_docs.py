"""The README is a contract too: its tables, commands and test command must match the code."""

from __future__ import annotations

import re
from pathlib import Path

from earful.cli import build_parser
from earful.store import Store

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented_columns(table: str) -> set[str]:
    section = README.split(f"`{table}`:", 1)[1]
    rows = re.findall(r"^\| ([a-z_, ]+) \|", section.split("\n\n", 2)[1], flags=re.M)
    return {name.strip() for row in rows for name in row.split(",") if name.strip() not in ("column",)}


def test_analyst_tables_match_the_schema(tmp_path):
    store = Store(tmp_path / "d.duckdb")
    for table in ("mentions", "cases"):
        actual = {r[0] for r in store.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])}
        documented = documented_columns(table)
        assert documented <= actual, f"README documents columns {table} does not have: {documented - actual}"
    required = {"platform", "id", "brand", "author", "is_brand", "text", "lang", "url", "created_at", "collected_at",
                "reply_to_id", "thread_id", "sentiment", "intent", "complaint", "complaint_score", "reasons"}
    assert required <= documented_columns("mentions")
    assert {"case_id", "platform", "mention_id", "brand", "state", "priority", "opened_at", "first_response_at",
            "sla_due_at", "sla_breached", "resolved_at", "assignee"} <= documented_columns("cases")


def test_every_documented_command_exists():
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001
    documented = set(re.findall(r"`earful (\w+)", README))
    assert documented <= commands, documented - commands
    assert {"demo", "run", "import", "classify", "export", "doctor", "init"} <= documented


def test_the_two_commands_and_ci_agree():
    assert "make demo" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
