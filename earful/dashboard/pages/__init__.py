"""Dashboard pages: Streamlit runs these files as scripts (they are a package only so they ship)."""
