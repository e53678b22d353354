"""Small helpers shared by the pages: the sidebar's filters and actor, and one-shot messages.

Post text, author names and anything else from the internet is shown with st.text, st.code or
st.dataframe only (never as markdown or HTML).
"""

from __future__ import annotations

import streamlit as st

ALL_BRANDS = "All brands"
ALL_PLATFORMS = "All platforms"
DEFAULT_ACTOR = "dashboard"
MAX_ACTOR = 80


# sidebar widget key -> session key that keeps its value across pages and reruns
PERSISTED = {"actor": "_actor", "filter_brand": "_filter_brand", "filter_platform": "_filter_platform"}


def _remember(widget_key: str) -> None:
    st.session_state[PERSISTED[widget_key]] = st.session_state[widget_key]


def persistent(widget_key: str, default: object, options: list | None = None) -> dict:
    """Seed a sidebar widget from its remembered value; returns the widget kwargs (key, on_change)."""
    keep = PERSISTED[widget_key]
    value = st.session_state.get(keep, default)
    if options is not None and value not in options:
        value = default
    st.session_state[keep] = value
    st.session_state[widget_key] = value
    return {"key": widget_key, "on_change": _remember, "args": (widget_key,)}


def filters() -> tuple[str | None, str | None]:
    """(brand, platform) chosen in the sidebar; None means all."""
    brand = st.session_state.get(PERSISTED["filter_brand"], ALL_BRANDS)
    platform = st.session_state.get(PERSISTED["filter_platform"], ALL_PLATFORMS)
    return (None if brand in (None, ALL_BRANDS) else brand,
            None if platform in (None, ALL_PLATFORMS) else platform)


def actor() -> str:
    """The name typed once in the sidebar, recorded with every action."""
    name = " ".join(str(st.session_state.get(PERSISTED["actor"]) or "").split())[:MAX_ACTOR]
    return name or DEFAULT_ACTOR


def flash(message: str, icon: str = "✅") -> None:
    """Show `message` as a toast on the next run (after st.rerun)."""
    st.session_state.setdefault("_flash", []).append((message, icon))


def show_flash() -> None:
    for message, icon in st.session_state.pop("_flash", []):
        st.toast(message, icon=icon)
