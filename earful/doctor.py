"""`earful doctor`: is the configuration usable?

For every enabled source: are its credentials present (only "set" or "MISSING" is printed, never a value),
do they work (a real, cheap auth handshake), and do its endpoints answer. Then the database and the alert
routes. A problem names the setting to fix.

Per source:
    reddit      POST {reddit_url}/api/v1/access_token (HTTP Basic client_id:client_secret; grant_type password
                with username/password, else client_credentials). 401/403 -> client_id/client_secret; 200
                {"error": "invalid_grant"} -> username/password (Reddit reports a bad password as HTTP 200).
    x           GET {api_url}/2/tweets/search/recent?query=<brand>&max_results=10 (one search: it reads at most
                10 posts of the monthly budget). 401 -> bearer_token; 403 -> the App's project/access level.
    bluesky     the Jetstream websocket handshake; POST {pds_url}/xrpc/com.atproto.server.createSession when
                identifier and app_password are configured (401/400 -> identifier/app_password).
    mastodon    GET {instance}/api/v1/timelines/tag/<tag>?limit=1 on every instance (what the collector
                reads); with access_token, GET {first instance}/api/v2/search?type=statuses&limit=1 with the
                token: the call the token is used for. (Not /api/v1/accounts/verify_credentials: that needs
                the read:accounts scope, which earful's token does not need and may not have.)
    hackernews  GET {api_url}/search_by_date?query=<brand>&hitsPerPage=1
    rss         GET every feed.
Outputs show URLs without query strings or user info, HTTP statuses and our own words; never response
bodies (a server may echo what it was sent) and never secret values.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

from earful.config import Config
from earful.store import Store, StoreError

MAX_BODY = 256 * 1024


@dataclass
class SourceReport:
    name: str
    lines: list[str] = field(default_factory=list)
    problems: int = 0

    def ok(self, text: str) -> None:
        self.lines.append(f"  ok: {text}")

    def bad(self, text: str) -> None:
        self.lines.append(f"  PROBLEM: {text}")
        self.problems += 1

    def note(self, text: str) -> None:
        self.lines.append(f"  note: {text}")


@dataclass
class Answer:
    status: int | None           # None: no answer
    body: Any = None             # parsed JSON or None
    error: str = ""              # why there was no answer


def _public(url: str) -> str:
    """An endpoint as shown to the user: no query string, no credentials."""
    try:
        u = URL(url)
        return str(u.with_query(None).with_fragment(None).with_user(None).with_password(None))
    except (ValueError, TypeError):
        return "(invalid URL)"


async def _call(session: aiohttp.ClientSession, method: str, url: str, timeout: float, **kw: Any) -> Answer:
    try:
        async with session.request(method, url, timeout=aiohttp.ClientTimeout(total=timeout),
                                   allow_redirects=True, **kw) as resp:
            raw = await resp.content.read(MAX_BODY)
            try:
                body = json.loads(raw) if raw else None
            except (ValueError, UnicodeDecodeError):
                body = None
            return Answer(resp.status, body)
    except TimeoutError:
        return Answer(None, error=f"no answer within {timeout:g} s")
    except aiohttp.ClientConnectorError as exc:
        return Answer(None, error=f"unreachable ({type(exc).__name__}: cannot connect)")
    except (aiohttp.ClientError, ValueError) as exc:
        return Answer(None, error=f"unreachable ({type(exc).__name__})")


def _reach(report: SourceReport, what: str, url: str, answer: Answer, setting: str) -> bool:
    """Report an answer that is not about auth: True if the endpoint answered 2xx/3xx."""
    where = f"{what} {_public(url)}"
    if answer.status is None:
        report.bad(f"{where}: {answer.error}; check {setting} and the network")
        return False
    if answer.status == 429:
        report.note(f"{where}: reachable, but rate limited now (HTTP 429)")
        return True
    if answer.status >= 500:
        report.bad(f"{where}: the server failed (HTTP {answer.status}); try again later")
        return False
    if answer.status >= 400:
        report.bad(f"{where}: HTTP {answer.status}; check {setting}")
        return False
    report.ok(f"{where}: reachable (HTTP {answer.status})")
    return True


def _term(cfg: Config) -> str:
    for brand in cfg.brands:
        for word in [*brand.keywords, brand.name]:
            word = re.sub(r"[^\w\s.-]", " ", word).strip()
            if word:
                return word
    return "earful"


def _credentials(report: SourceReport, cfg: Config, name: str, src: Any) -> None:
    fields = [f for f in type(src).model_fields if f in _SECRET_FIELDS]
    if not fields:
        report.ok("credentials: none needed")
        return
    parts = []
    for f in fields:
        present = cfg.secret(f"sources.{name}.{f}") is not None
        parts.append(f"{f} {'set' if present else 'not set'}")
        if not present and f in getattr(src, "required_secrets", ()):
            report.bad(f"sources.{name}.{f} is missing")
    report.ok("credentials: " + ", ".join(parts))


_SECRET_FIELDS = {"client_id", "client_secret", "password", "bearer_token", "app_password", "access_token"}


# -- per platform ------------------------------------------------------------------------------------------

async def _reddit(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    cid, secret = cfg.secret("sources.reddit.client_id"), cfg.secret("sources.reddit.client_secret")
    password = cfg.secret("sources.reddit.password")
    url = src.reddit_url.rstrip("/") + "/api/v1/access_token"
    if not cid or not secret:
        return
    script = bool(src.username and password)
    form = ({"grant_type": "password", "username": src.username, "password": password} if script
            else {"grant_type": "client_credentials"})
    a = await _call(s, "POST", url, timeout, data=form,
                    headers={"User-Agent": src.user_agent, "Authorization": aiohttp.encode_basic_auth(cid, secret)})
    if a.status in (401, 403):
        r.bad(f"reddit refused the app's credentials (HTTP {a.status}): fix sources.reddit.client_id / "
              "sources.reddit.client_secret (a 'script' app at https://www.reddit.com/prefs/apps)")
    elif a.status == 200 and isinstance(a.body, dict) and a.body.get("error") == "invalid_grant":
        r.bad("reddit accepted the app but refused the account (invalid_grant): fix sources.reddit.username / "
              "sources.reddit.password (the app developer's account; no 2FA)")
    elif a.status == 200 and isinstance(a.body, dict) and a.body.get("access_token"):
        r.ok(f"auth: token issued by {_public(url)} ({'password' if script else 'client_credentials'} grant)")
    elif a.status == 200:
        r.bad(f"{_public(url)} answered without a token; check sources.reddit.reddit_url")
    else:
        _reach(r, "token endpoint", url, a, "sources.reddit.reddit_url")


async def _x(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    token = cfg.secret("sources.x.bearer_token")
    url = src.api_url.rstrip("/") + "/2/tweets/search/recent"
    if not token:
        return
    a = await _call(s, "GET", url, timeout, params={"query": f'"{_term(cfg)}"', "max_results": "10"},
                    headers={"Authorization": f"Bearer {token}"})
    if a.status == 401:
        r.bad("X refused the bearer token (HTTP 401): fix sources.x.bearer_token (the App's Bearer Token)")
    elif a.status == 403:
        r.bad("X accepted the token but refused recent search (HTTP 403): attach the App to a Project with "
              "recent-search access in the developer portal; sources.x.bearer_token must belong to that App")
    elif a.status == 429:
        capped = isinstance(a.body, dict) and "UsageCap" in str(a.body.get("title", ""))
        r.note("auth ok, but " + ("the monthly usage cap is exhausted (UsageCapExceeded)" if capped
                                  else "rate limited now (HTTP 429)"))
    elif a.status == 200:
        r.ok(f"auth: one recent search (max_results=10) answered by {_public(url)}")
    else:
        _reach(r, "recent search", url, a, "sources.x.api_url")


async def _bluesky(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    ws_url = src.jetstream_url
    try:
        async with asyncio.timeout(timeout):
            ws = await s.ws_connect(ws_url, params={"wantedCollections": "app.bsky.feed.post"})
            await ws.close()
        r.ok(f"Jetstream {_public(ws_url)}: websocket handshake ok")
    except TimeoutError:
        r.bad(f"Jetstream {_public(ws_url)}: no answer within {timeout:g} s; check sources.bluesky.jetstream_url")
    except aiohttp.WSServerHandshakeError as exc:
        r.bad(f"Jetstream {_public(ws_url)}: handshake refused (HTTP {exc.status}); "
              "check sources.bluesky.jetstream_url")
    except (aiohttp.ClientError, ValueError) as exc:
        r.bad(f"Jetstream {_public(ws_url)}: unreachable ({type(exc).__name__}); "
              "check sources.bluesky.jetstream_url and the network")
    password = cfg.secret("sources.bluesky.app_password")
    if not (src.identifier and password):
        r.note("searchPosts backfill off (set sources.bluesky.identifier and app_password to enable it)")
        return
    url = src.pds_url.rstrip("/") + "/xrpc/com.atproto.server.createSession"
    a = await _call(s, "POST", url, timeout, json={"identifier": src.identifier, "password": password})
    if a.status in (400, 401, 403):
        r.bad(f"Bluesky refused the login (HTTP {a.status}): fix sources.bluesky.identifier / "
              "sources.bluesky.app_password (an app password from Settings > App passwords)")
    elif a.status == 200 and isinstance(a.body, dict) and a.body.get("accessJwt"):
        r.ok(f"auth: createSession ok at {_public(url)}")
    elif a.status == 200:
        r.bad(f"{_public(url)} answered without a session; check sources.bluesky.pds_url")
    else:
        _reach(r, "createSession", url, a, "sources.bluesky.pds_url")


async def _mastodon(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    tag = re.sub(r"\W", "", _term(cfg).lower()) or "earful"
    for i, instance in enumerate(src.instances):
        url = instance.rstrip("/") + f"/api/v1/timelines/tag/{tag}"
        a = await _call(s, "GET", url, timeout, params={"limit": "1"})
        if a.status == 401:
            r.note(f"{_public(url)}: this instance's public timelines need a login (HTTP 401)")
            continue
        _reach(r, "hashtag timeline", url, a, f"sources.mastodon.instances[{i}]")
    token = cfg.secret("sources.mastodon.access_token")
    if not token or not src.instances:
        return
    url = src.instances[0].rstrip("/") + "/api/v2/search"
    a = await _call(s, "GET", url, timeout, params={"q": _term(cfg), "type": "statuses", "limit": "1"},
                    headers={"Authorization": f"Bearer {token}"})
    if a.status in (401, 403):
        r.bad(f"{_public(url)} refused the access token (HTTP {a.status}): fix sources.mastodon.access_token "
              "(a user token from the FIRST instance with scope read:search)")
    elif a.status == 200:
        r.ok(f"auth: search with the access token answered by {_public(url)}")
    else:
        _reach(r, "search", url, a, "sources.mastodon.instances[0]")


async def _hackernews(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    url = src.api_url.rstrip("/") + "/search_by_date"
    a = await _call(s, "GET", url, timeout, params={"query": _term(cfg), "hitsPerPage": "1"})
    _reach(r, "search", url, a, "sources.hackernews.api_url")


async def _rss(r: SourceReport, cfg: Config, src: Any, s: aiohttp.ClientSession, timeout: float) -> None:
    if not src.feeds:
        r.bad("no feeds configured: add URLs to sources.rss.feeds")
    for i, feed in enumerate(src.feeds):
        a = await _call(s, "GET", feed, timeout)
        _reach(r, "feed", feed, a, f"sources.rss.feeds[{i}]")


CHECKS = {"reddit": _reddit, "x": _x, "bluesky": _bluesky, "mastodon": _mastodon, "hackernews": _hackernews,
          "rss": _rss}


async def check_sources(cfg: Config, timeout: float = 8.0) -> list[SourceReport]:
    """Check every enabled source (concurrently); one report per source, in config order."""
    enabled = cfg.sources.enabled()

    async def one(name: str, src: Any, session: aiohttp.ClientSession) -> SourceReport:
        report = SourceReport(name)
        _credentials(report, cfg, name, src)
        check = CHECKS.get(name)
        if check is not None:
            try:
                await check(report, cfg, src, session, timeout)
            except Exception as exc:  # a bug here must not hide the other sources' results
                report.bad(f"the check itself failed ({type(exc).__name__})")
        return report

    async with aiohttp.ClientSession() as session:
        return list(await asyncio.gather(*(one(n, s, session) for n, s in enabled.items())))


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
    if not cfg.sources.enabled():
        say("sources: none enabled; add a [sources.<platform>] table")
    for report in asyncio.run(check_sources(cfg, timeout)):
        say(f"source {report.name}: {'ok' if not report.problems else f'{report.problems} problem(s)'}")
        for line in report.lines:
            say(line)
        problems += report.problems
    for i, route in enumerate(cfg.alerts.routes):
        ok = f"alerts.routes[{i}].webhook" in cfg.secrets
        say(f"alert route {route.name}: webhook {'set' if ok else 'MISSING'}; kinds {', '.join(route.kinds)}")
        problems += not ok
    say("all checks passed" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1
