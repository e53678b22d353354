"""Every read query the dashboard runs. Pages call these; they never write SQL themselves.

All SQL has bound parameters only. Results are cached for a few seconds with st.cache_data, keyed on
the parameters and the Store's identity (hashed by path and id, never by content); times passed in
are rounded to the minute by the pages so reruns share the cache. Ages relative to "now" are
computed outside the cached functions, with the dashboard's clock (simulated in the demo).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from earful.store import Store

CACHE_TTL = 5.0
POSITIVE = 0.05
NEGATIVE = -0.05
SQL_TABLES = frozenset({"mentions", "cases", "case_events", "outbox", "labels", "source_status"})
SQL_ROW_LIMIT = 1000


def _store_key(store: Store) -> str:
    return f"{store.path}#{id(store)}"


_cached = st.cache_data(ttl=CACHE_TTL, show_spinner=False, hash_funcs={Store: _store_key})


def clear_cache() -> None:
    st.cache_data.clear()


# shared filter clause: (brand, platform) with NULL meaning "all"
_FILTER = "(?::VARCHAR IS NULL OR brand = ?) AND (?::VARCHAR IS NULL OR platform = ?)"


def _fp(brand: str | None, platform: str | None) -> list[Any]:
    return [brand, brand, platform, platform]


def _frame(store: Store, sql: str, params: list[Any]) -> pd.DataFrame:
    rows = store.query_dicts(sql, params)
    cur_cols = [d[0] for d in store.con.description] if not rows else list(rows[0])
    return pd.DataFrame(rows, columns=cur_cols)


# facets ---------------------------------------------------------------------------------------------
@_cached
def facets(store: Store) -> dict[str, list[str]]:
    """Brands and platforms present in the data (for the filter boxes)."""
    brands = [r[0] for r in store.query(
        "SELECT DISTINCT brand FROM mentions WHERE brand IS NOT NULL ORDER BY 1")]
    platforms = [r[0] for r in store.query("SELECT DISTINCT platform FROM mentions ORDER BY 1")]
    return {"brands": brands, "platforms": platforms}


# live page ------------------------------------------------------------------------------------------
@_cached
def kpis(store: Store, brand: str | None, platform: str | None, since: datetime | None,
         day_start: datetime, now: datetime) -> dict[str, Any]:
    """Headline numbers.

    Mentions and sentiment count customers' posts (not the brand's own). Open cases and the oldest
    unanswered case are current, whatever the window. Response rate, first response time and the
    SLA share cover cases opened in the window; cases a human marked "not a complaint" are left out.
    A case counts for the SLA share once it is decided: answered, or its due time has passed.
    """
    f = _fp(brand, platform)
    m = store.query_dicts(
        f"""SELECT
              count(*) FILTER (WHERE ?::TIMESTAMP IS NULL OR created_at >= ?) AS mentions_window,
              count(*) FILTER (WHERE created_at >= ?) AS mentions_today,
              count(*) AS mentions_all,
              count(*) FILTER (WHERE (?::TIMESTAMP IS NULL OR created_at >= ?) AND sentiment IS NOT NULL)
                  AS scored,
              count(*) FILTER (WHERE (?::TIMESTAMP IS NULL OR created_at >= ?) AND sentiment >= ?) AS positive,
              count(*) FILTER (WHERE (?::TIMESTAMP IS NULL OR created_at >= ?) AND sentiment <= ?) AS negative,
              min(created_at) AS first_at
            FROM mentions WHERE NOT is_brand AND {_FILTER}""",
        [since, since, day_start, since, since, since, since, POSITIVE, since, since, NEGATIVE, *f])[0]
    open_ = store.query_dicts(
        f"""SELECT count(*) AS open_cases, min(clock_started_at) AS oldest_open_since,
                   count(*) FILTER (WHERE sla_due_at < ?) AS overdue
            FROM cases WHERE state = 'needs_reply' AND {_FILTER}""", [now, *f])[0]
    c = store.query_dicts(
        f"""SELECT count(*) AS cases,
              count(*) FILTER (WHERE state IN ('replied', 'resolved')) AS answered,
              median(epoch(first_response_at - opened_at)) AS median_first_response_s,
              count(*) FILTER (WHERE first_response_at IS NOT NULL OR sla_breached OR sla_due_at <= ?) AS decided,
              count(*) FILTER (WHERE first_response_at IS NOT NULL AND NOT sla_breached
                               AND first_response_at <= sla_due_at) AS within_sla
            FROM cases
            WHERE state <> 'not_a_complaint' AND (?::TIMESTAMP IS NULL OR opened_at >= ?) AND {_FILTER}""",
        [now, since, since, *f])[0]
    scored = m["scored"] or 0
    return {
        "mentions_window": int(m["mentions_window"]),
        "mentions_today": int(m["mentions_today"]),
        "mentions_all": int(m["mentions_all"]),
        "first_at": m["first_at"],
        "open_cases": int(open_["open_cases"]),
        "overdue": int(open_["overdue"]),
        "oldest_open_since": open_["oldest_open_since"],
        "cases": int(c["cases"]),
        "answered": int(c["answered"]),
        "response_rate": c["answered"] / c["cases"] if c["cases"] else None,
        "median_first_response_s": c["median_first_response_s"],
        "sla_decided": int(c["decided"]),
        "within_sla": int(c["within_sla"]),
        "within_sla_share": c["within_sla"] / c["decided"] if c["decided"] else None,
        "net_sentiment": (m["positive"] - m["negative"]) / scored if scored else None,
        "sentiment_scored": int(scored),
    }


@_cached
def timeseries(store: Store, brand: str | None, platform: str | None, since: datetime | None,
               bucket: str) -> pd.DataFrame:
    """Customer mentions per time bucket and platform: count, complaints, mean sentiment."""
    if bucket not in ("hour", "day"):
        raise ValueError(f"bucket must be hour or day, not {bucket!r}")
    return _frame(store, f"""
        SELECT date_trunc(?, created_at) AS bucket, platform,
               count(*) AS mentions,
               count(*) FILTER (WHERE complaint) AS complaints,
               avg(sentiment) AS sentiment,
               count(*) FILTER (WHERE sentiment >= ?) AS positive,
               count(*) FILTER (WHERE sentiment <= ?) AS negative
        FROM mentions
        WHERE NOT is_brand AND created_at IS NOT NULL AND (?::TIMESTAMP IS NULL OR created_at >= ?) AND {_FILTER}
        GROUP BY ALL ORDER BY bucket, platform""",
        [bucket, POSITIVE, NEGATIVE, since, since, *_fp(brand, platform)])


@_cached
def latest_mentions(store: Store, brand: str | None, platform: str | None, limit: int = 20) -> pd.DataFrame:
    df = _frame(store, f"""
        SELECT created_at, platform, author, lang, intent, complaint, round(sentiment, 2) AS sentiment,
               is_brand, text, url
        FROM mentions WHERE {_FILTER}
        ORDER BY created_at DESC NULLS LAST, id LIMIT ?""", [*_fp(brand, platform), limit])
    if not df.empty:
        df["url"] = df["url"].map(safe_url)
    return df


# queue ----------------------------------------------------------------------------------------------
@_cached
def open_cases(store: Store, brand: str | None, platform: str | None, limit: int = 50) -> list[dict[str, Any]]:
    """Cases waiting for an answer, the most urgent (earliest SLA due time) first."""
    rows = store.query_dicts("""
        SELECT c.case_id, c.platform, c.mention_id, c.brand, c.author, coalesce(c.lang, m.lang) AS lang,
               c.priority, c.opened_at, c.clock_started_at, c.sla_due_at, c.sla_breached, c.sla_escalated,
               c.assignee, m.text, m.url, m.reasons, m.complaint_score, m.intent
        FROM cases c LEFT JOIN mentions m ON m.platform = c.platform AND m.id = c.mention_id
        WHERE c.state = 'needs_reply'
          AND (?::VARCHAR IS NULL OR c.brand = ?) AND (?::VARCHAR IS NULL OR c.platform = ?)
        ORDER BY c.sla_due_at NULLS LAST, c.case_id
        LIMIT ?""", [*_fp(brand, platform), limit])
    for row in rows:
        row["url"] = safe_url(row["url"])
        row["reasons"] = list(row["reasons"] or [])
    return rows


@_cached
def explore_mentions(store: Store, brand: str | None, platform: str | None, contains: str, intents: tuple[str, ...],
                     without_case: bool, limit: int = 50) -> list[dict[str, Any]]:
    """Customers' posts, newest first, filtered by text (case-insensitive substring), intent and whether a
    case exists for their author in their thread (the place to find complaints the model missed)."""
    rows = store.query_dicts("""
        SELECT m.platform, m.id, m.brand, m.author, m.text, m.lang, m.url, m.created_at, m.intent, m.complaint,
               m.complaint_score, m.reasons,
               EXISTS (SELECT 1 FROM cases c WHERE c.platform = m.platform AND c.thread_id = m.thread_id
                       AND c.author = m.author) AS has_case
        FROM mentions m
        WHERE NOT m.is_brand
          AND (?::VARCHAR IS NULL OR m.brand = ?) AND (?::VARCHAR IS NULL OR m.platform = ?)
          AND (? = '' OR contains(lower(m.text), lower(?)))
          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], m.intent))
        ORDER BY m.created_at DESC, m.id
        LIMIT ?""", [*_fp(brand, platform), contains, contains, list(intents), list(intents), limit * 4])
    out = []
    for row in rows:
        if without_case and row["has_case"]:
            continue
        row["url"] = safe_url(row["url"])
        row["reasons"] = list(row["reasons"] or [])
        out.append(row)
    return out[:limit]


@_cached
def open_case_count(store: Store, brand: str | None, platform: str | None) -> int:
    return int(store.scalar(f"SELECT count(*) FROM cases WHERE state = 'needs_reply' AND {_FILTER}",
                            _fp(brand, platform)))


def case_state(store: Store, case_id: int) -> str | None:
    """Uncached: the current state of one case (checked before acting on it)."""
    return store.scalar("SELECT state FROM cases WHERE case_id = ?", [case_id])


# alerts and sources -----------------------------------------------------------------------------------
_SECRETISH = re.compile(r"(hooks\.slack\.com/services/|xox[abposr]-|/services/)[^\s\"']*", re.I)


def redact(text: object) -> str | None:
    """Hide anything that looks like a webhook URL or token in error strings (None/NaN: no error -> None)."""
    if not isinstance(text, str):
        return None
    return _SECRETISH.sub(lambda m: m.group(1) + "…", text)


@_cached
def alerts(store: Store, limit: int = 200) -> pd.DataFrame:
    df = _frame(store, """
        SELECT alert_id, CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
                              WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END AS status,
               kind, route, case_id, attempts, created_at, delivered_at, failed_at, next_attempt_at, last_error
        FROM outbox ORDER BY alert_id DESC LIMIT ?""", [limit])
    if not df.empty:
        df["last_error"] = df["last_error"].map(redact)
    return df


@_cached
def alert_counts(store: Store) -> dict[str, int]:
    rows = store.query("""
        SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
                    WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END, count(*)
        FROM outbox GROUP BY 1""")
    out = {"delivered": 0, "pending": 0, "failed": 0}
    out.update({k: int(v) for k, v in rows})
    return out


@_cached
def sources(store: Store) -> pd.DataFrame:
    df = _frame(store, """
        SELECT source, platform, last_success_at, last_error_at, last_error, pages, fetched, stored, errors
        FROM source_status ORDER BY source""", [])
    if not df.empty:
        df["last_error"] = df["last_error"].map(redact)
    return df


@_cached
def source_health(store: Store, now: datetime, poll_seconds: tuple[tuple[str, float], ...] = ()) -> pd.DataFrame:
    """Per-source health (earful.coverage): status, last success/error, mentions per hour and lag over the
    last 24 h, silence against the source's usual gap, and the X read budget when the source reports one."""
    from earful import coverage

    rows = []
    for h in coverage.source_health(store, now, dict(poll_seconds)):
        rows.append({
            "source": h.source, "platform": h.platform, "status": h.status,
            "last_success_at": h.last_success_at, "last_mention_at": h.last_mention_at,
            "mentions_per_hour": round(h.mentions_per_hour, 2), "lag_p50_s": h.lag_p50_s, "lag_p95_s": h.lag_p95_s,
            "silent_for": fmt_duration(h.silent_for_s) if h.silent_for_s is not None else "–",
            "usual_gap": fmt_duration(h.usual_gap_s) if h.usual_gap_s is not None else "–",
            "alert_after": fmt_duration(h.threshold_s),
            "last_error_at": h.last_error_at, "last_error": redact(h.last_error),
            "pages": h.pages, "stored": h.stored, "errors": h.errors,
            "x_posts_read_month": h.meta.get("x_posts_read_month"), "x_cap": h.meta.get("x_cap"),
        })
    columns = ["source", "platform", "status", "last_success_at", "last_mention_at", "mentions_per_hour",
               "lag_p50_s", "lag_p95_s", "silent_for", "usual_gap", "alert_after", "last_error_at", "last_error",
               "pages", "stored", "errors", "x_posts_read_month", "x_cap"]
    return pd.DataFrame(rows, columns=columns)


