"""Altair charts for the dashboard. Each takes a frame from data.py (data.timeseries, data.source_hourly)
and returns a chart, or None when there is nothing to draw. Post text never reaches a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

HEIGHT = 220


def _tip(bucket: str) -> alt.Tooltip:
    return alt.Tooltip("bucket:T", title=f"{bucket} (UTC)", format="%Y-%m-%d %H:%M", formatType="utc")


def _x(bucket: str) -> alt.X:
    """Time axis in UTC (stored times are naive UTC); bars fill their hour or day."""
    unit = "utcyearmonthdatehours" if bucket == "hour" else "utcyearmonthdate"
    fmt = "%H:%M" if bucket == "hour" else "%b %d"
    return alt.X("bucket:T", timeUnit=unit, title=f"{bucket} (UTC)",
                 axis=alt.Axis(format=fmt, labelAngle=0))


def mentions_by_platform(df: pd.DataFrame, bucket: str = "hour") -> alt.Chart | None:
    if df.empty:
        return None
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=_x(bucket),
            y=alt.Y("sum(mentions):Q", title=f"mentions per {bucket}"),
            color=alt.Color("platform:N", title="platform", legend=alt.Legend(orient="top", title=None)),
            tooltip=[_tip(bucket), "platform:N",
                     alt.Tooltip("sum(mentions):Q", title="mentions")],
        )
        .properties(height=HEIGHT)
    )


def complaints(df: pd.DataFrame, bucket: str = "hour") -> alt.Chart | None:
    if df.empty:
        return None
    per = df.groupby("bucket", as_index=False)[["complaints", "mentions"]].sum()
    return (
        alt.Chart(per)
        .mark_bar(color="#d62728")
        .encode(
            x=_x(bucket),
            y=alt.Y("complaints:Q", title=f"complaints per {bucket}"),
            tooltip=[_tip(bucket), "complaints:Q",
                     "mentions:Q"],
        )
        .properties(height=HEIGHT)
    )


def sentiment(df: pd.DataFrame, bucket: str = "hour") -> alt.Chart | None:
    """Net sentiment per bucket: share positive minus share negative, in points (-100..100)."""
    if df.empty:
        return None
    per = df.groupby("bucket", as_index=False)[["positive", "negative", "mentions"]].sum()
    per["net"] = (per["positive"] - per["negative"]) / per["mentions"].where(per["mentions"] > 0) * 100
    per = per.dropna(subset=["net"])
    if per.empty:
        return None
    base = alt.Chart(per).encode(x=_x(bucket))
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#999", strokeDash=[4, 4]).encode(y="y:Q")
    line = base.mark_line(point=True, color="#1f77b4").encode(
        y=alt.Y("net:Q", title="net sentiment (pts)", scale=alt.Scale(domain=[-100, 100])),
        tooltip=[_tip(bucket),
                 alt.Tooltip("net:Q", title="net sentiment", format="+.0f"), "mentions:Q"],
    )
    return (zero + line).properties(height=HEIGHT)


def source_mentions(df: pd.DataFrame) -> alt.Chart | None:
    """Mentions stored per hour, one line per source (data.source_hourly)."""
    if df.empty:
        return None
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=_x("hour"),
            y=alt.Y("mentions:Q", title="mentions per hour"),
            color=alt.Color("source:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=[_tip("hour"), "source:N", "mentions:Q"],
        )
        .properties(height=HEIGHT)
    )


def source_lag(df: pd.DataFrame) -> alt.Chart | None:
    """Lag from a post's created_at to our collected_at per hour and source: p95 as a line, p50 dashed."""
    if df.empty:
        return None
    long = df.melt(id_vars=["bucket", "source"], value_vars=["lag_p50_s", "lag_p95_s"], var_name="stat",
                   value_name="lag_s").dropna(subset=["lag_s"])
    if long.empty:
        return None
    long["stat"] = long["stat"].map({"lag_p50_s": "p50", "lag_p95_s": "p95"})
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=_x("hour"),
            y=alt.Y("lag_s:Q", title="lag (s)"),
            color=alt.Color("source:N", legend=alt.Legend(orient="top", title=None)),
            strokeDash=alt.StrokeDash("stat:N", title=None),
            tooltip=[_tip("hour"), "source:N", "stat:N", alt.Tooltip("lag_s:Q", title="lag (s)", format=".1f")],
        )
        .properties(height=HEIGHT)
    )
