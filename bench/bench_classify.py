"""Benchmark: classify on 40,000 distinct posts versus plain VADER on the same posts; peak memory.

Run: .venv/bin/python bench/bench_classify.py [N] [--stages]
Posts: N (default 40,000) distinct texts taken in turn from each source: the English complaint tweets,
the customer-support tweets (TWCS sample), the labelled multilingual posts, the xlm-t tweets (en, de, es,
fr, it, pt; all splits), SentiRuEval bank and telecom tweets, Chinese delivery and hotel reviews. No
text repeats, so the per-text memo of classify_many never helps (repeated posts only get faster).
Rows: plain VADER (one SentimentIntensityAnalyzer, polarity_scores per text, warmed up); classify_many
in this process (a fresh classifier, batches of 2,000); then both as commands on the same posts as JSONL
through stdin/stdout, each timed as a whole process (start-up, imports, model and kernel-cache load, JSON).
Targets (issue 3): >= 0.6x the posts/s of plain VADER; peak RSS < 600 MB.
"""

from __future__ import annotations

import csv
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import zip_longest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = next((p for p in (ROOT.parent / "shared" / "data", Path("/work/shared/data")) if p.is_dir()),
              ROOT.parent / "shared" / "data")
BATCH = 2000
XLMT = ("english", "german", "spanish", "french", "italian", "portuguese")


def _csv(path: Path, column: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [r[column] for r in csv.DictReader(fh)]


def sources() -> list[list[str]]:
    out = [_csv(SHARED / "complaints" / "complaints-train.csv", "text"),
           _csv(SHARED / "twcs" / "twcs_head_sample.csv", "text")]
    labelled = []
    for part in ("train", "test"):
        for path in sorted((ROOT / "data" / "labelled" / part).glob("*.jsonl")):
            labelled += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
                         if line.strip()]
    out.append(labelled)
    for lang in XLMT:
        out.append([line for split in ("train", "val", "test")
                    for line in (SHARED / "xlmt_sentiment" / lang / f"{split}_text.txt").read_text(
                        encoding="utf-8").splitlines()])
    out.append(_csv(SHARED / "sentirueval2016" / "banks_test_etalon.csv", "text")
               + _csv(SHARED / "sentirueval2016" / "tkk_test_etalon.csv", "text"))
    out.append(_csv(SHARED / "zh" / "waimai_10k.csv", "review") + _csv(SHARED / "zh" / "ChnSentiCorp_htl_all.csv", "review"))
    return out


def posts(n: int = 40_000) -> list[str]:
    """n distinct non-empty texts, one from each source in turn."""
    seen: dict[str, None] = {}
    for row in zip_longest(*sources()):
        for text in row:
            if text and text.strip() and text not in seen:
                seen[text] = None
                if len(seen) == n:
                    return list(seen)
    return list(seen)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stages(clf, texts: list[str]) -> list[tuple[str, float]]:
    """Seconds per stage of classify_many (the same steps, timed one by one)."""
    from earful.sentiment import signals
    from earful.sentiment.batchtokens import Batch
    from earful.sentiment.classifier import _sigmoid
    from earful.sentiment.text import clean, for_model_many

    spent: dict[str, float] = {}
    for i in range(0, len(texts), BATCH):
        batch = texts[i:i + BATCH]
        marks = [("start", time.perf_counter())]
        cleaned = [clean(t) for t in batch]
        marks.append(("clean", time.perf_counter()))
        langs = clf.langid.detect_many(cleaned)
        marks.append(("language (letter words compiled; trigrams, vote, lingua)", time.perf_counter()))
        lows = [t.lower() for t in cleaned]
        tokens = Batch(lows)
        sigs = signals.extract_many(cleaned, lows, langs, None, tokens)
        marks.append(("cues and signals (tokens and cue terms compiled)", time.perf_counter()))
        clf._sentiment_many(sigs, cleaned, lows, tokens)
        marks.append(("sentiment (VADER for en, compiled lexicons)", time.perf_counter()))
        dense = signals.dense_matrix(sigs)
        z = clf.raw_scores(for_model_many(cleaned), dense)
        marks.append(("model text, hashed n-grams (compiled), scores", time.perf_counter()))
        [clf._finish(s, float(p)) for s, p in zip(sigs, _sigmoid(z))]
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


