"""Dashboard pages: Streamlit runs these files as scripts (they are a package only so they ship).

The folder is not called pages/: next to the entry point Streamlit would treat that as old-style
multipage pages and run a page URL such as /queue without app.py (no sidebar, no page config).
"""
