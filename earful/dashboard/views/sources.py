"""Sources: per collector, when it last fetched, what it stored and its last error."""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data

ctx = context.current()
st.title("Sources")
frame = data.sources(ctx.store)
if frame.empty:
    st.info("No source has fetched anything yet.")
else:
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "last_success_at": st.column_config.DatetimeColumn("last success (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "last_error_at": st.column_config.DatetimeColumn("last error (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    })
