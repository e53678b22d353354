"""The `earful` command. The only module (with the dashboard) that prints."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from earful import __version__
from earful import config as config_mod
from earful.clock import Clock, utcnow
from earful.config import Config
from earful.errors import ConfigError, EarfulError
from earful.progress import Progress

log = logging.getLogger("earful")


def _config(args: argparse.Namespace, required: bool = False) -> Config:
    path = args.config
    if path is None and Path("earful.toml").is_file():
        path = "earful.toml"
    if path is None:
        if required:
            raise ConfigError("--config", "no configuration file given and no earful.toml here",
                              "run `earful init` to write one, or pass --config FILE")
        return config_mod.default_config()
    return config_mod.load(path)


def _db_path(args: argparse.Namespace, cfg: Config) -> str:
    return args.db or os.environ.get("EARFUL_DB") or cfg.storage.db


def _store(args: argparse.Namespace, cfg: Config):  # noqa: ANN202
    from earful.store import Store
    return Store(_db_path(args, cfg))


# commands ---------------------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if target.exists() and not args.force:
        print(f"{target} exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    text = resources.files("earful").joinpath("earful.example.toml").read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: edit the brands and sources, then run `earful doctor`")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from earful.collectors.files import FileCollector
    from earful.pipeline import Pipeline
    from earful.sentiment import Classifier

    cfg = _config(args)
    store = _store(args, cfg)
    collector = FileCollector(args.file)
    languages = sorted({lang for b in cfg.brands for lang in b.languages}) or None
    classifier = Classifier.load(languages).warmed_up()
    pipeline = Pipeline(store, cfg, classifier, Clock(), alerts=False,
                        default_case_intents=("complaint", "question"))
    progress = Progress()
    started = time.monotonic()
    totals = {"rows": 0, "stored": 0, "opened": 0, "replied": 0, "kept": 0}

    async def run() -> None:
        cursor = store.get_cursor(collector.key)
        async for page in collector.pages(cursor):
            res = pipeline.ingest(page, collector.key)
            totals["stored"] += res.stored
            totals["kept"] += res.kept
            totals["opened"] += len(res.track.opened)
            totals["replied"] += len(res.track.replied)
            totals["rows"] = page.meta.get("rows", totals["rows"])
            rate = totals["rows"] / max(time.monotonic() - started, 1e-6)
            progress(f"importing {collector.path.name}: {totals['rows']:,} rows read, {totals['stored']:,} new "
                     f"mentions, {totals['opened']:,} cases opened ({rate:,.0f} rows/s)")

    asyncio.run(run())
    pipeline.tick(utcnow())
    elapsed = time.monotonic() - started
    progress(f"imported {collector.path.name}: {totals['rows']:,} rows in {elapsed:.1f} s", final=True)
    problems = collector.report.problems
    skipped = sum(1 for p in problems if p.skipped)
    print(f"rows read: {totals['rows']:,}{' (platform x, TWCS layout)' if collector.twcs else ''}")
    print(f"new mentions: {totals['stored']:,} (already stored: {totals['kept'] - totals['stored']:,}); "
          f"mentions in store: {store.mention_count():,}")
    print(f"cases opened: {totals['opened']:,}; linked to a brand reply: {totals['replied']:,}")
    print(f"problems: {len(problems)} ({skipped} rows skipped)")
    for problem in problems[:50]:
        print(f"  {problem}")
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from earful.sentiment import cli_support
    cli_support.classify_stream(sys.stdin, sys.stdout, sys.stderr)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from earful.sentiment import cli_support
    corrections = None
    if args.with_corrections:
        cfg = _config(args)
        store = _store(args, cfg)
        corrections = [{"text": r["text"], "lang": r["lang"], "brand": r["brand"],
                        "is_complaint": r["is_complaint"]} for r in store.labels()]
        print(f"using {len(corrections)} corrections from {store.path}", file=sys.stderr)
    metrics = cli_support.train(Path(args.out) if args.out else None, corrections=corrections,
                                progress=lambda m: print(m, file=sys.stderr), data=args.data)
    print(json.dumps(metrics, indent=2, default=str))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from earful.sentiment import cli_support
    cli_support.evaluate(Path(args.file), sys.stdout)
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    cfg = _config(args)
    store = _store(args, cfg)
    platform, _, mention_id = args.mention.partition(":")
    rows = store.mentions_by_ids(platform, [mention_id]) if mention_id else []
    if not rows:
        print(f"no mention {args.mention!r}; give it as PLATFORM:ID, e.g. x:1234", file=sys.stderr)
        return 1
    m = rows[0]
    is_complaint = args.verdict == "complaint"
    store.add_label(m["text"] or "", is_complaint, args.actor, utcnow(), platform=platform, mention_id=mention_id,
                    lang=m["lang"], brand=m["brand"], origin="cli")
    print(f"labelled {args.mention} as {'a complaint' if is_complaint else 'not a complaint'}; "
          "`earful train --with-corrections` uses it")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from earful.sentiment import cli_support
    cfg = _config(args)
    store = _store(args, cfg)
    by_brand: dict[str, list[dict]] = {}
    for row in store.labels():
        if row["brand"] and row["complaint_score"] is not None:
            by_brand.setdefault(row["brand"], []).append(row)
    if not by_brand:
        print("no corrections with a model score yet: mark posts in the dashboard (Not a complaint, Missed "
              "complaint) or with `earful label`, then run this again")
        return 0
    current = store.brand_thresholds()
    for brand, rows in sorted(by_brand.items()):
        threshold = cli_support.calibrate_threshold(rows)
        store.set_brand_threshold(brand, threshold, len(rows), utcnow())
        before = current.get(brand)
        print(f"{brand}: {len(rows)} corrections; complaint threshold "
              f"{'shipped' if before is None else f'{before:.2f}'} -> {threshold:.2f}")
    print("new posts use these thresholds from now on (a running `earful run` picks them up within a minute)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from earful.export import export_snapshot
    cfg = _config(args)
    store = _store(args, cfg)
    out = Path(args.out or cfg.storage.export_dir)
    written = export_snapshot(store, out)
    for table, (path, rows) in written.items():
        print(f"{table}: {rows:,} rows -> {path}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from earful.doctor import run_doctor
    cfg = _config(args, required=True)
    return run_doctor(cfg, _db_path(args, cfg), print)


def cmd_demo(args: argparse.Namespace) -> int:
    from earful.demo import Demo
    from earful.store import Store
    db = args.db or os.environ.get("EARFUL_DB") or "earful-demo.duckdb"
    if args.fresh and Path(db).exists():
        Path(db).unlink()
        Path(db + ".wal").unlink(missing_ok=True)
    store = Store(db)
    if args.no_dashboard or args.until_idle:
        progress = Progress()
        demo = Demo(store, realtime_step=0.0 if args.until_idle else args.step_seconds,
                    step_minutes=10.0 if args.until_idle else 5.0)
        demo.progress = progress
        print(f"earful demo: sandbox platforms {', '.join(demo.platforms)}; store {db}", file=sys.stderr)
        summary = asyncio.run(demo.run())
        progress("scenario finished", final=True)
        for line in summary.lines():
            print(line)
        return 0
    from earful.service import serve_demo
    return serve_demo(store, db, step_seconds=args.step_seconds, port=args.port)


def cmd_run(args: argparse.Namespace) -> int:
    from earful.service import serve
    cfg = _config(args, required=True)
    store = _store(args, cfg)
    return serve(store, cfg, dashboard=not args.no_dashboard)


# parser -----------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="earful", description="Social brand-reputation monitor: never leave a "
                                     "public complaint unanswered.")
    parser.add_argument("--config", metavar="FILE", help="earful.toml (default: ./earful.toml if present)")
    parser.add_argument("--db", metavar="PATH", help="DuckDB file (default: storage.db from the config)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    parser.add_argument("--version", action="version", version=f"earful {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("demo", help="run the bundled scenario against sandbox platforms (no accounts needed)")
    p.add_argument("--no-dashboard", action="store_true", help="do not serve the dashboard")
    p.add_argument("--until-idle", action="store_true", help="run the scenario to its end as fast as possible, "
                   "print a summary and exit")
    p.add_argument("--fresh", action="store_true", help="delete the demo database first")
    p.add_argument("--step-seconds", type=float, default=0.6,
                   help="real seconds per 5 simulated minutes (default 0.6: a day in about 3 minutes)")
    p.add_argument("--port", type=int, default=8501, help="dashboard port (default 8501)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="run the service: collectors, tracker, alerts and the dashboard")
    p.add_argument("--no-dashboard", action="store_true")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("import", help="import a JSONL or CSV file (the TWCS layout too)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("classify", help="classify JSONL posts from stdin to stdout (no database)")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("train", help="rebuild the complaint model from the bundled and shared data")
    p.add_argument("--out", help="where to write the model (default: the shipped artifact)")
    p.add_argument("--with-corrections", action="store_true", help="also learn from labels in the database")
    p.add_argument("--data", help="folder of the public training data sets (default: $EARFUL_TRAINING_DATA, "
                   "else ../shared/data beside the repository)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="precision, recall and F1 per language on a labelled JSONL file")
    p.add_argument("file")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("label", help="correct the model: mark a stored mention as complaint or not")
    p.add_argument("mention", help="PLATFORM:ID")
    p.add_argument("verdict", choices=["complaint", "not-complaint"])
    p.add_argument("--actor", default=os.environ.get("USER", "cli"))
    p.set_defaults(func=cmd_label)

    p = sub.add_parser("calibrate", help="set each brand's complaint threshold from its corrections")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("export", help="write a Parquet snapshot of mentions and cases")
    p.add_argument("--out", help="folder (default: storage.export_dir)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("doctor", help="check the configuration, credentials and reachability of each source")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("init", help="write a commented starter earful.toml")
    p.add_argument("path", nargs="?", default="earful.toml")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_init)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # the service reports each fetched page (INFO); one-shot commands stay quiet unless asked (-v, -vv)
    base = logging.INFO if args.command == "run" else logging.WARNING
    level = max(logging.DEBUG, base - 10 * min(args.verbose, 2))
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("streamlit", "tornado", "asyncio", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    if args.verbose < 2:  # prawcore warns on every routine token refresh (a 401 it then handles)
        logging.getLogger("prawcore").setLevel(logging.ERROR)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except EarfulError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; everything stored so far is kept, and a rerun resumes", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
