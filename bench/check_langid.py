"""Language-ID check: right / und / wrong per language on posts of known language.

Run: .venv/bin/python bench/check_langid.py
Posts: the English complaint tweets, the xlm-t test tweets (en, de, es, fr, it, pt), the SentiRuEval
telecom tweets (ru) and the labelled training posts (their `lang`), no language hints.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = next((p for p in (ROOT.parent / "shared" / "data", Path("/work/shared/data")) if p.is_dir()),
              ROOT.parent / "shared" / "data")
XLMT = {"english": "en", "german": "de", "spanish": "es", "french": "fr", "italian": "it", "portuguese": "pt"}


def posts() -> list[tuple[str, str]]:
    out = []
    with open(SHARED / "complaints" / "complaints-train.csv", encoding="utf-8") as fh:
        out += [(r["text"], "en") for r in csv.DictReader(fh)]
    for name, lang in XLMT.items():
        out += [(t, lang) for t in (SHARED / "xlmt_sentiment" / name / "test_text.txt").read_text(
            encoding="utf-8").splitlines()]
    with open(SHARED / "sentirueval2016" / "tkk_test_etalon.csv", encoding="utf-8") as fh:
        out += [(r["text"], "ru") for r in csv.DictReader(fh)]
    for path in sorted((ROOT / "data" / "labelled" / "train").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["text"], row["lang"]))
    return out


def main() -> None:
    from earful.sentiment.langid import LanguageId

    data = posts()
    got = LanguageId().detect_many([t for t, _ in data])
    tally: dict[str, Counter] = {}
    for (_, gold), lang in zip(data, got):
        tally.setdefault(gold, Counter())["right" if lang == gold else "und" if lang == "und" else "wrong"] += 1
    print(f"{len(data):,} posts of known language")
    print("| language | posts | right | und | wrong |")
    print("|---|---:|---:|---:|---:|")
    for gold in sorted(tally):
        c = tally[gold]
        n = sum(c.values())
        print(f"| {gold} | {n:,} | {c['right'] / n:.3f} | {c['und'] / n:.3f} | {c['wrong'] / n:.3f} |")


if __name__ == "__main__":
    main()
