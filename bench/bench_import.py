"""Import throughput: `earful import` of the TWCS sample and of a synthetic 50,000-post JSONL file.

    .venv/bin/python bench/bench_import.py

Each run uses a new DuckDB file in a temporary folder and a fresh process (so peak memory is the
import's own). Prints rows/s (read, matched, classified, stored and tracked) and peak RSS.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TWCS = ROOT.parent / "shared" / "data" / "twcs" / "twcs_head_sample.csv"

CHILD = """
import resource, sys, time
from earful.cli import main
start = time.perf_counter()
code = main(["--db", sys.argv[1], "import", sys.argv[2]])
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {elapsed:.3f} {peak:.0f}", file=sys.stderr)
sys.exit(code)
"""


def synthetic(path: Path, n: int) -> None:
    rng = random.Random(1)
    words = ["acme", "order", "late", "refund", "thanks", "love", "broken", "app", "login", "help", "still",
             "waiting", "great", "delivery", "support", "why", "again", "fast", "never", "arrived"]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = "Acme " + " ".join(rng.choice(words) for _ in range(rng.randint(5, 25)))
            fh.write(json.dumps({"id": str(i), "author": f"u{rng.randint(1, 5000)}", "text": text,
                                 "created_at": 1767225600 + i * 7, "brand": "Acme"}) + "\n")


def run(db: Path, src: Path) -> tuple[float, float, int]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db), str(src)], capture_output=True, text=True,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("RESULT"))
    _, elapsed, peak = line.split()
    rows = int(next(ln for ln in proc.stdout.splitlines() if ln.startswith("rows read")).split()[2].replace(",", ""))
    return float(elapsed), float(peak), rows


def main() -> None:
    print("| input | rows | seconds | rows/s | peak RSS MB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cases = []
        if TWCS.exists():
            cases.append(("TWCS sample (CSV)", TWCS))
        synth = tmp_path / "synthetic.jsonl"
        synthetic(synth, 50_000)
        cases.append(("synthetic JSONL", synth))
        for name, src in cases:
            elapsed, peak, rows = run(tmp_path / f"{src.stem}.duckdb", src)
            print(f"| {name} | {rows:,} | {elapsed:.1f} | {rows / elapsed:,.0f} | {peak:.0f} |")
            elapsed2, _, _ = run(tmp_path / f"{src.stem}.duckdb", src)
            print(f"| {name}, again (all duplicates) | {rows:,} | {elapsed2:.1f} | {rows / elapsed2:,.0f} | |")


if __name__ == "__main__":
    main()
