"""Mastodon collector: hashtag timelines (followed live over the streaming API when a token is set),
full-text search (with a token) and the brand's own statuses.

Endpoints (per instance in sources.mastodon.instances):
    GET /api/v1/timelines/tag/:hashtag          public (unless the instance disabled public preview);
                                                 one per tag in sources.mastodon.hashtags plus each brand keyword
                                                 written as a hashtag ("Acme Corp" -> #acmecorp)
    GET /api/v1/accounts/lookup?acct=            resolves each brand account (brand.accounts["mastodon"])
    GET /api/v1/accounts/:id/statuses            the brand's posts and replies (marks cases answered)
    GET /api/v2/search?q=&type=statuses          only with sources.mastodon.access_token, on the first instance
    GET /api/v2/instance, then /api/v1/instance  the streaming host: configuration.urls.streaming (v2) or
                                                 urls.streaming_api (v1), wss:// read as https://; else the
                                                 instance URL itself
    GET {streaming}/api/v1/streaming/hashtag?tag=  Server-Sent Events, one connection per tag, on the FIRST
                                                 instance and only with sources.mastodon.access_token
                                                 (since Mastodon 4.2 streaming needs a user token with
                                                 read:statuses; sent as `Authorization: Bearer`)
Paging: newest first, limit 40; `Link` rel="next" (older, max_id) / rel="prev" (newer, min_id). A first run
backfills backwards to source.backfill_hours before now, later runs walk forwards with min_id, so every
yielded page's cursor is safe to resume from. Boosts (reblog wrappers) are skipped.
Limits: 300 requests / 5 min per IP or token by default (instances differ). Headers X-RateLimit-Limit,
-Remaining, -Reset (ISO 8601); 429 {"error":"Too many requests"} -> RateLimited until the reset (<= 900 s).
Credentials: none for hashtag timelines; sources.mastodon.access_token = a user token (scopes read:search,
read:statuses) from the FIRST instance for full-text search (needs Elasticsearch on that instance) and
streaming. 401 {"error":"The access token is invalid"} (REST) or a 401/403 from the streaming server ->
AuthFailed(setting="sources.mastodon.access_token").

Streaming. Why hashtag streams and not /api/v1/streaming/public with local filtering: the hashtag stream
carries exactly the statuses the hashtag timeline lists, so after a disconnect the REST timeline with the
stored min_id cursor replays precisely what the stream missed. The public stream is the instance's whole
federated firehose (hundreds of statuses a second on large instances), many instances restrict it, and its
REST catch-up would mean paging the entire public timeline. Untagged mentions come from search, as before.
Frames: `event: update` / `status.update` + `data: <Status JSON>` (several data: lines are joined with "\n"),
`event: delete` + `data: <id>` (counted; the store keeps what was said), comment lines (`:)`, `:thump`
heartbeats every 15 s) keep the connection alive. Malformed frames are skipped and counted
(stats["malformed"]). Order within a call: open the streams, then the REST pass (so nothing falls between
the two), then follow the streams. A closed stream is reopened after a backoff (clock.sleep: 0.5 s doubling,
<= 60 s) and its tag caught up over REST from the stored min_id cursor; since statuses are not fanned out in
strict id order, each catch-up starts `rewind_seconds` (60) of snowflake id before the cursor, and the ids
yielded in that window are kept in the cursor ("recent") so a restart neither loses nor repeats them.
A stream refused with 400 {"error":"Unknown channel requested"} or 404 (no SSE streaming there) is polled
over REST instead for the collector's lifetime. How long one pages() call follows the streams:
until_idle=True (the demo, tests): until no event for `idle_seconds` of wall time (heartbeats do not
count); otherwise (the service): up to `stream_seconds` (600), polling the REST parts that have no stream
(brand accounts, search, other instances) every poll interval meanwhile. Stream pages carry counters in
Page.meta.

Ids are "<instance host>:<status id>" (status ids are local to the instance that served them, so the same
federated post seen on two instances gets two ids; within one run the second copy is dropped by its uri).
Content is HTML and is reduced to plain text; a content warning (spoiler_text) is kept before the text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from earful import httppolicy
from earful.clock import Clock, parse_iso
from earful.collectors.base import dump_cursor, load_cursor
from earful.collectors.htmltext import html_to_text
from earful.collectors.httpget import Reply, get, safe_url
from earful.config import Config, MastodonSource
from earful.errors import (
    AuthFailed,
    MalformedPayload,
    RateLimited,
    SourceError,
    Unavailable,
)
from earful.matcher import search_terms
from earful.model import Mention, Page

log = logging.getLogger(__name__)

PLATFORM = "mastodon"
TOKEN_SETTING = "sources.mastodon.access_token"
LIMIT = 40
MAX_RETRY_AFTER = 900.0
DEFAULT_RETRY_AFTER = 60.0
STREAM_PATH = "/api/v1/streaming/hashtag"
MAX_FRAME = 4 * 1024 * 1024   # one SSE line or event larger than this is dropped (and counted)
RECENT_MAX = 200              # ids kept in the cursor per streamed tag (those inside the rewind window)
MAX_BACKOFF = 60.0
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([\w-]+)"?')
_STREAM_SCHEMES = {"wss": "https", "https": "https", "ws": "http", "http": "http"}


def _id_key(value: str) -> tuple[int, str]:
    return (len(value), value)  # numeric strings (and ULIDs) compare correctly this way


def hashtag(keyword: str) -> str:
    return re.sub(r"[\W]", "", keyword.lstrip("#"), flags=re.UNICODE).lower()


def parse_links(value: str | None) -> dict[str, dict[str, str]]:
    """Link header -> {rel: {query param: value}}."""
    out: dict[str, dict[str, str]] = {}
    for url, rel in _LINK.findall(value or ""):
        out[rel] = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    return out


def _newer(links: dict[str, dict[str, str]]) -> str | None:
    prev = links.get("prev", {})
    return prev.get("min_id") or prev.get("since_id")  # older servers page forwards with since_id




class _Instance:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        parts = urlsplit(self.url if "://" in self.url else "https://" + self.url)
        if "://" not in self.url:
            self.url = "https://" + self.url
        self.host = parts.netloc.lower()
        self.hostname = (parts.hostname or "").lower()


class SseParser:
    """Server-sent events from raw byte chunks, split anywhere (mid-line, mid-UTF-8, CRLF or LF).

    feed() returns the complete events as (event name, data); several data: lines are joined with "\\n";
    comment lines (":)", ":thump") are only counted. A line or event over `max_bytes` is dropped and counted
    in `oversized`; what is left unfinished when the stream ends is never dispatched.
    """

    def __init__(self, max_bytes: int = MAX_FRAME):
        self.max_bytes = max_bytes
        self.comments = 0
        self.oversized = 0
        self._buf = bytearray()
        self._skip_line = False     # the rest of an oversized line is still arriving
        self._drop_event = False    # the current event grew too large: ignore it up to its blank line
        self._event = ""
        self._data: list[str] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        self._buf += chunk
        if b"\n" in chunk:
            *lines, rest = self._buf.split(b"\n")
            self._buf = bytearray(rest)
            for raw in lines:
                if self._skip_line:
                    self._skip_line = False
                    continue
                self._line(raw.rstrip(b"\r").decode("utf-8", "replace"), out)
        if len(self._buf) > self.max_bytes:  # a line that does not end
            self._buf.clear()
            if not self._skip_line:
                self.oversized += 1
            self._skip_line = self._drop_event = True
            self._data = []
        return out

    def _line(self, line: str, out: list[tuple[str, str]]) -> None:
        if not line:
            if self._data and not self._drop_event:
                out.append((self._event or "message", "\n".join(self._data)))
            self._event, self._data, self._size, self._drop_event = "", [], 0, False
            return
        if line.startswith(":"):
            self.comments += 1
            return
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            self._event = value
        elif field == "data" and not self._drop_event:
            self._size += len(value) + 1
            if self._size > self.max_bytes:
                self.oversized += 1
                self._drop_event, self._data = True, []
            else:
                self._data.append(value)
        # "id" and "retry" are not used by Mastodon; other fields are ignored as the SSE spec says


class _Refused(Exception):
    """The streaming server will not serve this stream (400 unknown channel, 404, not an event stream)."""


class _Sse:
    """One open SSE connection (one tag) and the task reading it into the collector's queue."""

    def __init__(self, tag: str, resp: aiohttp.ClientResponse, opened: float):
        self.tag, self.resp, self.opened = tag, resp, opened
        self.frames = 0
        self.task: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        self.resp.close()


