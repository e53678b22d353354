"""Serve the dashboard over an existing DuckDB file: `python -m earful.dashboard.standalone --db PATH`.

For tests and for looking at a database no other process has open (DuckDB lets one process open a
file). It uses the real clock and default SLA settings; `earful run` and `earful demo` are the normal
ways to start the dashboard.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from earful.clock import Clock
from earful.config import Config
from earful.dashboard.context import DashboardContext
from earful.dashboard.launch import run_server
from earful.store import Store
from earful.tracker import Tracker


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m earful.dashboard.standalone", description=__doc__)
    parser.add_argument("--db", required=True, help="DuckDB file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--refresh-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = Store(args.db)
    brands = store.brands()
    ctx = DashboardContext(store=store, tracker=Tracker(store, Config()), clock=Clock(), brands=brands,
                           refresh_seconds=args.refresh_seconds,
                           read_only_note=f"standalone dashboard over {args.db}")
    try:
        run_server(ctx, args.host, args.port)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
