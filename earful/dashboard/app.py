"""earful dashboard entry point: `earful run` / `earful demo` start Streamlit on this file.

The sidebar (actor name, brand and platform filters) is shared by every page; the pages live in
views/ and only lay out what data.py and charts.py return.
"""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data, ui

st.set_page_config(page_title="earful", page_icon="👂", layout="wide")

try:
    ctx = context.current()
except context.DashboardNotStarted as exc:
    st.error(str(exc))
    st.stop()

pages = [
    st.Page("views/live.py", title="Live", icon=":material/monitoring:", default=True),
    st.Page("views/queue.py", title="Queue", icon=":material/inbox:"),
    st.Page("views/explore.py", title="Explore", icon=":material/search:"),
    st.Page("views/alerts.py", title="Alerts", icon=":material/notifications:"),
    st.Page("views/sources.py", title="Sources", icon=":material/sensors:"),
    st.Page("views/sql.py", title="SQL", icon=":material/database:"),
]
nav = st.navigation(pages)

facets = data.facets(ctx.store)
brands = sorted(set(ctx.brands) | set(facets["brands"]))
with st.sidebar:
    st.text_input("Your name", placeholder=ui.DEFAULT_ACTOR, max_chars=ui.MAX_ACTOR,
                  help="Recorded with every action you take on a case.", **ui.persistent("actor", ""))
    brand_options = [ui.ALL_BRANDS, *brands]
    st.selectbox("Brand", brand_options, **ui.persistent("filter_brand", ui.ALL_BRANDS, brand_options))
    platform_options = [ui.ALL_PLATFORMS, *facets["platforms"]]
    st.selectbox("Platform", platform_options,
                 **ui.persistent("filter_platform", ui.ALL_PLATFORMS, platform_options))
    st.caption(f"Clock: {ctx.clock.now():%Y-%m-%d %H:%M} UTC")
    if ctx.read_only_note:
        st.text(ctx.read_only_note)

nav.run()
