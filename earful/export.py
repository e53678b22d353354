"""Parquet snapshots for analysts: readable by any tool while the service keeps the DuckDB file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq

from earful.clock import utcnow
from earful.store import Store


def export_snapshot(store: Store, out_dir: Path, now: datetime | None = None) -> dict[str, tuple[Path, int]]:
    """Write one Parquet file per table into out_dir/<timestamp>/ and refresh out_dir/latest/."""
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    folder = out_dir / stamp
    latest = out_dir / "latest"
    folder.mkdir(parents=True, exist_ok=True)
    latest.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in Store.EXPORTS:
        table = store.export_table(name)
        path = folder / f"{name}.parquet"
        pq.write_table(table, path)
        tmp = latest / f".{name}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.replace(latest / f"{name}.parquet")
        written[name] = (path, table.num_rows)
    return written
