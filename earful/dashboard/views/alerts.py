"""Alerts: the outbox, newest first, with delivery status (delivered, pending, failed)."""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data

ctx = context.current()
st.title("Alerts")
counts = data.alert_counts(ctx.store)
cols = st.columns(3)
cols[0].metric("Delivered", counts["delivered"])
cols[1].metric("Pending", counts["pending"], help="Waiting for delivery or for a retry.")
cols[2].metric("Failed", counts["failed"], help="Gave up after the maximum number of attempts.")
status = st.segmented_control("Status", ["all", "delivered", "pending", "failed"], default="all",
                              key="alerts_status")
frame = data.alerts(ctx.store, 500)
if status and status != "all" and not frame.empty:
    frame = frame[frame["status"] == status]
if frame.empty:
    st.info("No alerts yet.")
else:
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "created_at": st.column_config.DatetimeColumn("created (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "delivered_at": st.column_config.DatetimeColumn("delivered", format="HH:mm:ss"),
        "failed_at": st.column_config.DatetimeColumn("failed", format="HH:mm:ss"),
        "next_attempt_at": st.column_config.DatetimeColumn("next attempt", format="HH:mm:ss"),
    })

demo = ctx.extra.get("demo")
if demo is not None:
    received = list(demo.slack_app["received"])
    st.subheader("Received by the sandbox Slack")
    st.caption(f"{len(received)} messages arrived at the demo's stand-in for Slack's incoming webhook "
               "(set SLACK_WEBHOOK_URL before `earful demo` to get them in your own Slack too). Newest first.")
    if received:
        st.dataframe(data.slack_messages(received[-300:][::-1]), hide_index=True, width="stretch")
