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


def filters() -> tuple[str | None, str | None]:
    """(brand, platform) chosen in the sidebar; None means all."""
    brand = st.session_state.get("filter_brand", ALL_BRANDS)
    platform = st.session_state.get("filter_platform", ALL_PLATFORMS)
    return (None if brand in (None, ALL_BRANDS) else brand,
            None if platform in (None, ALL_PLATFORMS) else platform)


def actor() -> str:
    """The name typed once in the sidebar, recorded with every action."""
    name = " ".join(str(st.session_state.get("actor") or "").split())[:MAX_ACTOR]
    return name or DEFAULT_ACTOR


def flash(message: str, icon: str = "✅") -> None:
    """Show `message` as a toast on the next run (after st.rerun)."""
    st.session_state.setdefault("_flash", []).append((message, icon))


def show_flash() -> None:
    for message, icon in st.session_state.pop("_flash", []):
        st.toast(message, icon=icon)
