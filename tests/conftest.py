from __future__ import annotations

from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from earful.clock import ManualClock
from earful.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TWCS = SHARED / "data" / "twcs" / "twcs_head_sample.csv"

ODD_TEXTS = [
    "emoji 📦❌😡👩‍👩‍👧 flags 🇵🇱",
    "RTL: הזמנה שלי לא הגיעה ومازلت أنتظر",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "control \x01\x07\x1b[31m chars \x7f",
    "x" * 10_240,
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 9, 0, 0))


@pytest.fixture
async def session() -> aiohttp.ClientSession:
    """One HTTP session per test, as collectors receive theirs from the pipeline."""
    async with aiohttp.ClientSession() as s:
        yield s


async def collect(collector, cursor: str | None = None) -> list:  # noqa: ANN001
    """Every page a collector yields until it is caught up."""
    return [page async for page in collector.pages(cursor)]


def ids(pages: list) -> list[str]:
    return [m.id for p in pages for m in p.mentions]
