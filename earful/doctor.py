"""`earful doctor`: is the configuration usable? Checks every enabled source's credentials (present,
never printed) and whether its endpoints answer, plus the database and the alert routes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from yarl import URL

from earful.config import Config
from earful.store import Store, StoreError


def _endpoints(name: str, src: Any) -> list[str]:
    if name == "reddit":
        return [src.oauth_url]
    if name == "x":
        return [src.api_url]
    if name == "bluesky":
        ws = URL(src.jetstream_url)
        return [str(ws.with_scheme("https" if ws.scheme == "wss" else "http").with_path("/"))]
    if name == "mastodon":
        return [i.rstrip("/") + "/api/v1/instance" for i in src.instances]
    if name == "hackernews":
        return [src.api_url.rstrip("/") + "/search_by_date?query=test&hitsPerPage=1"]
    if name == "rss":
        return list(src.feeds)
    return []


def _public(url: str) -> str:
    """An endpoint as shown to the user: no query string, no credentials."""
    u = URL(url)
    return str(u.with_query(None).with_user(None).with_password(None))


async def _reach(urls: list[str], timeout: float) -> dict[str, str]:
    out: dict[str, str] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for url in urls:
            try:
                async with session.get(url, allow_redirects=True) as resp:
                    out[url] = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                out[url] = f"unreachable ({type(exc).__name__})"
    return out


def run_doctor(cfg: Config, db: str, say: Callable[[str], None], timeout: float = 8.0) -> int:
    problems = 0
    say(f"configuration: ok ({len(cfg.brands)} brand(s): {', '.join(b.name for b in cfg.brands) or 'none'})")
    if not cfg.brands:
        say("  warning: no [[brands]]; nothing will match. Add one (see earful.example.toml)")
        problems += 1
    try:
        store = Store(db)
        say(f"database: ok ({db}, {store.mention_count():,} mentions)")
        store.close()
    except StoreError as exc:
        say(f"database: PROBLEM: {exc}")
        problems += 1
    enabled = cfg.sources.enabled()
    if not enabled:
        say("sources: none enabled; add a [sources.<platform>] table")
    for name, src in enabled.items():
        secrets = [k for k in cfg.secrets if k.startswith(f"sources.{name}.")]
        creds = ", ".join(f"{k.rsplit('.', 1)[1]} set" for k in secrets) or "none needed"
        urls = _endpoints(name, src)
        reach = asyncio.run(_reach(urls, timeout)) if urls else {}
        bad = [u for u, r in reach.items() if not r.startswith("HTTP") or r.startswith("HTTP 5")]
        problems += bool(bad)
        status = "; ".join(f"{_public(u)}: {r}" for u, r in reach.items()) or "no endpoint configured"
        say(f"source {name}: credentials {creds}; {status}")
    for i, route in enumerate(cfg.alerts.routes):
        ok = f"alerts.routes[{i}].webhook" in cfg.secrets
        say(f"alert route {route.name}: webhook {'set' if ok else 'MISSING'}; kinds {', '.join(route.kinds)}")
        problems += not ok
    say("all checks passed" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1
