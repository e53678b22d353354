"""Sandbox Mastodon instance (PLATFORMS.md section 4), serving the scenario's mastodon posts.

Endpoints (real paths and wire format):
    GET /api/v1/timelines/tag/:hashtag        public; max_id / since_id / min_id / limit (20, max 40); a tag
                                               nobody used is 200 [] (mastodon/mastodon
                                               app/controllers/api/v1/timelines/tag_controller.rb:
                                               `@tag.nil? ? [] : ...`)
    GET /api/v1/accounts/lookup?acct=          Account JSON, or 404 {"error":"Record not found"}
    GET /api/v1/accounts/:id/statuses         same paging; includes the account's boosts (reblog wrappers)
    GET /api/v2/search?q=&type=statuses        statuses only with a valid user token (else empty list)
Every path also answers with a trailing slash, as Rails routes do (Mastodon.py asks GET /api/v1/instance/ and
/api/v2/instance/ when it is constructed: halcy/Mastodon.py mastodon/instance.py). A status by a remote
account (acct user@host) carries its origin's ActivityPub `uri` (https://host/users/user/statuses/ID) and `url`
on every instance, as federated statuses do (docs.joinmastodon.org/entities/Status: uri is "URI of the status
used for federation"). Newest first; `Link: <…?max_id=N>; rel="next", <…?min_id=M>; rel="prev"` on non-empty pages. Every answer
carries X-RateLimit-Limit / -Remaining / -Reset (ISO 8601, µs); over the limit: 429 {"error":"Too many requests"}.
A wrong bearer token on any endpoint: 401 {"error":"The access token is invalid"}.

Streaming (Server-Sent Events, the real Mastodon streaming server's wire format):
    GET /api/v1/instance, /api/v2/instance      urls.streaming_api / configuration.urls.streaming = ws(s)://…
                                               (option streaming_url, else this server; instance_api
                                               chooses which of "v1", "v2" exist)
    GET /api/v1/streaming/health                "OK"
    GET /api/v1/streaming/:channel              channels hashtag?tag= , hashtag/local?tag= , public,
                                               public/local, public/remote. A user token is required (Bearer or
                                               access_token=): 401 {"error":"Missing access token"} / {"error":
                                               "Invalid access token"}; unknown channel 400 {"error":"Unknown
                                               channel requested"}; no tag 400 {"error":"No tag for stream provided"}.
    The answer is text/event-stream: ":)" first, then `event: update` + `data: <Status JSON>` + blank line for
    each status of the channel that becomes visible after the connection opened (as the sandbox clock moves or
    extra_posts grow; what was visible at connect time is for REST to serve), and ":thump" heartbeats every
    `heartbeat_seconds` (15, as Mastodon). Open streams notice a moved clock within `poll_ms` (5) or at once on
    app["instance"].notify(). Options: pretty_frames=True spreads each JSON over several data: lines;
    chunk_bytes=N writes frames in N-byte pieces (partial lines on the client); newest_first=True sends what
    appeared at once newest first (Mastodon fans statuses out in parallel, so ids do not arrive in order).
    Fault hooks on app["instance"]: drop_after(n) (the next stream opened is closed by the server after n
    events), inject_raw(text) (written as is into every open stream, or the next one if none is open: broken
    frames, delete / status.update events), await close_streams(), stream_connections, open_streams.

Status ids are snowflakes like Mastodon's: (milliseconds since the epoch << 16) + 16 bits from the scenario
id, so they sort by time and are the same every run. Status content is HTML (<p>, <br />, hashtag and
mention links) made from the scenario text. Tags of a post: its `community` plus the #words in its text.
Tests can add posts at run time: app["extra_posts"] (ScenarioPosts or scenario-format dicts) and boosts: app["boosts"]
(dicts {"post": scenario id, "by": acct, "minute": float}).
"""

from __future__ import annotations

import asyncio
import html
import json
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
from earful.sandbox.server import application

PLATFORM = "mastodon"
DEMO_TOKEN = "sandbox-mastodon-user-token"
DEMO_ENV = {"EARFUL_DEMO_MASTODON_TOKEN": DEMO_TOKEN}
RATE_WINDOW = timedelta(minutes=5)
STREAM_CHANNELS = {"public", "public/local", "public/remote", "hashtag", "hashtag/local"}

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


