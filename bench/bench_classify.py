"""Benchmark: classify_many on 40,000 posts versus plain VADER on the same posts; peak memory.

Run: .venv/bin/python bench/bench_classify.py [N] [--stages]
Posts: the English complaint tweets, the labelled multilingual posts (if present) and the
SentiRuEval / Chinese / xlm-t texts, cycled to N (default 40,000), in batches of 2,000.
Plain VADER is one SentimentIntensityAnalyzer calling polarity_scores per text, warmed up, on the
same texts. The headline is the DISTINCT posts, each once, with a fresh classifier: that is what a
stream of posts that never repeat costs. The cycled N posts (about 11k distinct repeated to 40k) are a
secondary row only: classify_many remembers repeated posts, so that figure flatters it.
Prints a speed/memory table; --stages adds where classify_many spends its time per computed post.
Targets (issue 3): classify_many >= 0.6x the posts/s of plain VADER (judged on distinct posts);
peak RSS < 600 MB.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = next((p for p in (ROOT.parent / "shared" / "data", Path("/work/shared/data")) if p.is_dir()),
              ROOT.parent / "shared" / "data")
BATCH = 2000


def posts() -> list[str]:
    out = []
    with open(SHARED / "complaints" / "complaints-train.csv", encoding="utf-8") as fh:
        out += [r["text"] for r in csv.DictReader(fh)]
    for path in sorted((ROOT / "data" / "labelled" / "train").glob("*.jsonl")):
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with open(SHARED / "sentirueval2016" / "banks_test_etalon.csv", encoding="utf-8") as fh:
        out += [r["text"] for r in csv.DictReader(fh)][:1500]
    with open(SHARED / "zh" / "waimai_10k.csv", encoding="utf-8") as fh:
        out += [r["review"] for r in csv.DictReader(fh)][:1500]
    for lang in ("german", "spanish", "french", "portuguese"):
        out += (SHARED / "xlmt_sentiment" / lang / "train_text.txt").read_text(encoding="utf-8").splitlines()[:800]
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stages(clf, texts: list[str]) -> list[tuple[str, float]]:
    """Seconds per stage of classify_many (the same steps, timed one by one)."""
    import numpy as np

    from earful.sentiment import features, signals
    from earful.sentiment.text import clean, for_model_many

    spent: dict[str, float] = {}
    for i in range(0, len(texts), BATCH):
        batch = texts[i:i + BATCH]
        marks = [("start", time.perf_counter())]
        cleaned = [clean(t) for t in batch]
        marks.append(("clean", time.perf_counter()))
        langs = clf.langid.detect_many(cleaned)
        marks.append(("language (incl. lingua)", time.perf_counter()))
        lows = [t.lower() for t in cleaned]
        sigs = [signals.extract(t, low, lang, None) for t, low, lang in zip(cleaned, lows, langs)]
        marks.append(("cues and signals", time.perf_counter()))
        for sig, t, low in zip(sigs, cleaned, lows):
            clf._sentiment(sig, t, low)
        marks.append(("sentiment (VADER for en)", time.perf_counter()))
        dense = np.asarray([s.dense() for s in sigs])
        model_texts = for_model_many(cleaned)
        z = features.linear_scores(model_texts, clf.weights) + dense @ clf.dense_w
        marks.append(("hashed n-grams and scores", time.perf_counter()))
        [clf._finish(s, float(p)) for s, p in zip(sigs, z)]
        marks.append(("decision and reasons", time.perf_counter()))
        for (_, t0), (name, t1) in zip(marks, marks[1:]):
            spent[name] = spent.get(name, 0.0) + t1 - t0
    return list(spent.items())


def vader_rate(texts: list[str]) -> float:
    """Posts/s of plain VADER: one SentimentIntensityAnalyzer, polarity_scores per text, warmed up."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    for x in texts[:200]:
        sia.polarity_scores(x)
    t = time.perf_counter()
    for x in texts:
        sia.polarity_scores(x)
    return len(texts) / (time.perf_counter() - t)


def classify_rate(clf, texts: list[str]) -> float:
    clf.classify_many(texts[:200])  # warm up
    t = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        clf.classify_many(texts[i:i + BATCH])
    return len(texts) / (time.perf_counter() - t)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 40_000
    base = posts()
    texts = (base * (n // len(base) + 1))[:n]
    distinct = list(dict.fromkeys(base))
    v_rate = vader_rate(texts)
    vader_mem = rss_mb()

    from earful.sentiment import Classifier
    from earful.sentiment.langid import preload

    t = time.perf_counter()
    clf = Classifier.load()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    preload(clf.languages)
    preload_s = time.perf_counter() - t
    ours_rate = classify_rate(clf, texts)
    ours_mem = rss_mb()
    # the same on distinct posts only, with a fresh classifier: what repeats (memo) do not help
    v_distinct = vader_rate(distinct)
    d_rate = classify_rate(Classifier.load(), distinct)
    d_mem = rss_mb()

    print(f"posts: {len(distinct):,} distinct (cycled to {n:,} for the secondary rows), batches of {BATCH}; "
          f"Classifier.load {load_s:.2f} s, lingua preload {preload_s:.2f} s; model {clf.version}")
    print()
    print("| | posts/s | x VADER | peak RSS MB |")
    print("|---|---:|---:|---:|")
    print(f"| plain VADER (vaderSentiment), {len(distinct):,} distinct posts once | {v_distinct:,.0f} | 1.00 | {vader_mem:,.0f} |")
    print(f"| **classify_many, {len(distinct):,} distinct posts once (fresh classifier): headline** | "
          f"{d_rate:,.0f} | **{d_rate / v_distinct:.2f}** | {d_mem:,.0f} |")
    print(f"| (secondary) plain VADER, {n:,} posts with repeats | {v_rate:,.0f} | 1.00 | |")
    print(f"| (secondary) classify_many, {n:,} posts with repeats (repeats answered from its memo) | "
          f"{ours_rate:,.0f} | {ours_rate / v_rate:.2f} | {ours_mem:,.0f} |")
    print()
    print(f"targets: speed >= 0.6x VADER on distinct posts: {'met' if d_rate >= 0.6 * v_distinct else 'NOT met'} "
          f"({d_rate / v_distinct:.2f}x; {ours_rate / v_rate:.2f}x with repeats, not counted); "
          f"peak RSS < 600 MB: {'met' if max(ours_mem, d_mem) < 600 else 'NOT met'} ({max(ours_mem, d_mem):,.0f} MB)")
    if "--stages" in sys.argv:
        spent = stages(Classifier.load(), distinct)
        n = len(distinct)
        total = sum(s for _, s in spent)
        print()
        print(f"stages on the {n:,} distinct posts once (fresh classifier: nothing remembered yet)")
        print()
        print("| stage | us/post | share |")
        print("|---|---:|---:|")
        for name, s in spent:
            print(f"| {name} | {s / n * 1e6:.1f} | {s / total:.0%} |")
        print(f"| total (timed separately) | {total / n * 1e6:.1f} | |")


if __name__ == "__main__":
    main()
