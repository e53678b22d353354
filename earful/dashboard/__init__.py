"""The Streamlit dashboard: live KPIs, the reply queue, alerts, sources and a read-only SQL page.

It runs inside the earful process (see earful/dashboard/context.py): the process that owns the
DuckDB file registers a DashboardContext, then starts Streamlit in its main thread.
"""