# the child reports its own peak: VmHWM belongs to the process image (ru_maxrss would count the parent's
# memory that fork copied before exec)
_PEAK = ("import sys\n{body}\n"
         "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
         "sys.stderr.write('PEAK %.1f\\n' % (int(hwm) / 1024))\n")
EARFUL_CMD = "from earful import cli\nsys.argv = ['earful', 'classify']\ncli.main()"
VADER_CMD = """import json
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
sia = SentimentIntensityAnalyzer()
for line in sys.stdin:
    sys.stdout.write(json.dumps(sia.polarity_scores(json.loads(line)["text"])) + "\\n")"""


def command_rate(texts: list[str], body: str) -> tuple[float, float, int]:
    """(posts/s, peak RSS MB, output lines) of a Python process reading the texts as JSONL on stdin and
    writing one JSON line per post, timed as a whole (start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "posts.jsonl"
        src.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
        with open(src, "rb") as inp, open(Path(tmp) / "out.jsonl", "wb") as out:
            t = time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", _PEAK.format(body=body)], stdin=inp, stdout=out,
                                  stderr=subprocess.PIPE, check=True, cwd=ROOT, text=True)
            elapsed = time.perf_counter() - t
        lines = sum(1 for _ in open(Path(tmp) / "out.jsonl", encoding="utf-8"))
    peak = float(proc.stderr.rsplit("PEAK", 1)[1])
    return len(texts) / elapsed, peak, lines


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    texts = posts(int(args[0]) if args else 40_000)
    n = len(texts)
    v_rate = vader_rate(texts)
    vader_mem = rss_mb()

    from earful.sentiment import Classifier

    t = time.perf_counter()
    clf = Classifier.load()
    load_s = time.perf_counter() - t
    rate = classify_rate(clf, texts)
    mem = rss_mb()
    vc_rate, vc_mem, v_lines = command_rate(texts, VADER_CMD)
    c_rate, c_mem, lines = command_rate(texts, EARFUL_CMD)
    assert lines == v_lines == n, f"earful classify wrote {lines} lines for {n} posts"

    print(f"posts: {n:,} distinct, batches of {BATCH}; Classifier.load {load_s:.2f} s; model {clf.version}")
    print()
    print("| | posts/s | x VADER | peak RSS MB |")
    print("|---|---:|---:|---:|")
    print(f"| plain VADER (vaderSentiment) | {v_rate:,.0f} | 1.00 | {vader_mem:,.0f} |")
    print(f"| **classify_many (fresh classifier, in process): headline** | {rate:,.0f} | **{rate / v_rate:.2f}** | "
          f"{mem:,.0f} |")
    print(f"| plain VADER as a command (a process: JSONL in, one JSON line out per post) | {vc_rate:,.0f} | "
          f"{vc_rate / v_rate:.2f} | {vc_mem:,.0f} |")
    print(f"| `earful classify` (a process: start-up, JSONL in and out) | {c_rate:,.0f} | {c_rate / v_rate:.2f} "
          f"({c_rate / vc_rate:.2f} of the VADER command) | {c_mem:,.0f} |")
    print()
    print(f"targets: speed >= 0.6x VADER: {'met' if rate >= 0.6 * v_rate else 'NOT met'} ({rate / v_rate:.2f}x in "
          f"process; as commands, start-up included, {c_rate / vc_rate:.2f}x); peak RSS < 600 MB: "
          f"{'met' if max(mem, c_mem) < 600 else 'NOT met'} (in process {mem:,.0f} MB, command {c_mem:,.0f} MB)")
    if "--stages" in sys.argv:
        gc.disable()  # as classify_many does
        try:
            spent = stages(Classifier.load(), texts)
        finally:
            gc.enable()
        total = sum(s for _, s in spent)
        print()
        print(f"stages on the {n:,} posts (fresh classifier: nothing remembered yet)")
        print()
        print("| stage | us/post | share |")
        print("|---|---:|---:|")
        for name, s in spent:
            print(f"| {name} | {s / n * 1e6:.1f} | {s / total:.0%} |")
        print(f"| total (timed separately) | {total / n * 1e6:.1f} | |")


if __name__ == "__main__":
    main()