@_cached
def source_hourly(store: Store, since: datetime) -> pd.DataFrame:
    """Per source and hour (by collected_at): mentions stored and the created->collected lag p50/p95 (s)."""
    return _frame(store, """
        SELECT date_trunc('hour', collected_at) AS bucket, source, count(*) AS mentions,
               quantile_cont(epoch(collected_at - created_at), 0.5) AS lag_p50_s,
               quantile_cont(epoch(collected_at - created_at), 0.95) AS lag_p95_s
        FROM mentions
        WHERE collected_at >= ? AND created_at IS NOT NULL AND source IS NOT NULL
        GROUP BY ALL ORDER BY bucket, source""", [since])


# read-only SQL -------------------------------------------------------------------------------------
class SqlRefused(ValueError):
    pass


@dataclass
class SqlResult:
    frame: pd.DataFrame
    truncated: bool


def _walk(node: Any, tables: set[str], ctes: set[str], functions: list[str]) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            fn = node.get("function") or {}
            functions.append(str(fn.get("function_name", "?")))
        elif kind == "BASE_TABLE":
            schema = node.get("catalog_name") or node.get("schema_name") or ""
            tables.add(f"{schema}.{node.get('table_name')}" if schema else str(node.get("table_name")))
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            for entry in cte_map.get("map", []):
                ctes.add(str(entry.get("key")))
        for value in node.values():
            _walk(value, tables, ctes, functions)
    elif isinstance(node, list):
        for value in node:
            _walk(value, tables, ctes, functions)


