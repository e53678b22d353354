"""SQL: one read-only SELECT over earful's tables, at most data.SQL_ROW_LIMIT rows.

The statement is parsed first (only a single SELECT/WITH over mentions, cases, case_events, outbox,
labels and source_status; no table functions or file paths) and runs in a transaction that is
always rolled back. For bigger analyses use `earful export` (Parquet) with any tool.
"""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data

ctx = context.current()
st.title("SQL (read-only)")
st.caption("One SELECT over: " + ", ".join(sorted(data.SQL_TABLES)) +
           f". At most {data.SQL_ROW_LIMIT:,} rows are shown.")
with st.form("sql_form"):
    sql = st.text_area("Query", key="sql_text", height=160,
                       value="SELECT state, count(*) AS cases FROM cases GROUP BY state ORDER BY cases DESC")
    submitted = st.form_submit_button("Run")
if submitted:
    try:
        result = data.run_select(ctx.store, sql)
    except data.SqlRefused as exc:
        st.error("Refused: this page runs one SELECT over earful's tables only.")
        st.text(str(exc))
    except Exception as exc:  # a bad query must not break the page
        st.error(f"Query failed: {type(exc).__name__}")
        st.code(str(exc)[:2000], language=None)
    else:
        if result.truncated:
            st.warning(f"Showing the first {data.SQL_ROW_LIMIT:,} rows.")
        st.dataframe(result.frame, hide_index=True, width="stretch")
        st.download_button("Download CSV", result.frame.to_csv(index=False), "earful-query.csv", "text/csv")
