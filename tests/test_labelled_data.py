"""Checks for the hand-written multilingual complaint data in data/labelled/ (see its README)."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "data" / "labelled"
LANGS = ["en", "ru", "pl", "zh", "de", "es", "fr", "uk", "pt"]
SPLITS = {"train": 220, "test": 110}
INTENTS = {"complaint", "question", "praise", "spam", "other"}
TAGS = {
    "sarcasm", "negation", "polite", "emoji_only", "emoji", "competitor", "praise_negative_words", "phishing",
    "ad", "job", "joke", "question_problem", "order_number", "mixed_language", "slang", "typo", "hashtag",
    "news", "plain",
}
FIELDS = {"text": str, "lang": str, "brand": str, "is_complaint": bool, "intent": str, "tags": list}


def load(split: str, lang: str) -> list[dict]:
    path = ROOT / split / f"{lang}.jsonl"
    assert path.is_file(), f"missing {path}"
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path}:{n} blank line"
        rows.append(json.loads(line))
    return rows


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("split", list(SPLITS))
def test_rows_are_valid(split, lang):
    rows = load(split, lang)
    for row in rows:
        assert set(row) == set(FIELDS), row
        for key, typ in FIELDS.items():
            assert isinstance(row[key], typ), (key, row)
        assert row["lang"] == lang, row
        assert row["text"].strip() and row["brand"].strip(), row
        assert row["intent"] in INTENTS, row
        assert row["is_complaint"] == (row["intent"] == "complaint"), row
        assert all(isinstance(t, str) and t in TAGS for t in row["tags"]), row
        assert len(set(row["tags"])) == len(row["tags"]), row
    texts = [norm(r["text"]) for r in rows]
    assert len(texts) == len(set(texts)), f"duplicate texts in {split}/{lang}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("split", list(SPLITS))
def test_counts_and_complaint_share(split, lang):
    rows = load(split, lang)
    assert len(rows) >= SPLITS[split]
    share = sum(r["is_complaint"] for r in rows) / len(rows)
    assert 0.33 <= share <= 0.47, share
    intents = Counter(r["intent"] for r in rows)
    assert set(intents) == INTENTS, intents  # every intent is represented
    assert len({r["brand"] for r in rows}) >= 8  # many sectors, not one brand


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_in_both_splits(lang):
    train = {norm(r["text"]) for r in load("train", lang)}
    test = {norm(r["text"]) for r in load("test", lang)}
    assert not train & test


@pytest.mark.parametrize("lang", LANGS)
def test_phenomena_are_covered(lang):
    rows = load("train", lang) + load("test", lang)
    tags = Counter(t for r in rows for t in r["tags"])
    for tag in ("sarcasm", "negation", "polite", "emoji_only", "competitor", "praise_negative_words",
                "phishing", "question_problem", "order_number"):
        assert tags[tag] >= 3, (lang, tag, tags[tag])
    # hard negatives are labelled as non-complaints
    for r in rows:
        if {"phishing", "ad", "job"} & set(r["tags"]):
            assert r["intent"] == "spam", r
        if "praise_negative_words" in r["tags"] or "competitor" in r["tags"]:
            assert not r["is_complaint"], r


UK_ONLY = re.compile("[іїєґІЇЄҐ]")
RU_ONLY = re.compile("[ыэъёЫЭЪЁ]")


@pytest.mark.parametrize("split", list(SPLITS))
def test_ru_and_uk_are_distinguishable_by_letters(split):
    def share(rows, pattern):
        cyr = [r["text"] for r in rows if re.search("[а-яА-ЯіїєґІЇЄҐ]", r["text"])]
        return sum(bool(pattern.search(t)) for t in cyr) / len(cyr)

    uk, ru = load(split, "uk"), load(split, "ru")
    assert share(uk, UK_ONLY) >= 0.8
    assert share(uk, RU_ONLY) <= 0.05
    assert share(ru, UK_ONLY) <= 0.05
    assert share(ru, RU_ONLY) >= 0.4


def test_train_and_test_use_different_brands():
    for lang in LANGS:
        train = {r["brand"] for r in load("train", lang)}
        test = {r["brand"] for r in load("test", lang)}
        assert not train & test, (lang, train & test)