def check_sql(store: Store, sql: str) -> None:
    """Accept one SELECT (or WITH ... SELECT) over earful's own tables; refuse anything else, including
    table functions and file paths (which could read files on the host)."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlRefused("enter a SELECT statement")
    first = text.split(None, 1)[0].lower()
    if first not in ("select", "with", "from"):
        raise SqlRefused("only a single SELECT or WITH statement is allowed")
    tree = json.loads(store.scalar("SELECT json_serialize_sql(?::VARCHAR)", [text]))
    if tree.get("error"):
        raise SqlRefused(f"cannot parse the statement: {tree.get('error_message', 'syntax error')}")
    statements = tree.get("statements") or []
    if len(statements) != 1:
        raise SqlRefused("only a single SELECT or WITH statement is allowed")
    tables: set[str] = set()
    ctes: set[str] = set()
    functions: list[str] = []
    _walk(statements[0], tables, ctes, functions)
    if functions:
        raise SqlRefused(f"table functions are not allowed here: {', '.join(sorted(set(functions)))}")
    unknown = {t for t in tables if t.lower() not in SQL_TABLES and t not in ctes}
    if unknown:
        raise SqlRefused(f"only these tables can be queried: {', '.join(sorted(SQL_TABLES))}")


def run_select(store: Store, sql: str, limit: int = SQL_ROW_LIMIT) -> SqlResult:
    """Run a checked SELECT in a transaction that is always rolled back; at most `limit` rows."""
    check_sql(store, sql)
    con = store.con
    con.begin()
    try:
        cur = con.execute(sql.strip().rstrip(";"))
        names = [d[0] for d in cur.description]
        rows = cur.fetchmany(limit + 1)
    finally:
        con.rollback()
    truncated = len(rows) > limit
    return SqlResult(pd.DataFrame(rows[:limit], columns=names), truncated)


# formatting helpers (pure) --------------------------------------------------------------------------
def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach the page; anything else (javascript:, data:, ...) is dropped."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.I) is None:
        return None
    return url


def floor_minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def day_start(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


WINDOWS: dict[str, timedelta | None] = {
    "Last hour": timedelta(hours=1),
    "Last 6 hours": timedelta(hours=6),
    "Last 24 hours": timedelta(hours=24),
    "Last 7 days": timedelta(days=7),
    "All time": None,
}


def window_start(label: str, now: datetime) -> datetime | None:
    delta = WINDOWS[label]
    return None if delta is None else floor_minute(now - delta)


def bucket_for(since: datetime | None, first_at: datetime | None, now: datetime) -> str:
    start = since or first_at
    if start is None or now - start <= timedelta(days=7):
        return "hour"
    return "day"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def fmt_share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_signed_share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:+.0f}"


def due_text(due: datetime | None, now: datetime) -> tuple[str, bool]:
    """('due in 12m', False) or ('overdue by 1h 05m', True)."""
    if due is None:
        return "no SLA", False
    delta = (due - now).total_seconds()
    if delta < 0:
        return f"overdue by {fmt_duration(-delta)}", True
    return f"due in {fmt_duration(delta)}", False


def slack_messages(received: list[dict]) -> pd.DataFrame:
    """Messages a sandbox Slack received, as a table: when, the header and the notification text."""
    rows = []
    for item in received:
        payload = item.get("payload") or {}
        header = next((b.get("text", {}).get("text", "") for b in payload.get("blocks", [])
                       if b.get("type") == "header"), "")
        rows.append({"received_at": item.get("received_at"), "header": header, "text": payload.get("text", "")})
    return pd.DataFrame(rows, columns=["received_at", "header", "text"])
