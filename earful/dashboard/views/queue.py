"""Queue: cases that need a reply, the most urgent first, with the actions a human can take.

Post text and author names are hostile input: they are shown with st.text only. Every action goes
through the Tracker (an event with the actor and time) inside one store transaction.
"""

from __future__ import annotations

import streamlit as st

from earful.dashboard import context, data, ui
from earful.errors import EarfulError

ctx = context.current()
ui.show_flash()
brand, platform = ui.filters()
MAX_TEXT = 2000


def act(case_id: int, kind: str, reason: str | None = None) -> None:
    who, now = ui.actor(), ctx.clock.now()
    if data.case_state(ctx.store, case_id) != "needs_reply":
        ui.flash(f"Case #{case_id} was already handled by someone else", "ℹ️")
    else:
        try:
            with ctx.store.transaction():
                if kind == "resolve":
                    ctx.tracker.resolve(case_id, who, now)
                    ui.flash(f"Case #{case_id} resolved")
                elif kind == "wont_reply":
                    ctx.tracker.wont_reply(case_id, who, reason or "", now)
                    ui.flash(f"Case #{case_id}: won't reply")
                elif kind == "not_a_complaint":
                    ctx.tracker.not_a_complaint(case_id, who, now)
                    ui.flash(f"Case #{case_id} marked not a complaint; kept as a training label")
                else:
                    raise ValueError(kind)
        except EarfulError as exc:
            ui.flash(f"Case #{case_id}: {exc}", "⚠️")
    data.clear_cache()
    st.rerun()


def case_card(case: dict, now) -> None:  # noqa: ANN001
    cid = case["case_id"]
    due, overdue = data.due_text(case["sla_due_at"], now)
    age = data.fmt_duration((now - case["opened_at"]).total_seconds()) if case["opened_at"] else "–"
    with st.container(border=True):
        head, status = st.columns([5, 2])
        head.text(f"#{cid} · {case['platform']} · {case['lang'] or '?'} · priority {case['priority'] or '–'}"
                  f" · age {age} · by {case['author'] or '?'}")
        if overdue:
            status.markdown(f":red[**{due}**]")  # our own text: digits and units only
        else:
            status.markdown(f":orange[{due}]" if case["priority"] and case["priority"] >= 3 else due)
        text = case["text"] or "(post text not stored)"
        st.text(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …")
        if case["reasons"]:
            st.text("why: " + "; ".join(case["reasons"]))
        cols = st.columns([1.3, 1, 1.4, 3, 1.2], vertical_alignment="center")
        if case["url"]:
            cols[0].link_button("Open post", case["url"], icon=":material/open_in_new:")
        else:
            cols[0].text("no link")
        if cols[1].button("Resolve", key=f"resolve_{cid}"):
            act(cid, "resolve")
        if cols[2].button("Not a complaint", key=f"not_complaint_{cid}"):
            act(cid, "not_a_complaint")
        reason = cols[3].text_input("Reason for not replying", key=f"reason_{cid}", max_chars=500,
                                    label_visibility="collapsed", placeholder="reason for not replying")
        if cols[4].button("Won't reply", key=f"wont_reply_{cid}"):
            if not (reason or "").strip():
                st.warning(f"Case #{cid}: type a reason before choosing Won't reply.")
                st.toast("A reason is required for Won't reply", icon="⚠️")
            else:
                act(cid, "wont_reply", reason)


st.title("Queue")
now = ctx.clock.now()
total = data.open_case_count(ctx.store, brand, platform)
limit = st.selectbox("Show", [25, 50, 100, 250], key="queue_limit", help="How many cases to list.")
cases = data.open_cases(ctx.store, brand, platform, limit)
overdue = sum(1 for c in cases if c["sla_due_at"] is not None and c["sla_due_at"] < now)
st.caption(f"{total} open case(s), most urgent first; showing {len(cases)}. "
           f"{overdue} of those shown are past their SLA.")
st.text(f"Acting as: {ui.actor()} (set your name in the sidebar)")
if not cases:
    st.success("Nothing waits for an answer.")
for case in cases:
    case_card(case, now)
