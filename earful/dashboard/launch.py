"""Start the Streamlit server for the dashboard inside this process (it must be the main thread).

`earful run` / `earful demo` (earful/service.py) and the standalone launcher call `run_server` after
the store and the rest are set up; it blocks until the server stops (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import logging
from pathlib import Path

from earful.dashboard import context

log = logging.getLogger(__name__)

APP = Path(__file__).with_name("app.py")


def flag_options(host: str, port: int) -> dict[str, object]:
    return {
        "server_address": host,
        "server_port": port,
        "server_headless": True,
        "server_fileWatcherType": "none",
        "server_runOnSave": False,
        "browser_gatherUsageStats": False,
        "global_developmentMode": False,
        "client_toolbarMode": "viewer",
    }


def run_server(ctx: context.DashboardContext, host: str = "127.0.0.1", port: int = 8501) -> None:
    """Register `ctx` and serve the dashboard at http://host:port until the server stops."""
    import altair  # noqa: F401  (heavy imports done before the first visitor arrives)
    import pandas  # noqa: F401
    from streamlit import config as st_config
    from streamlit.web import bootstrap

    context.register(ctx)
    options = flag_options(host, port)
    st_config._main_script_path = str(APP)
    bootstrap.load_config_options(flag_options=options)
    log.info("dashboard at http://%s:%d", host, port)
    bootstrap.run(str(APP), False, [], options)
