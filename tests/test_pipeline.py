"""The pipeline's own rules: matching and thread membership, one transaction per page, odd text."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from earful import config
from earful.clock import ManualClock
from earful.model import Mention, Page
from earful.pipeline import Pipeline
from earful.sentiment import Classifier
from tests.conftest import ODD_TEXTS

T0 = datetime(2026, 11, 23, 9, 0)
CFG = config.parse({"brands": [{"name": "Acme", "keywords": ["acme"], "exclusions": ["acme careers"],
                                "accounts": {"reddit": ["AcmeSupport"]}}]})


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load(["en", "de", "ru", "pl", "zh", "es", "fr", "uk", "pt"])


class ListCollector:
    """A collector over fixed pages (the Collector shape, for pipeline rules that need no platform)."""

    platform = "reddit"
    poll_interval = 60.0

    def __init__(self, pages: list[list[Mention]], key: str = "list"):
        self.key = key
        self.batches = pages

    async def pages(self, cursor):
        start = int(cursor or 0)
        for i, batch in enumerate(self.batches[start:], start=start + 1):
            yield Page(batch, str(i))

    async def aclose(self) -> None:
        return None


def m(i: str, text: str, minutes: float = 0, author: str = "cust", reply_to: str | None = None,
      thread: str | None = None) -> Mention:
    return Mention("reddit", i, author, text, T0 + timedelta(minutes=minutes), reply_to_id=reply_to,
                   thread_id=thread or reply_to or i, url=f"https://www.reddit.com/{i}")


async def test_keeps_brand_posts_threads_and_drops_the_rest(store, classifier):
    clock = ManualClock(T0 + timedelta(hours=1))
    pipe = Pipeline(store, CFG, classifier, clock, alerts=False)
    collector = ListCollector([[
        m("t3_a", "My acme parcel never arrived, order 4821, please help"),
        m("t1_b", "same here, nobody answers", 1, author="other", reply_to="t3_a", thread="t3_a"),
        m("t1_c", "we are sorry, DM us your order number", 2, author="AcmeSupport", reply_to="t3_a", thread="t3_a"),
        m("t3_d", "totally unrelated post about cats", 3),
        m("t3_e", "Acme careers: we are hiring in Berlin", 4),
        m("t1_f", "a reply in an unrelated thread", 5, reply_to="t3_zzz", thread="t3_zzz"),
    ]])
    assert await pipe.collect_once(collector) == 3
    rows = dict(store.query("SELECT id, is_brand FROM mentions"))
    assert rows == {"t3_a": False, "t1_b": False, "t1_c": True}
    assert store.get_cursor("list") == "1"
    case = store.query_dicts("SELECT mention_id, state, first_response_at FROM cases WHERE mention_id = 't3_a'")[0]
    assert case["state"] == "replied" and case["first_response_at"] == T0 + timedelta(minutes=2)
    # the thread stays tracked on later pages, even without the keyword
    follow = ListCollector([[], [m("t1_g", "still nothing arrived", 30, reply_to="t1_c", thread="t3_a")]])
    await pipe.collect_once(follow)
    assert store.scalar("SELECT brand FROM mentions WHERE id = 't1_g'") == "Acme"


async def test_page_and_cursor_commit_together(store, classifier, monkeypatch):
    clock = ManualClock(T0)
    pipe = Pipeline(store, CFG, classifier, clock, alerts=False)

    def broken(*args, **kwargs):
        raise RuntimeError("tracker crashed")

    monkeypatch.setattr(pipe.tracker, "on_mentions", broken)
    with pytest.raises(RuntimeError):
        await pipe.collect_once(ListCollector([[m("t3_a", "acme is broken again")]]))
    assert store.mention_count() == 0 and store.get_cursor("list") is None  # nothing half-stored
    monkeypatch.undo()
    assert await pipe.collect_once(ListCollector([[m("t3_a", "acme is broken again")]])) == 1
    assert store.get_cursor("list") == "1"


async def test_odd_text_survives_the_whole_pipeline(store, classifier):
    clock = ManualClock(T0)
    pipe = Pipeline(store, CFG, classifier, clock, alerts=False)
    texts = [f"acme {t}" for t in ODD_TEXTS] + ["acme", "acme 📦❌😡", "acme https://example.com/x",
                                                "acme lone \ud800 surrogate", "acme " + "słowo " * 2000]
    posts = [m(f"t3_{i}", t, i) for i, t in enumerate(texts)]
    await pipe.collect_once(ListCollector([posts]))
    rows = dict(store.query("SELECT id, text FROM mentions"))
    assert len(rows) == len(texts)
    for i, text in enumerate(texts):
        expected = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
        assert rows[f"t3_{i}"] == expected
    scores = store.query("SELECT sentiment, complaint_score FROM mentions")
    assert all(-1 <= s <= 1 and 0 <= c <= 1 for s, c in scores)


async def test_recollecting_changes_nothing_and_skips_enrichment(store, classifier, monkeypatch):
    clock = ManualClock(T0)
    pipe = Pipeline(store, CFG, classifier, clock, alerts=False)
    posts = [m(f"t3_{i}", f"acme post {i} is broken") for i in range(30)]
    await pipe.collect_once(ListCollector([posts], key="a"))
    calls = []
    real = classifier.classify_many
    monkeypatch.setattr(classifier, "classify_many", lambda texts, *a: calls.append(len(texts)) or real(texts, *a))
    await pipe.collect_once(ListCollector([posts + [m("t3_new", "acme new one")]], key="b"))
    assert store.mention_count() == 31
    assert calls == [1]  # only the new post was classified
