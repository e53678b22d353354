"""Live: headline KPIs, mentions/complaints/sentiment over time and the latest mentions.

Refreshes itself every ctx.refresh_seconds (st.fragment(run_every=...))."""

from __future__ import annotations

import streamlit as st

from earful.dashboard import charts, context, data, ui

ctx = context.current()
brand, platform = ui.filters()

st.title("Live")
window = st.segmented_control("Time window", list(data.WINDOWS), default="Last 24 hours", key="live_window")
window = window or "Last 24 hours"


def _chart(chart: object, empty: str) -> None:
    if chart is None:
        st.info(empty)
    else:
        st.altair_chart(chart, width="stretch")


@st.fragment(run_every=ctx.refresh_seconds)
def live() -> None:
    now = ctx.clock.now()
    since = data.window_start(window, now)
    k = data.kpis(ctx.store, brand, platform, since, data.day_start(now), data.floor_minute(now))
    oldest = (now - k["oldest_open_since"]).total_seconds() if k["oldest_open_since"] else None

    row1 = st.columns(4)
    row1[0].metric("Mentions today", f"{k['mentions_today']:,}", help="Customers' posts since 00:00 UTC.")
    row1[1].metric(f"Mentions ({window.lower()})", f"{k['mentions_window']:,}",
                   help=f"{k['mentions_all']:,} stored in total for this brand and platform.")
    row1[2].metric("Open cases", f"{k['open_cases']:,}",
                   delta=f"{k['overdue']} overdue" if k["overdue"] else None, delta_color="inverse",
                   help="Cases that need a reply, whatever the time window.")
    row1[3].metric("Oldest unanswered", data.fmt_duration(oldest),
                   help="Age of the case that has waited longest for a reply.")
    row2 = st.columns(4)
    row2[0].metric("Response rate", data.fmt_share(k["response_rate"]),
                   help=f"{k['answered']} of {k['cases']} cases opened in the window were replied to or resolved "
                        "(cases marked 'not a complaint' are left out).")
    row2[1].metric("Median first response", data.fmt_duration(k["median_first_response_s"]),
                   help="From the customer's post to the brand's first reply.")
    row2[2].metric("Answered within SLA", data.fmt_share(k["within_sla_share"]),
                   help=f"{k['within_sla']} of {k['sla_decided']} decided cases (answered, or past their due "
                        "time) got their first reply before the SLA target.")
    row2[3].metric("Net sentiment", data.fmt_signed_share(k["net_sentiment"]),
                   help=f"Share positive minus share negative, in points, over {k['sentiment_scored']:,} "
                        "customer mentions in the window.")

    bucket = data.bucket_for(since, k["first_at"], now)
    series = data.timeseries(ctx.store, brand, platform, since, bucket)
    left, right = st.columns(2)
    with left:
        st.subheader(f"Mentions per {bucket} by platform")
        chart = charts.mentions_by_platform(series, bucket)
        _chart(chart, "No mentions in this window.")
    with right:
        st.subheader(f"Complaints per {bucket}")
        chart = charts.complaints(series, bucket)
        _chart(chart, "No complaints in this window.")
    st.subheader("Sentiment over time")
    chart = charts.sentiment(series, bucket)
    _chart(chart, "No scored mentions in this window.")

    st.subheader("Latest mentions")
    latest = data.latest_mentions(ctx.store, brand, platform, 15)
    st.dataframe(
        latest, hide_index=True, width="stretch",
        column_config={
            "created_at": st.column_config.DatetimeColumn("posted (UTC)", format="YYYY-MM-DD HH:mm"),
            "url": st.column_config.LinkColumn("link", display_text="open"),
            "is_brand": st.column_config.CheckboxColumn("brand's own"),
            "text": st.column_config.TextColumn("text", width="large"),
        })
    st.caption(f"Updated {now:%H:%M:%S} UTC; refreshes every {ctx.refresh_seconds:g} s.")


live()
