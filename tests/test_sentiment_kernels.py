"""The compiled kernels (earful/sentiment/kernels.py) give exactly what the regexes and Python loops they
replace give: each is compared with its reference on crafted and seeded random texts."""

from __future__ import annotations

import gc
import random
import re
import zlib

import numpy as np
import pytest

from earful.sentiment import Classifier, cues, features, kernels, lexicon, signals
from earful.sentiment.batchtokens import Batch, hash_of, hashes_of
from earful.sentiment.text import _LETTER_WORDS_RE, clean, denoise, for_model, for_model_many, strip_noise
from tests.conftest import ODD_TEXTS

CRAFTED = [
    "", " ", "a", "don't won’t it's’x l'été d’accord 1'2 _x_ ’’ a' 'b",
    "@Telvia still NOT working!!! refund me #fail http://t.co/x?y=1 www.Example.com/a",
    "ABC×DEF ABCD×e aBCD ÀÉÎ ЖЯЖ ЖЯж __ABC__ A_B_C",
    "order #12345, ticket 987 ²³ ١٢٣ x2y2z2",
    "интернет не работает уже третий день, верните деньги",
    "не працює інтернет, поверніть гроші", "nie działa, zwrot pieniędzy proszę",
    "外卖送错了 退款 不好吃 很难吃 非常失望 不是很好", "届かない 返金してください",
    "😡😡 👎 🙄 thanks a lot 👍❤️", "x\x00y z", "a\ud800b lone surrogate",
    "İstanbul ΣΟΦΟΣ ß straße",
] + ODD_TEXTS


def random_texts(alphabet: str, n: int, seed: int, longest: int = 30) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


MIXED = CRAFTED + random_texts("abcXYZ éßż ЖжїыЁ外卖かな한αβ١२³_'’-.@#/:!?😡👍\t\n\x00", 3000, seed=1)


@pytest.mark.parametrize("mode, regex", [
    (kernels.CUE, cues._TOKEN_RE), (kernels.LEXICON, lexicon.WORD_RE), (kernels.NGRAM, features._WORD_RE),
    (kernels.LETTERS, _LETTER_WORDS_RE),
])
def test_tokenizer_finds_what_the_regex_finds(mode, regex):
    texts = MIXED + [t.lower() for t in MIXED]
    batch = Batch(texts)
    tok = batch.tokens(mode)
    assert [batch.strings(tok, d) for d in range(len(texts))] == [regex.findall(t) for t in texts]
    words = [w for d in range(len(texts)) for w in batch.strings(tok, d)]
    assert tok.hash.tolist() == hashes_of(words).tolist() == [hash_of(w) for w in words]


def test_crc32_is_zlibs_on_utf8():
    words = ["", "a", "héllo", "интернет", "外卖", "😡x", "ß" * 40]
    batch = Batch(words)
    got = [int(kernels.crc32_utf8(batch.cp, s, s + n)) for s, n in zip(batch.start, batch.size)]
    assert got == [zlib.crc32(w.encode("utf-8")) for w in words]


@pytest.mark.parametrize("langs", [("en",), ("pl", "en"), ("ru", "en"), ("uk", "en"), ("zh", "en"), ("fr", "en"),
                                   ("de", "en"), ("ja", "en")])
def test_cue_scan_of_a_batch_equals_the_python_scan(langs):
    ix = cues.index(langs)
    terms = [t.rstrip("*") for lang in langs for cat in cues.CATEGORIES for t in cues.CUES.get(lang, {}).get(cat, ())]
    rng = random.Random(len(langs[0]))
    # texts made of cue terms, their stems with endings, and filler: phrases, prefixes and near misses
    texts = [" ".join(rng.choice(terms + ["x", "no", "not", "still", "ing", "ed", ",", "!"]) +
                      rng.choice(["", "", "s", "ed", "ła"]) for _ in range(rng.randint(0, 12)))
             for _ in range(1500)]
    lows = [t.lower() for t in texts + MIXED]
    found = ix.scan_batch(Batch(lows), list(range(len(lows))))
    assert [found[d] for d in range(len(lows))] == [ix.scan(low, cues.tokens(low)) for low in lows]
    assert sum(1 for f in found.values() if f) > 1000  # the texts do contain cues


