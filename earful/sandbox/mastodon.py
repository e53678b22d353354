"""Sandbox Mastodon instance (PLATFORMS.md section 4), serving the scenario's mastodon posts.

Endpoints (real paths and wire format):
    GET /api/v1/timelines/tag/:hashtag        public; max_id / since_id / min_id / limit (20, max 40)
    GET /api/v1/accounts/lookup?acct=          Account JSON, or 404 {"error":"Record not found"}
    GET /api/v1/accounts/:id/statuses         same paging; includes the account's boosts (reblog wrappers)
    GET /api/v2/search?q=&type=statuses        statuses only with a valid user token (else empty list)
Newest first; `Link: <…?max_id=N>; rel="next", <…?min_id=M>; rel="prev"` on non-empty pages. Every answer
carries X-RateLimit-Limit / -Remaining / -Reset (ISO 8601, µs); over the limit: 429 {"error":"Too many requests"}.
A wrong bearer token on any endpoint: 401 {"error":"The access token is invalid"}.

Status ids are snowflakes like Mastodon's: (milliseconds since the epoch << 16) + 16 bits from the scenario
id, so they sort by time and are the same every run. Status content is HTML (<p>, <br />, hashtag and
mention links) made from the scenario text. Tags of a post: its `community` plus the #words in its text.
Tests can add posts at run time: app["extra_posts"] (ScenarioPosts or scenario-format dicts) and boosts: app["boosts"]
(dicts {"post": scenario id, "by": acct, "minute": float}).
"""

from __future__ import annotations

import html
import re
import warnings
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from earful.clock import Clock
from earful.matcher import fold
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost
from earful.sandbox.scenario import parse as parse_scenario

PLATFORM = "mastodon"
DEMO_TOKEN = "sandbox-mastodon-user-token"
DEMO_ENV = {"EARFUL_DEMO_MASTODON_TOKEN": DEMO_TOKEN}
RATE_WINDOW = timedelta(minutes=5)

_TAG = re.compile(r"(?<![\w&])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@(\w+(?:@[\w.-]+\w)?)")


def demo_source(url: str) -> dict[str, Any]:
    return {"instances": [url], "hashtags": [], "access_token": {"env": "EARFUL_DEMO_MASTODON_TOKEN"},
            "poll_seconds": 30}


def as_post(item: ScenarioPost | dict[str, Any], scenario: Scenario) -> ScenarioPost:
    """A post added at run time, as a ScenarioPost or a scenario-format dict."""
    if isinstance(item, ScenarioPost):
        return item
    return parse_scenario({"start": scenario.start.isoformat() + "Z", "posts": [item]}).posts[0]


def snowflake(at: datetime, key: str) -> int:
    ms = int(at.replace(tzinfo=UTC).timestamp() * 1000)
    return (ms << 16) | (zlib.crc32(key.encode()) & 0xFFFF)


def account_id(acct: str) -> str:
    return str(100000 + zlib.crc32(acct.lower().encode()) % 900_000_000)