def streaming_url(instance_info: Any) -> str | None:
    """configuration.urls.streaming (v2 Instance) or urls.streaming_api (v1 Instance)."""
    if not isinstance(instance_info, dict):
        return None
    for outer, key in (("configuration", "urls"), (None, "urls")):
        holder = instance_info.get(outer) if outer else instance_info
        urls = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(urls, dict):
            for name in ("streaming", "streaming_api"):
                if isinstance(urls.get(name), str) and urls[name]:
                    return urls[name]
    return None


def _short(value: Any, limit: int = 80) -> str:
    """Server-supplied text for a log line or error: printable, bounded."""
    text = value if isinstance(value, str) else ""
    return "".join(c if c.isprintable() else "?" for c in text[:limit])


class MastodonCollector:
    platform = PLATFORM

    def __init__(self, config: Config, source: MastodonSource, clock: Clock, session: aiohttp.ClientSession, *,
                 streaming: bool = True, until_idle: bool = False, idle_seconds: float = 0.02,
                 stream_seconds: float = 600.0, rest_seconds: float | None = None, batch_size: int = 100,
                 batch_seconds: float = 0.2, rewind_seconds: float = 60.0, max_failures: int = 6,
                 stream_timeout: float = 45.0):
        self.key = PLATFORM
        self.source, self.clock, self.session = source, clock, session
        self.poll_interval = float(source.poll_seconds)
        self.instances = [_Instance(u) for u in source.instances]
        names = [inst.hostname for inst in self.instances]
        if len(set(names)) == len(names):
            # ids and cursors are keyed by host name alone, so a port change (a restarted sandbox, a proxy)
            # neither duplicates posts nor forgets where collection stopped
            for inst in self.instances:
                inst.host = inst.hostname
        self.token = config.secret(TOKEN_SETTING)
        tags = [hashtag(t) for t in source.hashtags]
        tags += [hashtag(k) for b in config.brands for k in b.keywords]
        self.tags = list(dict.fromkeys(t for t in tags if t))
        self.terms = list(dict.fromkeys(t for b in config.brands for t in search_terms(b, PLATFORM)))
        # brand accounts: how each configured handle is written (lower-case, no @)
        self.accounts = list(dict.fromkeys(h.lower().lstrip("@") for b in config.brands
                                           for h in b.accounts.get(PLATFORM, []) if h.strip("@ ")))
        self._account_ids: dict[tuple[str, str], str] = {}
        self._seen_uris: OrderedDict[str, None] = OrderedDict()
        self._threads: OrderedDict[str, str] = OrderedDict()
        self.state: dict[str, Any] = {}
        # streaming (see the module docstring)
        self.streaming, self.until_idle, self.idle_seconds = streaming, until_idle, idle_seconds
        self.stream_seconds, self.batch_size, self.batch_seconds = stream_seconds, batch_size, batch_seconds
        self.rest_seconds = self.poll_interval if rest_seconds is None else rest_seconds
        self.rewind_seconds, self.max_failures, self.stream_timeout = rewind_seconds, max_failures, stream_timeout
        self.timeout = float(source.timeout_seconds)
        self._stream_base: str | None = None
        self._unstreamable: set[str] = set()   # tags the streaming server refused: polled over REST
        self._live: dict[str, _Sse] = {}       # tag -> open connection (only while pages() runs)
        self._queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.following = False                 # True while pages() reads the streams (after its REST pass)
        self.stats = {"connections": 0, "reconnects": 0, "events": 0, "heartbeats": 0, "malformed": 0,
                      "deletes": 0, "edits": 0, "streamed": 0, "catchups": 0}

    async def aclose(self) -> None:
        await self._close_live()

    # -- the generator --------------------------------------------------------------------------
    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        self.state = load_cursor(cursor)
        errors: list[SourceError] = []
        live_inst = self.instances[0] if self._can_stream() else None
        try:
            for inst in self.instances:
                try:
                    if inst is live_inst:
                        await self._open_live(inst)  # subscribe first, so the REST pass below covers the gap
                    async for page in self._instance_pages(inst):
                        yield page
                except SourceError as exc:  # one instance failing must not starve the others
                    log.warning("mastodon %s: %s", inst.host, exc)
                    errors.append(exc)
                    if inst is live_inst:
                        await self._close_live()
            if live_inst is not None and self._live:
                try:
                    async for page in self._follow(live_inst, errors):
                        yield page
                except SourceError as exc:
                    log.warning("mastodon %s streaming: %s", live_inst.host, exc)
                    errors.append(exc)
        finally:
            await self._close_live()
        if errors:
            raise next((e for e in errors if isinstance(e, AuthFailed)), errors[0])

    async def _instance_pages(self, inst: _Instance, skip_tags: set[str] | frozenset[str] = frozenset()
                              ) -> AsyncIterator[Page]:
        token = self.token if inst is self.instances[0] else None
        rewind = token is not None and self._can_stream()  # tag cursors may have been moved by the stream
        for tag in self.tags:
            if tag in skip_tags:
                continue
            async for page in self._stream(inst, f"tag:{tag}", f"/api/v1/timelines/tag/{tag}", {}, token,
                                           rewind=rewind):
                yield page
        for acct in self.accounts:
            home = self._home(acct)
            if home is not inst:
                continue
            account_id = await self._lookup(inst, acct, token)
            if account_id is None:
                continue
            async for page in self._stream(inst, f"account:{acct}", f"/api/v1/accounts/{account_id}/statuses",
                                           {}, token):
                yield page
        if token:
            for term in self.terms:
                async for page in self._stream(inst, f"search:{term}", "/api/v2/search",
                                               {"q": term, "type": "statuses"}, token, search=True):
                    yield page

    def _home(self, acct: str) -> _Instance:
        """The configured instance that holds an account: its own domain if configured, else the first."""
        domain = acct.split("@")[1] if "@" in acct else ""
        for inst in self.instances:
            if domain and domain in (inst.hostname, inst.host):
                return inst
        return self.instances[0]

    # -- streaming: open, read, follow, reconnect -------------------------------------------------------
    def _can_stream(self) -> bool:
        return self.streaming and bool(self.token) and bool(self.tags)

    def _rewound(self, top: str) -> str:
        """The snowflake id `rewind_seconds` before `top` (ids are milliseconds << 16); other ids as they are."""
        if not top.isdigit() or self.rewind_seconds <= 0:
            return top
        return str(max(0, int(top) - (int(self.rewind_seconds * 1000) << 16)))

    def _note_ids(self, st: dict[str, Any], ids: list[str]) -> None:
        """Statuses of a streamed tag were yielded: move the tag's cursor past them and remember them while
        they are inside the rewind window (so the next catch-up skips them even in a new process)."""
        if not ids:
            return
        st["top"] = max([*ids, st["top"]] if st.get("top") else ids, key=_id_key)
        low = _id_key(self._rewound(st["top"]))
        recent = {*(st.get("recent") or ()), *ids}
        st["recent"] = sorted((i for i in recent if isinstance(i, str) and _id_key(i) > low), key=_id_key)[-RECENT_MAX:]

    async def _streaming_base(self, inst: _Instance) -> str:
        """Where the instance streams from (cached once found); the instance URL when it does not say."""
        if self._stream_base is not None:
            return self._stream_base
        found = None
        for path in ("/api/v2/instance", "/api/v1/instance"):
            try:
                reply = await get(self.session, inst.url + path, headers={"Accept": "application/json"},
                                  timeout=self.timeout)
            except SourceError as exc:
                log.warning("mastodon %s: cannot read %s (%s); streaming from the instance URL", inst.host, path, exc)
                return inst.url
            if reply.status in (404, 410):
                continue
            if reply.status == 200:
                try:
                    found = streaming_url(reply.json())
                except MalformedPayload:
                    found = None
            if found or reply.status != 200:
                break
        self._stream_base = self._stream_origin(inst, found) if found else inst.url
        log.info("mastodon %s: streaming from %s", inst.host, self._stream_base)
        return self._stream_base

    @staticmethod
    def _stream_origin(inst: _Instance, url: str) -> str:
        parts = urlsplit(url)
        scheme = _STREAM_SCHEMES.get(parts.scheme.lower())
        if scheme is None or not parts.netloc:
            log.warning("mastodon %s: ignoring the streaming URL %r", inst.host, _short(url))
            return inst.url
        if scheme == "http" and inst.url.startswith("https://"):
            log.warning("mastodon %s: ignoring a plain-http streaming URL (the token would travel unencrypted)",
                        inst.host)
            return inst.url
        return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"

    async def _open_sse(self, base: str, tag: str) -> _Sse:
        url = base + STREAM_PATH
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        where = f"mastodon {safe_url(url)} #{tag}"
        try:
            async with asyncio.timeout(self.timeout):
                resp = await self.session.get(
                    url, params={"tag": tag}, headers=headers,
                    timeout=aiohttp.ClientTimeout(total=None, connect=self.timeout, sock_read=None))
        except TimeoutError:
            raise Unavailable(f"{where}: no answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise Unavailable(f"{where}: {exc.__class__.__name__}") from None
        if resp.status == 200 and resp.content_type == "text/event-stream":
            self.stats["connections"] += 1
            log.info("mastodon: streaming #%s from %s", tag, safe_url(resp.url))
            return _Sse(tag, resp, asyncio.get_running_loop().time())
        status = resp.status
        try:
            async with asyncio.timeout(self.timeout):
                body = await resp.content.read(64 * 1024)
        except (TimeoutError, aiohttp.ClientError):
            body = b""
        finally:
            resp.close()
        try:
            error = json.loads(body).get("error")
        except (ValueError, AttributeError, UnicodeDecodeError):
            error = None
        detail = f"HTTP {status}" + (f" {_short(error)!r}" if error else "")
        if status in (401, 403):
            raise AuthFailed(f"{where}: the streaming API refused the access token ({detail}); it needs a user "
                             f"token with read:statuses", setting=TOKEN_SETTING)
        if status == 429:
            raise RateLimited(f"{where}: rate limited", retry_after=self._retry_after(resp))
        if status >= 500:
            raise Unavailable(f"{where}: {detail}")
        if status == 200:
            detail = f"answered {resp.content_type or 'no content type'}, not an event stream"
        raise _Refused(f"{where}: {detail}")

    async def _read_sse(self, conn: _Sse, queue: asyncio.Queue[tuple[Any, ...]]) -> None:
        """Feed one connection's events into the queue; ("closed", conn, reason) when it ends."""
        parser = SseParser()
        reason = "the server closed the stream"
        try:
            while True:
                try:
                    async with asyncio.timeout(self.stream_timeout):
                        chunk = await conn.resp.content.readany()
                except TimeoutError:
                    reason = f"nothing received for {self.stream_timeout:g} s (not even a heartbeat)"
                    break
                if not chunk:
                    break
                comments, oversized = parser.comments, parser.oversized
                for event, data in parser.feed(chunk):
                    queue.put_nowait(("frame", conn, event, data))
                self.stats["heartbeats"] += parser.comments - comments
                if parser.oversized > oversized:
                    self.stats["malformed"] += parser.oversized - oversized
                    log.warning("mastodon: skipped an oversized stream frame (#%s)", conn.tag)
        except (aiohttp.ClientError, OSError) as exc:
            reason = exc.__class__.__name__
        queue.put_nowait(("closed", conn, reason))

    def _start(self, conn: _Sse) -> None:
        self._live[conn.tag] = conn
        conn.task = asyncio.create_task(self._read_sse(conn, self._queue), name=f"mastodon-sse-{conn.tag}")

    async def _open_live(self, inst: _Instance) -> None:
        """Open one stream per tag. AuthFailed and RateLimited propagate; a tag the server refuses is polled."""
        await self._close_live()
        self._queue = asyncio.Queue()
        base = await self._streaming_base(inst)
        for tag in self.tags:
            if tag in self._unstreamable:
                continue
            try:
                self._start(await self._open_sse(base, tag))
            except _Refused as exc:
                log.warning("%s; polling #%s over REST instead", exc, tag)
                self._unstreamable.add(tag)
            except Unavailable as exc:
                log.warning("%s; polling over REST this time", exc)
                break

    async def _close_live(self) -> None:
        live, self._live = list(self._live.values()), {}
        for conn in live:
            await conn.close()

    def _live_page(self, inst: _Instance, mentions: list[Mention], note: str = "stream") -> Page:
        self.stats["streamed"] += len(mentions)
        log.info("mastodon %s stream: page of %d statuses (%d events, %d heartbeats, %d malformed so far)",
                 inst.host, len(mentions), self.stats["events"], self.stats["heartbeats"], self.stats["malformed"])
        return Page(mentions, dump_cursor(self.state), note=f"{inst.host} {note}", meta=dict(self.stats))

    def _on_frame(self, inst: _Instance, conn: _Sse, event: str, data: str) -> Mention | None:
        conn.frames += 1
        self.stats["events"] += 1
        if event == "delete":
            self.stats["deletes"] += 1  # what was said stays said; nothing to undo in the store
            return None
        if event not in ("update", "status.update"):
            return None  # notifications, announcements, filters_changed, ...: not for a hashtag stream
        try:
            status = json.loads(data)
        except ValueError:
            status = None
        if not isinstance(status, dict) or not isinstance(status.get("id"), str) or not 0 < len(status["id"]) <= 64:
            self.stats["malformed"] += 1
            log.warning("mastodon %s: skipped a malformed %s frame on #%s (%d bytes)", inst.host, event, conn.tag,
                        len(data))
            return None
        if event == "status.update":
            self.stats["edits"] += 1
        st = self.state.setdefault(inst.host, {}).setdefault(f"tag:{conn.tag}", {})
        floor = parse_iso(st.get("floor")) or self.clock.now() - timedelta(hours=self.source.backfill_hours)
        yielded_before = status["id"] in (st.get("recent") or ())
        self._note_ids(st, [status["id"]])
        if yielded_before or not self._keep([status], floor):
            return None
        return self._mention(inst, status)

    async def _follow(self, inst: _Instance, errors: list[SourceError]) -> AsyncIterator[Page]:
        self.following = True
        try:
            async for page in self._follow_loop(inst, errors):
                yield page
        finally:
            self.following = False

    async def _follow_loop(self, inst: _Instance, errors: list[SourceError]) -> AsyncIterator[Page]:
        """Batch stream events into pages until idle (until_idle) or stream_seconds; reconnect closed streams;
        in the service, run the REST parts without a stream every rest_seconds."""
        loop = asyncio.get_running_loop()
        start = last_yield = loop.time()
        # quiet time counts from when the streams opened: they were already listening during the REST pass
        last_event = min((conn.opened for conn in self._live.values()), default=start)
        next_rest = start + self.rest_seconds
        failures: dict[str, int] = {}
        pending: list[Mention] = []
        while self._live:
            now = loop.time()
            deadlines = [start + self.stream_seconds]
            if pending:
                deadlines.append(last_yield + self.batch_seconds)
            deadlines.append(last_event + self.idle_seconds if self.until_idle else next_rest)
            try:
                async with asyncio.timeout(max(0.0, min(deadlines) - now)):
                    item = await self._queue.get()
            except TimeoutError:
                item = None
            now = loop.time()
            if item is not None and item[1] is not self._live.get(item[1].tag):
                continue  # left over from a connection already closed
            if item is not None and item[0] == "frame":
                last_event = now
                mention = self._on_frame(inst, item[1], item[2], item[3])
                if mention is not None:
                    pending.append(mention)
            elif item is not None:  # closed
                if pending:
                    yield self._live_page(inst, pending)
                    pending = []
                async for page in self._reconnect(inst, item[1], item[2], failures):
                    yield page
                last_event = last_yield = loop.time()
                continue
            idle = self.until_idle and now - last_event >= self.idle_seconds
            done = idle or now - start >= self.stream_seconds
            if pending and (done or len(pending) >= self.batch_size or now - last_yield >= self.batch_seconds):
                yield self._live_page(inst, pending)
                pending = []
                last_yield = loop.time()
                last_event = max(last_event, last_yield)  # the consumer's time is not quiet time
            if done:
                log.info("mastodon %s: streams %s; %d statuses streamed so far", inst.host,
                         "idle, caught up" if idle else "followed long enough", self.stats["streamed"])
                return
            if not self.until_idle and now >= next_rest:
                # the parts without a stream: brand accounts, search, tags the server refused, other instances
                if pending:  # first hand over what the stream gave (the REST pages' cursors cover it)
                    yield self._live_page(inst, pending)
                    pending = []
                before = len(errors)
                for other in self.instances:
                    try:
                        async for page in self._instance_pages(other, set(self._live) if other is inst else set()):
                            yield page
                    except SourceError as exc:
                        log.warning("mastodon %s: %s", other.host, exc)
                        errors.append(exc)
                if len(errors) > before:
                    return
                next_rest = loop.time() + self.rest_seconds
        if pending:
            yield self._live_page(inst, pending)

    async def _reconnect(self, inst: _Instance, conn: _Sse, reason: str, failures: dict[str, int]
                         ) -> AsyncIterator[Page]:
        """Reopen a closed stream after a backoff, then catch its tag up over REST from the stored cursor."""
        tag = conn.tag
        await conn.close()
        self._live.pop(tag, None)
        self.stats["reconnects"] += 1
        lived = asyncio.get_running_loop().time() - conn.opened
        failures[tag] = 0 if conn.frames or lived >= 60 else failures.get(tag, 0) + 1
        log.info("mastodon %s: stream #%s closed (%s); reconnecting", inst.host, tag, reason)
        while True:
            if failures[tag] > self.max_failures:
                log.warning("mastodon %s: stream #%s keeps failing; polling it over REST for now", inst.host, tag)
                break
            await self.clock.sleep(httppolicy.backoff(failures[tag] + 1, cap=MAX_BACKOFF))
            try:
                self._start(await self._open_sse(await self._streaming_base(inst), tag))
                break
            except _Refused as exc:
                log.warning("%s; polling #%s over REST instead", exc, tag)
                self._unstreamable.add(tag)
                break
            except Unavailable as exc:
                failures[tag] += 1
                log.warning("%s (attempt %d)", exc, failures[tag])
        async for page in self._stream(inst, f"tag:{tag}", f"/api/v1/timelines/tag/{tag}", {}, self.token,
                                       rewind=True):
            yield page
        self.stats["catchups"] += 1

    # -- one stream: backfill backwards once, then forwards ---------------------------------------
    async def _stream(self, inst: _Instance, name: str, path: str, params: dict[str, str], token: str | None,
                      search: bool = False, rewind: bool = False) -> AsyncIterator[Page]:
        """One REST timeline. rewind=True (tags that are streamed): go forwards from `rewind_seconds` before the
        cursor, skipping the ids the cursor lists as already yielded there."""
        streams = self.state.setdefault(inst.host, {})
        st = dict(streams.get(name) or {})
        floor = parse_iso(st.get("floor")) or self.clock.now() - timedelta(hours=self.source.backfill_hours)
        st["floor"] = floor.isoformat()
        if not st.get("top"):
            statuses, links = await self._fetch(inst, name, path, params, token, search)
            if statuses is None:
                return
            ids = [s["id"] for s in statuses]
            kept = self._keep(statuses, floor)
            if ids:
                st["top"] = _newer(links) or max(ids, key=_id_key)
                reached_floor = len(kept) < len(statuses)
                st["low"] = None if reached_floor else (links.get("next", {}).get("max_id") or min(ids, key=_id_key))
            if rewind:
                self._note_ids(st, [s["id"] for s in kept])
            yield self._page(inst, name, st, kept)
        while st.get("low"):
            statuses, links = await self._fetch(inst, name, path, {**params, "max_id": st["low"]}, token, search)
            statuses = statuses or []
            kept = self._keep(statuses, floor)
            ids = [s["id"] for s in statuses]
            if not ids or len(kept) < len(statuses):
                st["low"] = None
            else:
                st["low"] = links.get("next", {}).get("max_id") or min(ids, key=_id_key)
            yield self._page(inst, name, st, kept)
        after = st.get("top")
        skip: set[str] = set()
        if rewind and after:
            after, skip = self._rewound(after), set(st.get("recent") or ())
        while after:
            statuses, links = await self._fetch(inst, name, path, {**params, "min_id": after}, token, search)
            if not statuses:
                return
            ids = [s["id"] for s in statuses]
            newest = _newer(links) or max(ids, key=_id_key)
            if _id_key(newest) <= _id_key(after):
                return  # a server that ignores min_id must not loop us forever
            after = newest
            st["top"] = max(st["top"], newest, key=_id_key)
            kept = [s for s in self._keep(statuses, floor) if s["id"] not in skip]
            if rewind:
                self._note_ids(st, [s["id"] for s in kept])
            yield self._page(inst, name, st, kept)
            if len(statuses) < LIMIT:
                return  # a short page going forwards means caught up (nothing is lost by stopping early)

    def _keep(self, statuses: list[dict[str, Any]], floor: datetime) -> list[dict[str, Any]]:
        return [s for s in statuses if (parse_iso(s.get("created_at")) or floor) >= floor]

    def _page(self, inst: _Instance, name: str, st: dict[str, Any], statuses: list[dict[str, Any]]) -> Page:
        self.state.setdefault(inst.host, {})[name] = {k: v for k, v in st.items() if v is not None}
        mentions = []
        for status in sorted(statuses, key=lambda s: _id_key(s["id"])):  # parents before replies
            mention = self._mention(inst, status)
            if mention is not None:
                mentions.append(mention)
        return Page(mentions, dump_cursor(self.state), note=f"{inst.host} {name}")

    # -- HTTP ------------------------------------------------------------------------------------
    async def _fetch(self, inst: _Instance, name: str, path: str, params: dict[str, str], token: str | None,
                     search: bool) -> tuple[list[dict[str, Any]] | None, dict[str, dict[str, str]]]:
        query = {**params, "limit": str(LIMIT)}
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        reply = await get(self.session, inst.url + path, params=query, headers=headers,
                          timeout=self.source.timeout_seconds)
        if reply.status == 404 and not search:
            log.info("mastodon %s %s: not found (no posts yet)", inst.host, name)
            return None, {}
        self._check(inst, reply, sent_token=bool(token))
        data = reply.json()
        if search:
            data = data.get("statuses") if isinstance(data, dict) else None
        if not isinstance(data, list):
            raise MalformedPayload(f"mastodon {inst.host} {name}: expected a list of statuses")
        statuses = [s for s in data if isinstance(s, dict) and isinstance(s.get("id"), str) and s["id"]]
        if len(statuses) < len(data):
            log.warning("mastodon %s %s: skipped %d malformed statuses", inst.host, name, len(data) - len(statuses))
        log.info("mastodon %s %s: %d statuses (rate remaining %s)", inst.host, name, len(statuses),
                 reply.headers.get("X-RateLimit-Remaining", "?"))
        return statuses, parse_links(reply.headers.get("Link"))

    def _check(self, inst: _Instance, reply: Reply, sent_token: bool) -> None:
        if reply.status < 300:
            return
        where = f"mastodon {safe_url(reply.url)}"
        if reply.status == 429:
            raise RateLimited(f"{where}: rate limited", retry_after=self._retry_after(reply))
        if reply.status in (401, 403):
            if sent_token:
                raise AuthFailed(f"{where}: the access token was rejected (HTTP {reply.status})", setting=TOKEN_SETTING)
            raise AuthFailed(f"{where}: the instance requires a user token (HTTP {reply.status})",
                             setting=TOKEN_SETTING)
        if reply.status >= 500:
            raise Unavailable(f"{where}: HTTP {reply.status}")
        raise SourceError(f"{where}: HTTP {reply.status}")

    def _retry_after(self, reply: Reply | aiohttp.ClientResponse) -> float:
        return httppolicy.retry_after(reply.headers, self.clock.now(), names=("X-RateLimit-Reset", "Retry-After"),
                                      default=DEFAULT_RETRY_AFTER, maximum=MAX_RETRY_AFTER)

    async def _lookup(self, inst: _Instance, acct: str, token: str | None) -> str | None:
        key = (inst.host, acct)
        if key in self._account_ids:
            return self._account_ids[key]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reply = await get(self.session, inst.url + "/api/v1/accounts/lookup", params={"acct": acct},
                          headers=headers, timeout=self.source.timeout_seconds)
        if reply.status == 404:
            log.warning("mastodon %s: brand account %s not found", inst.host, acct)
            return None
        self._check(inst, reply, sent_token=bool(token))
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise MalformedPayload(f"mastodon {inst.host}: account lookup without an id")
        log.info("mastodon %s: brand account %s is id %s", inst.host, acct, data["id"])
        self._account_ids[key] = data["id"]
        return data["id"]

    # -- records ---------------------------------------------------------------------------------
    def _author(self, inst: _Instance, acct: str) -> str:
        """The acct as the instance wrote it, unless it is one of the brand's accounts: then as configured."""
        acct = acct.lstrip("@")
        lower = acct.lower()
        forms = {lower}
        if "@" not in lower:
            forms |= {f"{lower}@{inst.hostname}", f"{lower}@{inst.host}"}
        elif lower.split("@", 1)[1] in (inst.hostname, inst.host):
            forms.add(lower.split("@", 1)[0])
        for handle in self.accounts:
            if handle in forms:
                return handle
        return acct

    def _mention(self, inst: _Instance, status: dict[str, Any]) -> Mention | None:
        if status.get("reblog"):
            return None  # a boost: the original is collected on its own
        created = parse_iso(status.get("created_at"))
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        acct = account.get("acct") or account.get("username")
        if created is None or not isinstance(acct, str) or not acct:
            log.warning("mastodon %s: skipped status %s without time or author", inst.host, status.get("id"))
            return None
        uri = status.get("uri")
        sid = f"{inst.host}:{status['id']}"
        if f"id:{sid}" in self._seen_uris:
            return None  # the same status from the stream and from a REST catch-up
        if isinstance(uri, str) and uri:
            if uri in self._seen_uris:
                return None
            self._remember(self._seen_uris, uri, None)
        self._remember(self._seen_uris, f"id:{sid}", None)
        parent = status.get("in_reply_to_id")
        reply_to = f"{inst.host}:{parent}" if isinstance(parent, str) and parent else None
        thread = self._threads.get(reply_to) if reply_to else sid
        if thread is not None:
            self._remember(self._threads, sid, thread)
        text = html_to_text(status.get("content") if isinstance(status.get("content"), str) else "")
        spoiler = status.get("spoiler_text")
        if isinstance(spoiler, str) and spoiler.strip():
            text = f"{spoiler.strip()}\n\n{text}" if text else spoiler.strip()
        url = status.get("url") or uri
        lang = status.get("language")
        return Mention(
            platform=PLATFORM, id=sid, author=self._author(inst, acct),
            author_id=f"{inst.host}:{account['id']}" if account.get("id") else None,
            text=text, created_at=created, url=url if isinstance(url, str) else None,
            reply_to_id=reply_to, thread_id=thread, lang_hint=lang if isinstance(lang, str) and lang else None,
            raw=status)

    @staticmethod
    def _remember(cache: OrderedDict[str, Any], key: str, value: Any, bound: int = 20_000) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > bound:
            cache.popitem(last=False)


def create(config: Config, clock: Clock, session: aiohttp.ClientSession, **options: Any) -> list[MastodonCollector]:
    """The Mastodon collector for config.sources.mastodon; `options` go to MastodonCollector (e.g. until_idle=True,
    as the demo's --until-idle mode sets)."""
    source = config.sources.mastodon
    if source is None or not source.enabled or not source.instances:
        return []
    options.setdefault("streaming", source.stream)
    options.setdefault("stream_seconds", source.stream_seconds)
    return [MastodonCollector(config, source, clock, session, **options)]