def test_lexicon_sums_of_a_batch_equal_the_python_sums():
    clf = Classifier.load()
    rng = random.Random(3)
    checked = []
    for lang, scorer in clf.scorers.items():
        if not scorer.words:  # (English is VADER's)
            continue
        checked.append(lang)
        words = list(scorer.words)[:400] + [p + "xy" for p in list(scorer.prefixes)[:200]]
        extra = list(scorer.negators) + list(scorer.intensifiers) + ["不", "很", "非常", "特别", "没"]
        texts = [(" " if not scorer.cjk else "").join(rng.choice(words + extra + ["a", "1"])
                                                     for _ in range(rng.randint(0, 10))) for _ in range(800)]
        lows = [t.lower() for t in texts + MIXED]
        got = scorer.raw_many(Batch(lows), list(range(len(lows))))
        assert got == [scorer.raw(low) for low in lows], lang
        assert any(got), lang
    assert {"ru", "uk", "pl", "de", "es", "fr", "pt", "zh"} <= set(checked)


def test_character_kernels_equal_their_regexes():
    texts = MIXED + random_texts("ABCDEaé×ÀÉ_1 .!-ЖЯжx😠😀🙄👍外卖", 5000, seed=4, longest=14)
    batch = Batch(texts)
    shouted = kernels.shouted_words(batch.cp, batch.cls, batch.start, batch.size, signals._caps_table())
    counts = kernels.char_counts(batch.cp, batch.start, batch.size, signals._char_table())
    digits = kernels.has_digit_run(batch.cp, batch.cls, batch.start, batch.size, 3)
    words = kernels.word_counts(batch.cp, batch.cls, batch.start, batch.size)
    for d, text in enumerate(texts):
        assert shouted[d] == len(signals._CAPS_RE.findall(text)), text
        neg, pos, roll = cues.emoji_counts(text)
        assert (counts[d, 0], counts[d, 1], counts[d, 2] > 0) == (neg, pos, roll), text
        assert counts[d, 3] == len(signals._CJK_RE.findall(text)), text
        assert digits[d] == (re.search(r"\d{3}", text) is not None), text
        assert words[d] == len(text.split()), text


def test_letter_statistics_equal_the_regex_counts():
    from earful.sentiment import langid

    texts = [denoise(t.lower()) for t in MIXED + ["слово " * 60 + "word " * 60, "x" * 300]]
    batch = Batch(texts)
    tok = batch.tokens(kernels.LETTERS)
    stats = kernels.letter_stats(batch.cp, tok.start, tok.end, tok.first, len(texts), langid._script_table())
    ranges = langid._SCRIPT_RANGES

    def count(text, name):
        return sum(1 for ch in text if any(lo <= ord(ch) <= hi for lo, hi in ranges[name]))

    for d, text in enumerate(texts):
        stripped = " ".join(_LETTER_WORDS_RE.findall(text))  # = strip_noise of the text before denoise
        st = stats[d]
        assert st[kernels.ST_WORDS] == len(stripped.split())
        assert st[kernels.ST_LETTERS] == len(stripped.replace(" ", ""))
        assert bool(st[kernels.ST_NON_ASCII]) == (not stripped.isascii())
        assert st[kernels.ST_HAN] == count(stripped, "han") and st[kernels.ST_KANA] == count(stripped, "kana")
        assert st[kernels.ST_UK] == len(re.findall("[іїєґ]", stripped, re.I))
        assert st[kernels.ST_RU] == len(re.findall("[ыэёъ]", stripped, re.I))
        sample = stripped[:kernels.SAMPLE]
        assert st[kernels.ST_SAMPLE_LEN] == len(sample)
        assert st[kernels.ST_CYR] == count(sample, "cyrillic") and st[kernels.ST_LATIN] == count(sample, "latin")
        assert st[kernels.ST_HAN_SAMPLE] == count(sample, "han")


