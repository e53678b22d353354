"""Sources: per collector, its health (earful.coverage): last success and error, mentions per hour, lag from
a post's creation to its collection (p50/p95), silence against the source's usual gap (silent and failing
sources highlighted), mentions and lag per hour, and X's monthly read budget."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from earful.dashboard import charts, context, data

ctx = context.current()
BAD = {"silent", "failing"}

st.title("Sources")


def _highlight(row: pd.Series) -> list[str]:
    if row["status"] in BAD:
        return ["background-color: rgba(214, 39, 40, 0.18)"] * len(row)
    if row["status"] == "erroring":
        return ["background-color: rgba(255, 165, 0, 0.18)"] * len(row)
    return [""] * len(row)


def _chart(chart: object) -> None:
    if chart is None:
        st.info("No mentions collected in the last 24 hours.")
    else:
        st.altair_chart(chart, width="stretch")


@st.fragment(run_every=ctx.refresh_seconds)
def sources() -> None:
    now = ctx.clock.now()
    polls = tuple(sorted((ctx.extra.get("poll_seconds") or {}).items()))
    frame = data.source_health(ctx.store, data.floor_minute(now), polls)
    if frame.empty:
        st.info("No source has fetched anything yet.")
        return
    bad = frame[frame["status"].isin(BAD)]
    if not bad.empty:
        # source keys come from earful's configuration, not from the internet
        st.error(f"Silent for longer than usual or failing: {', '.join(bad['source'])}. "
                 "Run `earful doctor` to check their credentials and reachability.", icon="🔇")
    table = frame.drop(columns=["x_posts_read_month", "x_cap"])
    st.dataframe(table.style.apply(_highlight, axis=1), hide_index=True, width="stretch", column_config={
        "last_success_at": st.column_config.DatetimeColumn("last success (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "last_mention_at": st.column_config.DatetimeColumn("last mention (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "last_error_at": st.column_config.DatetimeColumn("last error (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "mentions_per_hour": st.column_config.NumberColumn("mentions/h (24 h)", format="%.2f"),
        "lag_p50_s": st.column_config.NumberColumn("lag p50 (s)", format="%.1f"),
        "lag_p95_s": st.column_config.NumberColumn("lag p95 (s)", format="%.1f"),
        "silent_for": st.column_config.TextColumn("silent for"),
        "usual_gap": st.column_config.TextColumn("usual gap (p90)"),
        "alert_after": st.column_config.TextColumn("alert after"),
        "last_error": st.column_config.TextColumn("last error", width="large"),
    })
    st.caption("A source is silent when its last mention is older than max(3 × its usual gap between arrivals "
               "over 7 days, 3 poll intervals, 1 hour), and failing when every fetch has failed for that long; "
               "either raises one source_silent alert per episode.")

    budget = frame.dropna(subset=["x_cap"])
    for row in budget.itertuples():
        reads, cap = int(row.x_posts_read_month or 0), int(row.x_cap)
        st.subheader(f"X monthly post budget ({row.source})")
        cols = st.columns([1, 3])
        cols[0].metric("Posts read this month", f"{reads:,}", help=f"Cap: {cap:,} (sources.x.monthly_post_cap)")
        cols[1].progress(min(1.0, reads / cap), text=f"{reads / cap:.0%} of {cap:,} posts")

    hourly = data.source_hourly(ctx.store, data.floor_minute(now) - pd.Timedelta(hours=24))
    left, right = st.columns(2)
    with left:
        st.subheader("Mentions per hour by source")
        _chart(charts.source_mentions(hourly))
    with right:
        st.subheader("Lag, created to collected")
        _chart(charts.source_lag(hourly))


sources()