def iso(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def render(text: str, base: str) -> str:
    """Mastodon-style HTML for a plain-text post."""
    paragraphs = []
    for para in text.split("\n\n"):
        body = html.escape(para, quote=False)
        body = _TAG.sub(lambda m: f'<a href="{base}/tags/{m.group(1).lower()}" class="mention hashtag" '
                                  f'rel="tag">#<span>{m.group(1)}</span></a>', body)
        body = _MENTION.sub(lambda m: f'<span class="h-card" translate="no"><a href="{base}/@{m.group(1)}" '
                                      f'class="u-url mention">@<span>{m.group(1)}</span></a></span>', body)
        paragraphs.append("<p>" + body.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


class _Instance:
    def __init__(self, scenario: Scenario, clock: Clock, app: web.Application,
                 post_filter: Callable[[ScenarioPost], bool] | None, token: str, rate_limit: int,
                 public_preview: bool):
        self.scenario, self.clock, self.app = scenario, clock, app
        self.post_filter, self.token, self.rate_limit = post_filter, token, rate_limit
        self.public_preview = public_preview
        self.window_start: datetime | None = None
        self.used = 0

    # -- data ---------------------------------------------------------------------------------
    def extra(self) -> list[ScenarioPost]:
        return [as_post(p, self.scenario) for p in self.app["extra_posts"]]

    def posts(self) -> list[ScenarioPost]:
        now = self.clock.now()
        posts = [p for p in self.scenario.for_platform(PLATFORM) + self.extra()
                 if p.platform == PLATFORM and p.at <= now]
        if self.post_filter is not None:
            posts = [p for p in posts if self.post_filter(p)]
        return posts

    def find(self, post_id: str | None) -> ScenarioPost | None:
        if post_id is None:
            return None
        found = self.scenario.by_id.get(post_id)
        return found or next((p for p in self.extra() if p.id == post_id), None)

    def account(self, acct: str, base: str) -> dict[str, Any]:
        username = acct.split("@")[0]
        return {"id": account_id(acct), "username": username, "acct": acct, "display_name": username.title(),
                "locked": False, "bot": False, "discoverable": True, "group": False,
                "created_at": "2022-11-01T00:00:00.000Z", "note": "", "url": f"{base}/@{acct}",
                "uri": f"{base}/users/{username}", "avatar": f"{base}/avatars/original/missing.png",
                "followers_count": 12, "following_count": 3, "statuses_count": 40,
                "last_status_at": self.clock.now().date().isoformat(), "emojis": [], "fields": []}

    def status(self, post: ScenarioPost, base: str) -> dict[str, Any]:
        sid = str(snowflake(post.at, post.id))
        parent = self.find(post.reply_to)
        if parent is not None and parent.platform != PLATFORM:
            parent = None
        tags = {t.lower() for t in _TAG.findall(post.text)}
        if post.community:
            tags.add(post.community.lower().lstrip("#"))
        return {
            "id": sid, "created_at": iso(post.at),
            "in_reply_to_id": str(snowflake(parent.at, parent.id)) if parent else None,
            "in_reply_to_account_id": account_id(parent.author) if parent else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public",
            "language": post.lang if post.lang and post.lang != "und" else None,
            "uri": f"{base}/users/{post.author.split('@')[0]}/statuses/{sid}",
            "url": f"{base}/@{post.author}/{sid}",
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "quotes_count": 0, "edited_at": None,
            "content": render(post.text, base), "reblog": None,
            "account": self.account(post.author, base), "media_attachments": [],
            "mentions": [], "tags": [{"name": t, "url": f"{base}/tags/{t}"} for t in sorted(tags)],
            "emojis": [], "card": None, "poll": None,
            "_tags": tags,  # removed before sending
        }

    def boosts(self, base: str) -> list[dict[str, Any]]:
        out = []
        for boost in self.app["boosts"]:
            post = self.find(boost["post"])
            at = self.scenario.start + timedelta(minutes=float(boost["minute"]))
            if post is None or at > self.clock.now():
                continue
            original = self.status(post, base)
            original.pop("_tags")
            sid = str(snowflake(at, f"boost:{boost['by']}:{post.id}"))
            out.append({"id": sid, "created_at": iso(at), "in_reply_to_id": None, "in_reply_to_account_id": None,
                        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": None,
                        "uri": f"{base}/users/{boost['by']}/statuses/{sid}/activity", "url": None,
                        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
                        "content": "", "reblog": original, "account": self.account(boost["by"], base),
                        "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None,
                        "poll": None, "_tags": set()})
        return out

    # -- protocol -----------------------------------------------------------------------------
    def rate_headers(self) -> tuple[dict[str, str], bool]:
        now = self.clock.now()
        epoch = datetime(1970, 1, 1)
        start = epoch + RATE_WINDOW * ((now - epoch) // RATE_WINDOW)
        if self.window_start != start:
            self.window_start, self.used = start, 0
        self.used += 1
        reset = start + RATE_WINDOW
        over = self.used > self.rate_limit
        headers = {"X-RateLimit-Limit": str(self.rate_limit),
                   "X-RateLimit-Remaining": str(max(0, self.rate_limit - self.used)),
                   "X-RateLimit-Reset": reset.isoformat(timespec="microseconds") + "Z"}
        return headers, over

    def authorized(self, request: web.Request) -> bool | None:
        """None = no token sent; True = valid; False = invalid."""
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.query.get("access_token")
        if not token:
            return None
        return token == self.token


def _error(status: int, message: str, headers: dict[str, str]) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def _paged(statuses: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
    """Apply Mastodon's id paging to statuses (any order); newest first."""
    try:
        limit = min(40, max(1, int(query.get("limit", 20))))
    except ValueError:
        limit = 20
    statuses = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)

    def bound(name: str) -> int | None:
        value = query.get(name)
        return int(value) if value and value.isdigit() else None

    max_id, since_id, min_id = bound("max_id"), bound("since_id"), bound("min_id")
    if max_id is not None:
        statuses = [s for s in statuses if int(s["id"]) < max_id]
    if since_id is not None:
        statuses = [s for s in statuses if int(s["id"]) > since_id]
    if min_id is not None:
        newer = [s for s in statuses if int(s["id"]) > min_id]
        statuses = newer[-limit:]  # the `limit` statuses right after min_id, still newest first
    statuses = statuses[:limit]
    for s in statuses:
        s.pop("_tags", None)
    return statuses


def _page(statuses: list[dict[str, Any]], query: Any, base_url: Any, headers: dict[str, str]) -> web.Response:
    statuses = _paged(statuses, query)
    headers = dict(headers)
    if statuses:
        keep = {k: v for k, v in query.items() if k not in ("max_id", "since_id", "min_id")}
        nxt = base_url.with_query({**keep, "max_id": statuses[-1]["id"]})
        prev = base_url.with_query({**keep, "min_id": statuses[0]["id"]})
        headers["Link"] = f'<{nxt}>; rel="next", <{prev}>; rel="prev"'
    return web.json_response(statuses, headers=headers)


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, *,
             post_filter: Callable[[ScenarioPost], bool] | None = None, token: str = DEMO_TOKEN,
             rate_limit: int = 300, public_preview: bool = True, **_: Any) -> web.Application:
    app = web.Application(middlewares=[faults.middleware] if faults is not None else [])
    inst = _Instance(scenario, clock, app, post_filter, token, rate_limit, public_preview)
    with warnings.catch_warnings():  # plain string keys: tests and the demo use them
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["extra_posts"] = []
        app["boosts"] = []
        app["instance"] = inst

    def base(request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    async def guard(request: web.Request) -> tuple[dict[str, str], web.Response | None, bool | None]:
        headers, over = inst.rate_headers()
        auth = inst.authorized(request)
        if auth is False:
            return headers, _error(401, "The access token is invalid", headers), auth
        if over:
            return headers, _error(429, "Too many requests", headers), auth
        return headers, None, auth

    async def tag_timeline(request: web.Request) -> web.Response:
        headers, refused, auth = await guard(request)
        if refused is not None:
            return refused
        if not inst.public_preview and not auth:
            return _error(401, "This API requires an authenticated user", headers)
        tag = request.match_info["hashtag"].lower().lstrip("#")
        b = base(request)
        known = set()
        statuses = []
        for post in inst.posts():
            s = inst.status(post, b)
            known |= s["_tags"]
            if tag in s["_tags"]:
                statuses.append(s)
        if tag not in known and tag not in {(p.community or "").lower() for p in inst.scenario.posts}:
            return _error(404, "Record not found", headers)
        return _page(statuses, request.query, request.url.with_query(None), headers)

    async def lookup(request: web.Request) -> web.Response:
        headers, refused, _auth = await guard(request)
        if refused is not None:
            return refused
        acct = request.query.get("acct", "").lstrip("@")
        if acct.lower().endswith("@" + request.host.lower()) or acct.lower().endswith(
                "@" + (request.url.host or "").lower()):
            acct = acct.split("@")[0]
        for post in inst.posts() + [p for p in inst.scenario.for_platform(PLATFORM)]:
            if post.author.lower() == acct.lower():
                return web.json_response(inst.account(post.author, base(request)), headers=headers)
        for boost in app["boosts"]:
            if boost["by"].lower() == acct.lower():
                return web.json_response(inst.account(boost["by"], base(request)), headers=headers)
        return _error(404, "Record not found", headers)

    async def account_statuses(request: web.Request) -> web.Response:
        headers, refused, _auth = await guard(request)
        if refused is not None:
            return refused
        wanted = request.match_info["id"]
        b = base(request)
        statuses = [inst.status(p, b) for p in inst.posts() if account_id(p.author) == wanted]
        if request.query.get("exclude_reblogs", "false").lower() not in ("true", "1"):
            statuses += [s for s in inst.boosts(b) if s["account"]["id"] == wanted]
        if request.query.get("exclude_replies", "false").lower() in ("true", "1"):
            statuses = [s for s in statuses if s["in_reply_to_id"] is None]
        return _page(statuses, request.query, request.url.with_query(None), headers)

    async def search(request: web.Request) -> web.Response:
        headers, refused, auth = await guard(request)
        if refused is not None:
            return refused
        q = fold(request.query.get("q", "")).strip()
        kind = request.query.get("type")
        statuses: list[dict[str, Any]] = []
        if auth and q and kind in (None, "statuses"):
            terms = q.lstrip("#@").split()
            b = base(request)
            statuses = [inst.status(p, b) for p in inst.posts() if all(t in fold(p.text) for t in terms)]
        return web.json_response({"accounts": [], "statuses": _paged(statuses, request.query), "hashtags": []},
                                 headers=headers)

    app.router.add_get("/api/v1/timelines/tag/{hashtag}", tag_timeline)
    app.router.add_get("/api/v1/accounts/lookup", lookup)
    app.router.add_get("/api/v1/accounts/{id}/statuses", account_statuses)
    app.router.add_get("/api/v2/search", search)
    return app