def test_trigram_scores_over_tokens_equal_the_scores_of_the_stripped_text():
    from earful.sentiment import trigram_lm
    from earful.sentiment.langid import shipped_trigrams

    table = shipped_trigrams()
    texts = [denoise(t.lower()) for t in MIXED]
    batch = Batch(texts)
    tok = batch.tokens(kernels.LETTERS)
    docs = np.arange(len(texts))
    got = kernels.trigram_token_sums(batch.cp, tok.start, tok.end, tok.first, docs, table, trigram_lm.BITS)
    assert np.array_equal(got, trigram_lm.scores(table, [" ".join(_LETTER_WORDS_RE.findall(t)) for t in texts]))
    assert [strip_noise(t.lower()) for t in MIXED] == [" ".join(_LETTER_WORDS_RE.findall(t)) for t in texts]


def test_model_text_of_a_batch_equals_one_by_one():
    texts = [clean(t) for t in MIXED if "\x00" not in t]
    assert for_model_many(texts) == [for_model(t) for t in texts]


def test_dense_matrix_equals_the_rows_of_each_post():
    clf = Classifier.load()
    texts = CRAFTED + ["Shipfast lost my parcel, @parcelly never did", "verify at parcelly-login.com/x now"]
    brand = signals_brand()
    _, _, sigs, dense = clf.prepare(texts, [brand if i % 2 else None for i in range(len(texts))])
    assert np.allclose(dense, np.asarray([s.dense() for s in sigs]), rtol=0, atol=1e-12)


def signals_brand():
    from earful.sentiment.classifier import BrandContext

    return BrandContext("Parcelly", ("parcelly",), ("shipfast",), ("parcel",))


def test_the_cycle_collector_is_paused_for_a_batch_and_resumed_also_on_errors(monkeypatch):
    clf = Classifier.load()
    seen = []
    real = clf.prepare

    def spy(*a, **k):
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr(clf, "prepare", spy)
    assert gc.isenabled()
    clf.classify_many(["still waiting for my refund"])
    assert seen == [False] and gc.isenabled()

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(clf, "prepare", boom)
    with pytest.raises(RuntimeError):
        clf.classify_many(["another post"])
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        monkeypatch.setattr(clf, "prepare", real)
        clf.classify_many(["one more post"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_batch_is_prepared_in_chunks_with_the_same_results(monkeypatch):
    from earful.sentiment import classifier

    texts = CRAFTED + ["!!!!!!!!!!" * 50, "@telvia still no internet, third day", "love it"] * 3
    expected = [e.as_dict() for e in Classifier.load().classify_many(texts)]
    monkeypatch.setattr(classifier, "CHUNK", 4)
    clf = Classifier.load()
    calls = []
    real = clf.prepare
    monkeypatch.setattr(clf, "prepare", lambda *a, **k: calls.append(len(a[0])) or real(*a, **k))
    assert [e.as_dict() for e in clf.classify_many(texts)] == expected
    assert max(calls) == 4 and len(calls) > 5


def test_token_and_match_arrays_grow_past_their_first_guess():
    texts = ["!" * 5000, "refund late " * 1500, ". , ; " * 1000]  # a token per character, a cue per token
    batch = Batch(texts)
    tok = batch.tokens(kernels.CUE)
    assert [len(batch.strings(tok, d)) for d in range(3)] == [len(cues.tokens(t)) for t in texts]
    ix = cues.index(("en",))
    found = ix.scan_batch(batch, [0, 1, 2])
    assert [found[d] for d in range(3)] == [ix.scan(t, cues.tokens(t)) for t in texts]
    alone = ix.scan_batch(batch, [1])  # 3,000 tokens, 3,000 matches: more than tokens / 2 + 16, so it grew
    assert alone[1] == found[1] and len(alone[1]["problem"]) == 3000
