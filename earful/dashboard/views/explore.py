"""Explore: customers' posts, searchable, with the one correction the queue cannot make: a complaint
the model missed. Marking one stores a training label and opens a case.

Post text and author names are hostile input: they are shown with st.text only.
"""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data, ui
from earful.errors import EarfulError
from earful.model import INTENTS

ctx = context.current()
ui.show_flash()
brand, platform = ui.filters()
MAX_TEXT = 1000

st.title("Explore")
left, mid, right = st.columns([3, 3, 2], vertical_alignment="bottom")
contains = left.text_input("Text contains", key="explore_text", max_chars=200)
intents = mid.multiselect("Intent", list(INTENTS), key="explore_intents")
without_case = right.toggle("Only posts without a case", value=True, key="explore_without_case")
rows = data.explore_mentions(ctx.store, brand, platform, contains.strip(), tuple(intents), without_case, 50)
st.caption(f"{len(rows)} post(s), newest first. Mark a complaint the model missed: it opens a case and "
           "teaches the model (`earful train --with-corrections`, `earful calibrate`).")
for row in rows:
    with st.container(border=True):
        st.text(f"{row['platform']} · {row['lang'] or '?'} · {row['intent'] or '?'} · score "
                f"{row['complaint_score'] or 0:.2f} · {row['created_at']:%Y-%m-%d %H:%M} · by {row['author'] or '?'}")
        text = row["text"] or ""
        st.text(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …")
        if row["reasons"]:
            st.text("why: " + "; ".join(row["reasons"]))
        cols = st.columns([1.3, 2, 5], vertical_alignment="center")
        if row["url"]:
            cols[0].link_button("Open post", row["url"], icon=":material/open_in_new:")
        if not row["has_case"] and cols[1].button("Missed complaint", key=f"missed_{row['platform']}_{row['id']}"):
            try:
                case_id = ctx.tracker.missed_complaint(row["platform"], row["id"], ui.actor(), ctx.clock.now())
                ui.flash(f"Case #{case_id} opened; the correction is kept as a training label")
            except EarfulError as exc:
                ui.flash(str(exc), "⚠️")
            data.clear_cache()
            st.rerun()
