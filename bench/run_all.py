"""Run every benchmark in bench/ (each bench_*.py, in its own process, one after the other) and print their
tables. `make bench` calls this.

    .venv/bin/python bench/run_all.py [--quick] [name ...]

--quick passes --quick to the benchmarks that accept it (shorter runs); names limit the run to those
scripts (e.g. `latency` for bench_latency.py). Exit status: 0 if every benchmark exited 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK_AWARE = {"bench_latency.py"}


def scripts(names: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
        found = [p for p in found if p.stem in wanted or p.name in wanted]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="run every bench/bench_*.py and print their tables")
    parser.add_argument("--quick", action="store_true", help="shorter runs where a benchmark supports it")
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. latency classify)")
    args = parser.parse_args(argv)
    failed = []
    todo = scripts(args.names)
    if not todo:
        print("no benchmark matched", file=sys.stderr)
        return 2
    for path in todo:
        cmd = [sys.executable, str(path)] + (["--quick"] if args.quick and path.name in QUICK_AWARE else [])
        print(f"\n=== {path.name} ({' '.join(['python', *cmd[1:]])})", flush=True)
        start = time.monotonic()
        code = subprocess.call(cmd, cwd=HERE.parent)
        print(f"=== {path.name}: exit {code} after {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(path.name)
    print(f"\n{len(todo) - len(failed)} of {len(todo)} benchmarks passed" +
          (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
