"""The one module that runs SQL against the DuckDB file (the dashboard's data.py only reads).

One process owns the file. Each thread gets its own cursor (`Store.con`), as duckdb requires.
Schema changes are numbered migrations applied at open. Mentions go in as Arrow batches with
insert-or-ignore on (platform, id); a collector's cursor is written in the same transaction as the
page it belongs to.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from earful.errors import EarfulError
from earful.model import Mention

log = logging.getLogger(__name__)

MIGRATIONS: list[str] = [
    # 1: the spine
    """
    CREATE TABLE mentions (
        platform VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        brand VARCHAR,
        author VARCHAR,
        author_id VARCHAR,
        is_brand BOOLEAN NOT NULL DEFAULT false,
        text VARCHAR,
        lang VARCHAR,
        url VARCHAR,
        created_at TIMESTAMP,
        collected_at TIMESTAMP,
        reply_to_id VARCHAR,
        thread_id VARCHAR,
        sentiment DOUBLE,
        intent VARCHAR,
        complaint BOOLEAN,
        complaint_score DOUBLE,
        reasons VARCHAR[],
        model_version VARCHAR,
        source VARCHAR,
        raw VARCHAR,
        PRIMARY KEY (platform, id)
    );
    CREATE TABLE cursors (
        source VARCHAR PRIMARY KEY,
        cursor VARCHAR,
        updated_at TIMESTAMP
    );
    CREATE SEQUENCE case_ids START 1;
    CREATE TABLE cases (
        case_id BIGINT PRIMARY KEY DEFAULT nextval('case_ids'),
        platform VARCHAR NOT NULL,
        mention_id VARCHAR NOT NULL,
        brand VARCHAR,
        author VARCHAR,
        thread_id VARCHAR,
        lang VARCHAR,
        state VARCHAR NOT NULL,
        priority INTEGER,
        opened_at TIMESTAMP,
        clock_started_at TIMESTAMP,
        first_response_at TIMESTAMP,
        last_response_at TIMESTAMP,
        sla_due_at TIMESTAMP,
        sla_warned BOOLEAN NOT NULL DEFAULT false,
        sla_breached BOOLEAN NOT NULL DEFAULT false,
        sla_escalated BOOLEAN NOT NULL DEFAULT false,
        resolved_at TIMESTAMP,
        assignee VARCHAR,
        state_reason VARCHAR,
        updated_at TIMESTAMP,
        UNIQUE (platform, mention_id)
    );
    CREATE SEQUENCE event_ids START 1;
    CREATE TABLE case_events (
        event_id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
        case_id BIGINT NOT NULL,
        occurred_at TIMESTAMP NOT NULL,
        kind VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        reason VARCHAR,
        mention_id VARCHAR
    );
    CREATE SEQUENCE alert_ids START 1;
    CREATE TABLE outbox (
        alert_id BIGINT PRIMARY KEY DEFAULT nextval('alert_ids'),
        dedupe_key VARCHAR NOT NULL UNIQUE,
        case_id BIGINT,
        kind VARCHAR NOT NULL,
        route VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMP NOT NULL,
        delivered_at TIMESTAMP,
        failed_at TIMESTAMP,
        last_error VARCHAR
    );
    CREATE SEQUENCE label_ids START 1;
    CREATE TABLE labels (
        label_id BIGINT PRIMARY KEY DEFAULT nextval('label_ids'),
        platform VARCHAR,
        mention_id VARCHAR,
        text VARCHAR NOT NULL,
        lang VARCHAR,
        brand VARCHAR,
        is_complaint BOOLEAN NOT NULL,
        actor VARCHAR NOT NULL,
        labeled_at TIMESTAMP NOT NULL,
        origin VARCHAR
    );
    CREATE TABLE source_status (
        source VARCHAR PRIMARY KEY,
        platform VARCHAR,
        last_success_at TIMESTAMP,
        last_error_at TIMESTAMP,
        last_error VARCHAR,
        pages BIGINT NOT NULL DEFAULT 0,
        fetched BIGINT NOT NULL DEFAULT 0,
        stored BIGINT NOT NULL DEFAULT 0,
        errors BIGINT NOT NULL DEFAULT 0,
        meta VARCHAR
    );
    """,
    # 2: coverage (earful/coverage.py): when a source's current run of errors began (NULL while healthy)
    """
    ALTER TABLE source_status ADD COLUMN failing_since TIMESTAMP;
    """,
    # 3: per-brand complaint thresholds calibrated from corrections (`earful calibrate`)
    """
    CREATE TABLE brand_thresholds (
        brand VARCHAR PRIMARY KEY,
        threshold DOUBLE NOT NULL,
        labels INTEGER NOT NULL,
        computed_at TIMESTAMP NOT NULL
    );
    """,
]

MENTION_SCHEMA = pa.schema([
    ("platform", pa.string()), ("id", pa.string()), ("brand", pa.string()), ("author", pa.string()),
    ("author_id", pa.string()), ("is_brand", pa.bool_()), ("text", pa.string()), ("lang", pa.string()),
    ("url", pa.string()), ("created_at", pa.timestamp("us")), ("collected_at", pa.timestamp("us")),
    ("reply_to_id", pa.string()), ("thread_id", pa.string()), ("sentiment", pa.float64()),
    ("intent", pa.string()), ("complaint", pa.bool_()), ("complaint_score", pa.float64()),
    ("reasons", pa.list_(pa.string())), ("model_version", pa.string()), ("source", pa.string()),
    ("raw", pa.string()),
])

CASE_COLUMNS = ("case_id", "platform", "mention_id", "brand", "author", "thread_id", "lang", "state", "priority",
                "opened_at", "clock_started_at", "first_response_at", "last_response_at", "sla_due_at",
                "sla_warned", "sla_breached", "sla_escalated", "resolved_at", "assignee", "state_reason",
                "updated_at")

CASE_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("platform", pa.string()), ("mention_id", pa.string()), ("brand", pa.string()),
    ("author", pa.string()), ("thread_id", pa.string()), ("lang", pa.string()), ("state", pa.string()),
    ("priority", pa.int32()), ("opened_at", pa.timestamp("us")), ("clock_started_at", pa.timestamp("us")),
    ("first_response_at", pa.timestamp("us")), ("last_response_at", pa.timestamp("us")),
    ("sla_due_at", pa.timestamp("us")), ("sla_warned", pa.bool_()), ("sla_breached", pa.bool_()),
    ("sla_escalated", pa.bool_()), ("resolved_at", pa.timestamp("us")), ("assignee", pa.string()),
    ("state_reason", pa.string()), ("updated_at", pa.timestamp("us")),
])
EVENT_SCHEMA = pa.schema([
    ("case_id", pa.int64()), ("occurred_at", pa.timestamp("us")), ("kind", pa.string()), ("actor", pa.string()),
    ("reason", pa.string()), ("mention_id", pa.string()),
])
CASE_MUTABLE = ("state", "priority", "clock_started_at", "first_response_at", "last_response_at", "sla_due_at",
                "sla_warned", "sla_breached", "sla_escalated", "resolved_at", "assignee", "state_reason",
                "updated_at")


def _clean(text: str | None) -> str | None:
    """Strings must be valid UTF-8 for DuckDB: replace lone surrogates, drop NULs."""
    if text is None:
        return None
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _raw_json(raw: dict[str, Any] | None) -> str | None:
    if raw is None:
        return None
    return _clean(json.dumps(raw, ensure_ascii=False, default=str))


def mention_rows(mentions: Sequence[Mention]) -> pa.Table:
    cols: dict[str, list[Any]] = {name: [] for name in MENTION_SCHEMA.names}
    for m in mentions:
        e = m.enrichment
        cols["platform"].append(m.platform)
        cols["id"].append(m.id)
        cols["brand"].append(m.brand)
        cols["author"].append(_clean(m.author))
        cols["author_id"].append(m.author_id)
        cols["is_brand"].append(bool(m.is_brand))
        cols["text"].append(_clean(m.text))
        cols["lang"].append(e.lang if e else m.lang_hint)
        cols["url"].append(_clean(m.url))
        cols["created_at"].append(m.created_at)
        cols["collected_at"].append(m.collected_at)
        cols["reply_to_id"].append(m.reply_to_id)
        cols["thread_id"].append(m.thread_id or m.id)
        cols["sentiment"].append(e.sentiment if e else None)
        cols["intent"].append(e.intent if e else None)
        cols["complaint"].append(e.complaint if e else None)
        cols["complaint_score"].append(e.complaint_score if e else None)
        cols["reasons"].append([_clean(r) for r in e.reasons] if e else None)
        cols["model_version"].append(e.model_version if e else None)
        cols["source"].append(m.source)
        cols["raw"].append(_raw_json(m.raw))
    return pa.table(cols, schema=MENTION_SCHEMA)


def _chunks(items: list[str], size: int = 5000) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class StoreError(EarfulError):
    pass


class Store:
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._root = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(
                f"cannot open {self.path}: {exc}. Only one process can open a DuckDB file; stop the other "
                f"earful process (or use the dashboard's SQL page / `earful export`) and try again") from None
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if not read_only:
            self.migrate()

    # connections -------------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._root.cursor()
            self._local.con = con
        return con

    def close(self) -> None:
        self._root.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction; nested calls join the outer one (so a page, its cursor, its cases and
        their alerts commit together)."""
        with self._write_lock:
            con = self.con
            depth = getattr(self._local, "depth", 0)
            if depth:
                self._local.depth = depth + 1
                try:
                    yield con
                finally:
                    self._local.depth = depth
                return
            con.begin()
            self._local.depth = 1
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            else:
                con.commit()
            finally:
                self._local.depth = 0

    def migrate(self) -> int:
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
        current = int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])
        for number, sql in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with self.transaction() as tx:
                for statement in filter(None, (s.strip() for s in sql.split(";"))):
                    tx.execute(statement)
                tx.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [number])
            log.info("applied migration %d", number)
        return len(MIGRATIONS)

    # generic reads -------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def query_dicts(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    # mentions and cursors ------------------------------------------------------------------------
    def existing_ids(self, platform: str, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT id FROM mentions WHERE platform = ? AND id IN (SELECT unnest(?::VARCHAR[]))",
            [platform, ids]).fetchall()
        return {r[0] for r in rows}

    def known_threads(self, platform: str, ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """For ids that are stored mentions: id -> (brand, thread_id)."""
        ids = [i for i in ids if i]
        if not ids:
            return {}
        rows = self.con.execute(
            "SELECT id, brand, thread_id FROM mentions WHERE platform = ? AND id IN (SELECT unnest(?::VARCHAR[]))",
            [platform, ids]).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def save_page(self, mentions: Sequence[Mention], source: str, cursor: str | None,
                  now: datetime, fetched: int | None = None) -> int:
        """Store a page of mentions and the collector's cursor in one transaction; returns rows added."""
        table = mention_rows(mentions)
        with self.transaction() as tx:
            before = tx.execute("SELECT count(*) FROM mentions").fetchall()[0][0]
            if table.num_rows:
                tx.register("mention_batch", table)
                try:
                    tx.execute("INSERT INTO mentions BY NAME SELECT * FROM mention_batch ON CONFLICT DO NOTHING")
                finally:
                    tx.unregister("mention_batch")
            added = tx.execute("SELECT count(*) FROM mentions").fetchall()[0][0] - before
            if cursor is not None:
                tx.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", [source, cursor, now])
            tx.execute(
                """INSERT INTO source_status (source, platform, last_success_at, pages, fetched, stored)
                   VALUES (?, ?, ?, 1, ?, ?)
                   ON CONFLICT (source) DO UPDATE SET last_success_at = excluded.last_success_at,
                       pages = source_status.pages + 1, fetched = source_status.fetched + excluded.fetched,
                       stored = source_status.stored + excluded.stored""",
                [source, mentions[0].platform if mentions else None, now,
                 fetched if fetched is not None else len(mentions), added])
        return int(added)

    def save_cursor(self, source: str, cursor: str, now: datetime) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", [source, cursor, now])

    def get_cursor(self, source: str) -> str | None:
        return self.scalar("SELECT cursor FROM cursors WHERE source = ?", [source])

    def record_source_error(self, source: str, platform: str, error: str, now: datetime) -> None:
        with self.transaction() as tx:
            tx.execute(
                """INSERT INTO source_status (source, platform, last_error_at, last_error, errors)
                   VALUES (?, ?, ?, ?, 1)
                   ON CONFLICT (source) DO UPDATE SET last_error_at = excluded.last_error_at,
                       last_error = excluded.last_error, errors = source_status.errors + 1""",
                [source, platform, now, error[:500]])

    def mentions_by_ids(self, platform: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        ids = list(ids)
        if not ids:
            return []
        return self.query_dicts(
            """SELECT platform, id, brand, author, is_brand, text, lang, url, created_at, reply_to_id, thread_id,
                      sentiment, intent, complaint, complaint_score, reasons
               FROM mentions WHERE platform = ? AND id IN (SELECT unnest(?::VARCHAR[]))""", [platform, ids])

    def mention_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM mentions"))

    def brands(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT brand FROM mentions WHERE brand IS NOT NULL ORDER BY 1")]

    def totals(self) -> dict[str, Any]:
        """What a run produced: mentions per platform, cases per state, alerts per delivery state."""
        return {
            "mentions_by_platform": dict(self.query("SELECT platform, count(*) FROM mentions GROUP BY 1")),
            "cases_by_state": dict(self.query("SELECT state, count(*) FROM cases GROUP BY 1")),
            "alerts_delivered_by_kind": dict(self.query(
                "SELECT kind, count(*) FROM outbox WHERE delivered_at IS NOT NULL GROUP BY kind")),
            "alerts_pending": self.pending_alerts(),
            "alerts_failed": int(self.scalar("SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL")),
        }

    EXPORTS = {
        "mentions": "SELECT * EXCLUDE (raw) FROM mentions ORDER BY created_at",
        "cases": "SELECT * FROM cases ORDER BY opened_at",
        "case_events": "SELECT * FROM case_events ORDER BY occurred_at, event_id",
    }

    def export_table(self, name: str) -> pa.Table:
        """One of the analysts' tables as Arrow, for Parquet snapshots."""
        return self.con.sql(self.EXPORTS[name]).to_arrow_table()  # a constant query, no parameters

    # cases ----------------------------------------------------------------------------------------
    def next_case_id(self) -> int:
        pool = getattr(self._local, "case_ids", None)
        if not pool:
            pool = [r[0] for r in self.con.execute("SELECT nextval('case_ids') FROM range(256)").fetchall()]
            pool.reverse()
            self._local.case_ids = pool
        return int(pool.pop())

    def write_cases(self, new: Sequence[dict[str, Any]], changed: Sequence[dict[str, Any]],
                    events: Sequence[dict[str, Any]]) -> None:
        """The tracker's batch: insert new cases, update changed ones, append events (one statement each)."""
        with self.transaction() as tx:
            if new:
                tx.register("case_batch", pa.Table.from_pylist(
                    [{k: c.get(k) for k in CASE_SCHEMA.names} for c in new], schema=CASE_SCHEMA))
                try:
                    tx.execute("INSERT INTO cases BY NAME SELECT * FROM case_batch ON CONFLICT DO NOTHING")
                finally:
                    tx.unregister("case_batch")
            if changed:
                tx.register("case_changes", pa.Table.from_pylist(
                    [{k: c.get(k) for k in CASE_SCHEMA.names} for c in changed], schema=CASE_SCHEMA))
                sets = ", ".join(f"{name} = b.{name}" for name in CASE_MUTABLE)  # our own constant names
                try:
                    tx.execute(f"UPDATE cases SET {sets} FROM case_changes b WHERE cases.case_id = b.case_id")
                finally:
                    tx.unregister("case_changes")
            if events:
                tx.register("event_batch", pa.Table.from_pylist(
                    [{k: _clean(e.get(k)) if isinstance(e.get(k), str) else e.get(k) for k in EVENT_SCHEMA.names}
                     for e in events], schema=EVENT_SCHEMA))
                try:
                    tx.execute("INSERT INTO case_events BY NAME SELECT * FROM event_batch")
                finally:
                    tx.unregister("event_batch")

    def update_case(self, case_id: int, **values: Any) -> None:
        bad = set(values) - set(CASE_COLUMNS)
        if bad:
            raise ValueError(f"not case columns: {bad}")
        sets = ", ".join(f"{name} = ?" for name in values)  # names checked against CASE_COLUMNS above
        self.con.execute(f"UPDATE cases SET {sets} WHERE case_id = ?", [*values.values(), case_id])

    def case(self, case_id: int) -> dict[str, Any] | None:
        rows = self.query_dicts(f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE case_id = ?", [case_id])
        return rows[0] if rows else None

    def cases_needing_sla_check(self, now: datetime) -> list[dict[str, Any]]:
        return self.query_dicts(
            f"""SELECT {', '.join(CASE_COLUMNS)} FROM cases
                WHERE state = 'needs_reply' AND NOT sla_escalated AND clock_started_at <= ?
                ORDER BY sla_due_at""", [now])

    def add_event(self, case_id: int, at: datetime, kind: str, actor: str = "earful",
                  reason: str | None = None, mention_id: str | None = None) -> None:
        self.con.execute("INSERT INTO case_events (case_id, occurred_at, kind, actor, reason, mention_id) VALUES (?, ?, ?, ?, ?, ?)",
                         [case_id, at, kind, actor, _clean(reason), mention_id])

    def case_alert_context(self, case_id: int) -> dict[str, Any] | None:
        rows = self.query_dicts(
            """SELECT c.case_id, c.brand, c.platform, c.priority, c.opened_at, c.sla_due_at, c.state,
                      m.author, m.text, m.url, m.lang, m.reasons, m.complaint_score
               FROM cases c JOIN mentions m ON m.platform = c.platform AND m.id = c.mention_id
               WHERE c.case_id = ?""", [case_id])
        return rows[0] if rows else None

    def thread_mentions_many(self, platform: str, thread_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in _chunks(sorted(set(thread_ids))):
            for row in self.query_dicts(
                    """SELECT id, author, is_brand, reply_to_id, thread_id, created_at, complaint, sentiment, intent,
                              lang, complaint_score
                       FROM mentions WHERE platform = ? AND thread_id IN (SELECT unnest(?::VARCHAR[]))
                       ORDER BY created_at, id""", [platform, chunk]):
                out.setdefault(row["thread_id"], []).append(row)
        return out

    def cases_for_threads(self, platform: str, thread_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in _chunks(sorted(set(thread_ids))):
            for row in self.query_dicts(
                    f"""SELECT {', '.join(CASE_COLUMNS)} FROM cases
                        WHERE platform = ? AND thread_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY opened_at""",
                    [platform, chunk]):
                out.setdefault(row["thread_id"], []).append(row)
        return out

    # labels ---------------------------------------------------------------------------------------
    def add_label(self, text: str, is_complaint: bool, actor: str, at: datetime, platform: str | None = None,
                  mention_id: str | None = None, lang: str | None = None, brand: str | None = None,
                  origin: str = "cli") -> None:
        self.con.execute(
            """INSERT INTO labels (platform, mention_id, text, lang, brand, is_complaint, actor, labeled_at, origin)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [platform, mention_id, _clean(text), lang, brand, is_complaint, actor, at, origin])

    def labels(self) -> list[dict[str, Any]]:
        return self.query_dicts(
            """SELECT l.text, l.lang, l.brand, l.is_complaint, l.actor, l.labeled_at, l.origin, m.complaint_score
               FROM labels l LEFT JOIN mentions m ON m.platform = l.platform AND m.id = l.mention_id
               ORDER BY l.label_id""")

    def set_brand_threshold(self, brand: str, threshold: float, labels: int, now: datetime) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO brand_thresholds VALUES (?, ?, ?, ?)", [brand, threshold, labels, now])

    def brand_thresholds(self) -> dict[str, float]:
        return {r[0]: float(r[1]) for r in self.query("SELECT brand, threshold FROM brand_thresholds")}

    def customer_mention(self, platform: str, mention_id: str) -> dict[str, Any] | None:
        rows = self.query_dicts(
            """SELECT platform, id, brand, author, is_brand, text, lang, created_at, thread_id, complaint_score
               FROM mentions WHERE platform = ? AND id = ?""", [platform, mention_id])
        return rows[0] if rows else None

    # outbox ---------------------------------------------------------------------------------------
    def enqueue_alert(self, dedupe_key: str, case_id: int | None, kind: str, route: str, payload: dict[str, Any],
                      now: datetime) -> bool:
        rows = self.con.execute(
            """INSERT INTO outbox (dedupe_key, case_id, kind, route, payload, created_at, next_attempt_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING alert_id""",
            [dedupe_key, case_id, kind, route, json.dumps(payload, ensure_ascii=False), now, now]).fetchall()
        return bool(rows)

    def due_alerts(self, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
        return self.query_dicts(
            """SELECT alert_id, dedupe_key, case_id, kind, route, payload, attempts FROM outbox
               WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
               ORDER BY next_attempt_at, alert_id LIMIT ?""", [now, limit])

    def pending_alerts(self) -> int:
        return int(self.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"))

    def next_alert_due(self) -> datetime | None:
        return self.scalar("SELECT min(next_attempt_at) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")

    def mark_alert(self, alert_id: int, *, delivered_at: datetime | None = None, failed_at: datetime | None = None,
                   next_attempt_at: datetime | None = None, error: str | None = None) -> None:
        with self.transaction() as tx:
            tx.execute(
                """UPDATE outbox SET attempts = attempts + 1,
                       delivered_at = coalesce(?, delivered_at), failed_at = coalesce(?, failed_at),
                       next_attempt_at = coalesce(?, next_attempt_at), last_error = ?
                   WHERE alert_id = ?""",
                [delivered_at, failed_at, next_attempt_at, _clean(error), alert_id])


    # coverage (earful/coverage.py) ------------------------------------------------------------------
    def record_source_ok(self, source: str, platform: str, now: datetime,
                         meta: dict[str, Any] | None = None) -> None:
        """A fetch that worked (even if it found nothing new): last_success_at, end of any failure run, and
        the collector's small numeric meta (e.g. X's monthly read budget) when given."""
        with self.transaction() as tx:
            tx.execute(
                """INSERT INTO source_status (source, platform, last_success_at, meta) VALUES (?, ?, ?, ?)
                   ON CONFLICT (source) DO UPDATE SET last_success_at = excluded.last_success_at,
                       platform = coalesce(source_status.platform, excluded.platform),
                       failing_since = NULL, meta = coalesce(excluded.meta, source_status.meta)""",
                [source, platform, now, json.dumps(meta, sort_keys=True) if meta else None])

    def mark_source_failing(self, source: str, platform: str, now: datetime) -> None:
        """Remember when the current run of errors began (kept until record_source_ok)."""
        with self.transaction() as tx:
            tx.execute(
                """INSERT INTO source_status (source, platform, failing_since) VALUES (?, ?, ?)
                   ON CONFLICT (source) DO UPDATE SET
                       failing_since = coalesce(source_status.failing_since, excluded.failing_since)""",
                [source, platform, now])

    def source_coverage(self, now: datetime, day_start: datetime) -> list[dict[str, Any]]:
        """Per source (every source_status row and every source that stored mentions): status columns, the
        newest stored mention, mentions created since `day_start`, and created->collected lag percentiles
        (seconds) over mentions collected since `day_start`."""
        return self.query_dicts(
            """WITH m AS (
                   SELECT source, any_value(platform) AS m_platform, max(collected_at) AS last_mention_at,
                          count(*) FILTER (WHERE created_at >= ? AND created_at <= ?) AS mentions_window,
                          quantile_cont(epoch(collected_at - created_at), 0.5)
                              FILTER (WHERE collected_at >= ? AND created_at IS NOT NULL) AS lag_p50_s,
                          quantile_cont(epoch(collected_at - created_at), 0.95)
                              FILTER (WHERE collected_at >= ? AND created_at IS NOT NULL) AS lag_p95_s,
                          count(*) FILTER (WHERE collected_at >= ? AND created_at IS NOT NULL) AS lag_n
                   FROM mentions WHERE source IS NOT NULL AND source <> '' GROUP BY source)
               SELECT coalesce(s.source, m.source) AS source, coalesce(s.platform, m.m_platform) AS platform,
                      s.last_success_at, s.last_error_at, s.last_error, s.failing_since,
                      coalesce(s.pages, 0) AS pages, coalesce(s.fetched, 0) AS fetched,
                      coalesce(s.stored, 0) AS stored, coalesce(s.errors, 0) AS errors, s.meta,
                      m.last_mention_at, coalesce(m.mentions_window, 0) AS mentions_window,
                      m.lag_p50_s, m.lag_p95_s, coalesce(m.lag_n, 0) AS lag_n
               FROM source_status s FULL OUTER JOIN m ON m.source = s.source
               ORDER BY 1""",
            [day_start, now, day_start, day_start, day_start])

    def source_arrival_gaps(self, since: datetime, quantile: float = 0.9) -> dict[str, tuple[float | None, int]]:
        """Per source: the `quantile` of the gaps (seconds) between successive arrivals (distinct collected_at
        of stored mentions) since `since`, and how many gaps there were."""
        rows = self.query(
            """WITH t AS (SELECT DISTINCT source, collected_at FROM mentions
                          WHERE collected_at >= ? AND source IS NOT NULL),
                    g AS (SELECT source, epoch(collected_at - lag(collected_at) OVER (
                              PARTITION BY source ORDER BY collected_at)) AS gap FROM t)
               SELECT source, quantile_cont(gap, ?), count(gap) FROM g WHERE gap IS NOT NULL GROUP BY source""",
            [since, quantile])
        return {r[0]: (float(r[1]) if r[1] is not None else None, int(r[2])) for r in rows}