def origin(acct: str, base: str) -> str:
    """Where an account lives: this instance (``base``) for a local ``user``, https://host for ``user@host``."""
    _, _, host = acct.partition("@")
    return f"https://{host}" if host else base


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
                 public_preview: bool, heartbeat_seconds: float = 15.0, poll_ms: float = 5.0,
                 pretty_frames: bool = False, chunk_bytes: int = 0, newest_first: bool = False):
        self.scenario, self.clock, self.app = scenario, clock, app
        self.post_filter, self.token, self.rate_limit = post_filter, token, rate_limit
        self.public_preview = public_preview
        self.window_start: datetime | None = None
        self.used = 0
        # streaming
        self.heartbeat_seconds, self.poll = heartbeat_seconds, poll_ms / 1000
        self.pretty_frames, self.chunk_bytes, self.newest_first = pretty_frames, chunk_bytes, newest_first
        self.streaming_url: str | None = None   # what the instance endpoints advertise (None: this server)
        self.public_url: str | None = None      # the base written into statuses (None: the request's host)
        self.live: set[_Live] = set()
        self.stream_connections = 0
        self.closing = False
        self._drops: list[int] = []
        self._raw: list[str] = []
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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
        home = origin(acct, base)
        return {"id": account_id(acct), "username": username, "acct": acct, "display_name": username.title(),
                "locked": False, "bot": False, "discoverable": True, "group": False,
                "created_at": "2022-11-01T00:00:00.000Z", "note": "", "url": f"{home}/@{username}",
                "uri": f"{home}/users/{username}", "avatar": f"{base}/avatars/original/missing.png",
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
            # a federated post keeps its origin's ActivityPub uri (and web url) on every instance
            "uri": f"{origin(post.author, base)}/users/{post.author.split('@')[0]}/statuses/{sid}",
            "url": f"{origin(post.author, base)}/@{post.author.split('@')[0]}/{sid}",
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


    # -- streaming ------------------------------------------------------------------------------
    @property
    def open_streams(self) -> int:
        return len(self.live)

    def drop_after(self, events: int) -> None:
        """The next stream opened is closed by the server after sending `events` events."""
        self._drops.append(events)

    def inject_raw(self, text: str) -> None:
        """Write `text` as is into every open stream (or the next one to open)."""
        if self.live:
            for live in self.live:
                live.raw.append(text)
        else:
            self._raw.append(text)
        self.notify()

    async def close_streams(self) -> None:
        for live in list(self.live):
            live.closed = True
        self.notify()
        await asyncio.sleep(0)

    def notify(self) -> None:
        """Tell open streams the clock moved or posts arrived (safe from any thread)."""
        if self._loop is None or self._loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._fire()
        else:
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        wake, self._wake = self._wake, asyncio.Event()
        if wake is not None:
            wake.set()

    def channel_statuses(self, channel: str, tag: str, base: str, posts: list[ScenarioPost]) -> list[dict[str, Any]]:
        """The statuses among `posts` that the channel carries, oldest first."""
        out = []
        for post in posts:
            local = "@" not in post.author
            if (channel.endswith("/local") and not local) or (channel.endswith("/remote") and local):
                continue
            status = self.status(post, base)
            if channel.startswith("hashtag") and tag not in status["_tags"]:
                continue
            status.pop("_tags")
            out.append(status)
        return sorted(out, key=lambda s: int(s["id"]))

    def frame(self, event: str, payload: str) -> str:
        lines = payload.split("\n") if payload else [""]
        return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"

    async def _write(self, resp: web.StreamResponse, text: str) -> None:
        data = text.encode()
        step = self.chunk_bytes or len(data) or 1
        for i in range(0, len(data), step):
            await resp.write(data[i:i + step])
            if self.chunk_bytes:
                await asyncio.sleep(0)

    async def serve_stream(self, request: web.Request, channel: str, tag: str, base: str) -> web.StreamResponse:
        done = {p.id for p in self.posts()}  # visible when the stream opened (REST serves those) or already sent
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
        await resp.prepare(request)
        loop = self._loop = asyncio.get_running_loop()
        if self._wake is None:
            self._wake = asyncio.Event()
        live = _Live(drop=self._drops.pop(0) if self._drops else None, raw=self._raw[:])
        self._raw.clear()
        self.live.add(live)
        self.stream_connections += 1
        try:
            await resp.write(b":)\n")
            next_beat = loop.time() + self.heartbeat_seconds
            seen_key = None
            while not self.closing and not live.closed:
                wake = self._wake
                while live.raw:
                    await self._write(resp, live.raw.pop(0))
                key = (self.clock.now(), len(self.app["extra_posts"]))
                if key != seen_key:
                    seen_key = key
                    fresh = [p for p in self.posts() if p.id not in done]
                    done.update(p.id for p in fresh)
                    statuses = self.channel_statuses(channel, tag, base, fresh)
                    for status in reversed(statuses) if self.newest_first else statuses:
                        dump = json.dumps(status, ensure_ascii=False, indent=1 if self.pretty_frames else None)
                        await self._write(resp, self.frame("update", dump))
                        live.events += 1
                        if live.drop is not None and live.events >= live.drop:
                            live.closed = True
                            break
                    if live.closed:
                        break
                if loop.time() >= next_beat:
                    await resp.write(b":thump\n")
                    next_beat = loop.time() + self.heartbeat_seconds
                try:
                    await asyncio.wait_for(wake.wait(), max(0.0, min(self.poll, next_beat - loop.time())))
                except TimeoutError:
                    pass
            await resp.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client went away
        finally:
            self.live.discard(live)
        return resp


class _Live:
    """One open stream on the sandbox."""

    def __init__(self, drop: int | None, raw: list[str]):
        self.drop, self.raw = drop, raw
        self.events = 0
        self.closed = False


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
             rate_limit: int = 300, public_preview: bool = True, streaming_url: str | None = None,
             public_url: str | None = None, instance_api: tuple[str, ...] = ("v1", "v2"),
             heartbeat_seconds: float = 15.0, poll_ms: float = 5.0, pretty_frames: bool = False,
             chunk_bytes: int = 0, newest_first: bool = False, **_: Any) -> web.Application:
    """The sandbox instance. streaming_url: what the instance endpoints advertise (default: this server, ws://);
    public_url: the base written into statuses (default: the request's host; set it on a second server that
    plays the streaming host of the first, so both describe the same statuses). Both can be changed while
    running: app["instance"].streaming_url / .public_url."""
    app = application(clock, faults)
    inst = _Instance(scenario, clock, app, post_filter, token, rate_limit, public_preview,
                     heartbeat_seconds=heartbeat_seconds, poll_ms=poll_ms, pretty_frames=pretty_frames,
                     chunk_bytes=chunk_bytes, newest_first=newest_first)
    with warnings.catch_warnings():  # plain string keys: tests and the demo use them
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["extra_posts"] = []
        app["boosts"] = []
        app["instance"] = inst
    inst.streaming_url, inst.public_url = streaming_url, public_url

    def base(request: web.Request) -> str:
        return (inst.public_url or f"{request.scheme}://{request.host}").rstrip("/")

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
        statuses = []
        for post in inst.posts():
            s = inst.status(post, b)
            if tag in s["_tags"]:
                statuses.append(s)
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

    def instance_info(request: web.Request, version: str) -> dict[str, Any]:
        b = base(request)
        stream = inst.streaming_url or "ws" + f"{request.scheme}://{request.host}"[4:]
        domain = request.host
        common = {"title": "Earful sandbox", "version": "4.3.0", "description": "A sandbox Mastodon instance",
                  "languages": ["en"], "rules": []}
        if version == "v1":
            return {**common, "uri": domain, "short_description": "sandbox", "email": "admin@example.invalid",
                    "urls": {"streaming_api": stream}, "stats": {"user_count": 10, "status_count": 100,
                                                                 "domain_count": 5},
                    "thumbnail": f"{b}/thumb.png", "registrations": False, "approval_required": False,
                    "invites_enabled": False, "configuration": {"statuses": {"max_characters": 500}}}
        return {**common, "domain": domain, "source_url": "https://github.com/mastodon/mastodon",
                "usage": {"users": {"active_month": 10}}, "thumbnail": {"url": f"{b}/thumb.png"},
                "api_versions": {"mastodon": 2},  # since 4.3.0 (Mastodon.py warns without it)
                "configuration": {"urls": {"streaming": stream, "status": None},
                                  "statuses": {"max_characters": 500, "max_media_attachments": 4},
                                  "accounts": {"max_featured_tags": 10}},
                "registrations": {"enabled": False, "approval_required": False, "message": None},
                "contact": {"email": "admin@example.invalid", "account": None}}

    def instance_handler(version: str) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            headers, refused, _auth = await guard(request)
            if refused is not None:
                return refused
            if version not in instance_api:
                return _error(404, "Record not found", headers)
            return web.json_response(instance_info(request, version), headers=headers)
        return handler

    async def streaming_health(request: web.Request) -> web.Response:
        return web.Response(text="OK", content_type="text/plain")

    async def streaming(request: web.Request) -> web.StreamResponse:
        auth = inst.authorized(request)
        if auth is None:
            return _error(401, "Missing access token", {})
        if auth is False:
            return _error(401, "Invalid access token", {})
        channel = request.match_info["channel"].strip("/")
        if channel not in STREAM_CHANNELS:
            return _error(400, "Unknown channel requested", {})
        tag = request.query.get("tag", "").lower().lstrip("#")
        if channel.startswith("hashtag") and not tag:
            return _error(400, "No tag for stream provided", {})
        return await inst.serve_stream(request, channel, tag, base(request))

    async def on_shutdown(_app: web.Application) -> None:
        inst.closing = True
        inst.notify()

    app.on_shutdown.append(on_shutdown)
    routes = [("/api/v1/instance", instance_handler("v1")), ("/api/v2/instance", instance_handler("v2")),
              ("/api/v1/streaming/health", streaming_health), ("/api/v1/streaming/{channel:.+}", streaming),
              ("/api/v1/timelines/tag/{hashtag}", tag_timeline), ("/api/v1/accounts/lookup", lookup),
              ("/api/v1/accounts/{id}/statuses", account_statuses), ("/api/v2/search", search)]
    for path, handler in routes:
        app.router.add_get(path, handler)
        if not path.endswith(".+}"):  # Rails routes take a trailing slash too; Mastodon.py asks /api/v1/instance/
            app.router.add_get(path + "/", handler)
    return app
