"""Benchmark: classify_many on 40,000 posts versus plain VADER on the same posts; peak memory.

Run: .venv/bin/python bench/bench_classify.py [N]
Posts: the English complaint tweets, the labelled multilingual posts (if present) and the
SentiRuEval / Chinese / xlm-t texts, cycled to N (default 40,000). Prints a small table.
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
SHARED = Path("/work/shared/data")


def posts() -> list[str]:
    out = []
    with open(SHARED / "complaints" / "complaints-train.csv", encoding="utf-8") as fh:
        out += [r["text"] for r in csv.DictReader(fh)]
    for path in sorted((ROOT / "data" / "labelled" / "train").glob("*.jsonl")):
        out += [json.loads(l)["text"] for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    with open(SHARED / "sentirueval2016" / "banks_test_etalon.csv", encoding="utf-8") as fh:
        out += [r["text"] for r in csv.DictReader(fh)][:1500]
    with open(SHARED / "zh" / "waimai_10k.csv", encoding="utf-8") as fh:
        out += [r["review"] for r in csv.DictReader(fh)][:1500]
    for lang in ("german", "spanish", "french", "portuguese"):
        out += (SHARED / "xlmt_sentiment" / lang / "train_text.txt").read_text(encoding="utf-8").splitlines()[:800]
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    base = posts()
    texts = (base * (n // len(base) + 1))[:n]
    rows = []
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    t = time.perf_counter()
    for x in texts:
        sia.polarity_scores(x)
    vader_s = time.perf_counter() - t
    rows.append(("plain VADER", n / vader_s, rss_mb()))

    from earful.sentiment import Classifier
    from earful.sentiment.langid import preload

    t = time.perf_counter()
    clf = Classifier.load()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    preload(clf.languages)
    preload_s = time.perf_counter() - t
    clf.classify_many(texts[:200])  # warm up
    t = time.perf_counter()
    for i in range(0, n, 2000):
        clf.classify_many(texts[i:i + 2000])
    ours_s = time.perf_counter() - t
    rows.append(("classify_many", n / ours_s, rss_mb()))

    print(f"posts: {n} ({len(base)} distinct), Classifier.load {load_s:.2f} s, lingua preload {preload_s:.2f} s")
    print(f"{'':<16}{'posts/s':>10}{'peak RSS MB':>13}")
    for name, rate, mem in rows:
        print(f"{name:<16}{rate:>10.0f}{mem:>13.0f}")
    print(f"speed ratio classify_many / VADER: {rows[1][1] / rows[0][1]:.2f} (target >= 0.6); "
          f"peak memory {rows[1][2]:.0f} MB (target < 600)")


if __name__ == "__main__":
    main()
