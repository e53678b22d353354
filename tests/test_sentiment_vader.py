"""earful.sentiment.vader (VADER's numbers, faster), the batch n-gram scores and the per-post memo."""

from __future__ import annotations

import numpy as np
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from earful.sentiment import Classifier, features
from earful.sentiment.training import SHARED
from earful.sentiment.vader import FastVader

TRICKY = [
    "", "   ", "The book was kind of good.", "Not bad at all", "At least it isn't a horrible book.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁", "no problem, great great but bad bad good",
    "I am never so happy", "without doubt good", "the shit is the bomb yeah right", "GREAT service!!!! NOT",
    "kiss of death is not good but to die for", "sort of nice, kind of bad???", "at least very least good",
]


@pytest.fixture(scope="module")
def pair():
    sia = SentimentIntensityAnalyzer()
    return sia, FastVader(sia)


def test_fast_vader_equals_vader_on_tricky_sentences(pair):
    sia, fv = pair
    for text in TRICKY:
        vs = sia.polarity_scores(text)
        assert fv.scores(text) == (vs["compound"], vs["neg"]), text


def test_fast_vader_equals_vader_on_groundtruth_tweets(pair):
    path = SHARED / "vader_groundtruth" / "tweets_GroundTruth.txt"
    if not path.is_file():
        pytest.skip("../shared/data is not beside this checkout (CI always has it)")
    sia, fv = pair
    texts = [line.split("\t")[2] for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
             if line.count("\t") >= 2]
    assert len(texts) > 4000
    wrong = [t for t in texts if fv.scores(t) != ((vs := sia.polarity_scores(t))["compound"], vs["neg"])]
    assert wrong == []


def test_linear_scores_match_the_training_matrix():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=2 << features.BITS).astype(np.float32)
    texts = ["still waiting for my refund !!", "", "a", "интернет не работает", "外卖送错了 退款", "x\x00y z", "ok ok ok"]
    expected = features.sparse_matrix(texts) @ weights.astype(np.float64)
    assert np.allclose(features.linear_scores(texts, weights), expected, rtol=1e-9, atol=1e-9)


def test_repeated_posts_give_equal_fresh_results():
    clf = Classifier.load()
    texts = ["@telvia still no internet, third day", "love it", "@telvia still no internet, third day"]
    first = clf.classify_many(texts)
    again = clf.classify_many(texts)
    assert [e.as_dict() for e in first] == [e.as_dict() for e in again]
    assert first[0] is not first[2] and first[0] is not again[0]  # fresh objects every time
    first[0].reasons.append("changed by a caller")
    assert "changed by a caller" not in clf.classify(texts[0]).reasons
    odd_hint = clf.classify_many(["I love it, thank you"], None, [["en"]])  # unhashable: not remembered
    assert odd_hint[0].as_dict() == clf.classify("I love it, thank you").as_dict()
