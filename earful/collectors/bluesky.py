"""Bluesky collector: the Jetstream firehose, filtered here, plus an optional searchPosts backfill.

Endpoints
    {jetstream_url}?wantedCollections=app.bsky.feed.post&cursor=<unix µs>    websocket, JSON frames
        (commit/identity/account events). No auth, no published limits. The cursor is valid on every
        instance; on a reconnect we rewind `rewind_seconds` and drop posts already seen.
    {pds_url}/xrpc/com.atproto.identity.resolveHandle?handle=                 brand handles -> DIDs
    {pds_url}/xrpc/com.atproto.server.createSession                           identifier + app password
        -> accessJwt (30 per 5 min / 300 per day per account)
    {pds_url}/xrpc/app.bsky.feed.searchPosts?q=&sort=latest&since=&until=&limit=100&cursor=
        Bearer accessJwt (anonymous search is refused since 2025). PDS limit 3,000 requests per 5 min;
        429 with RateLimit-Reset (epoch seconds).

Credentials: none for Jetstream. searchPosts backfill runs only when sources.bluesky.identifier and
sources.bluesky.app_password (an app password, never the account password) are configured.

What is kept: the firehose carries every post on the network, so the collector keeps only posts that
match a brand (earful.matcher.Matcher), are written by a brand account (handles resolved to DIDs, or DIDs
given in brands[].accounts.bluesky), mention a brand account in a facet, or reply into a thread we kept
(bounded memory of recent roots; a new instance relearns it by replaying `warmup_seconds` before its
cursor without yielding those posts again). Page.meta["kept_by"] says why each post was kept. Pages are
yielded every `batch_size` kept posts or every `batch_seconds` of wall time. The cursor is
{"time_us": last processed event} (plus {"search": ...} while the first-run search backfill is under way);
a new collector given it resumes exactly after it. With until_idle=True, pages() returns once the stream has been quiet for
`idle_seconds` of wall time (the demo and tests: a local sandbox sends everything visible at once; the
real firehose is never quiet); otherwise it runs until cancelled.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from earful import httppolicy
from earful.clock import Clock, parse_iso, to_utc_naive
from earful.collectors.base import Collector, dump_cursor, load_cursor
from earful.config import BlueskySource, Config
from earful.errors import AuthFailed, MalformedPayload, RateLimited, Unavailable
from earful.matcher import Matcher, search_terms
from earful.model import Mention, Page

log = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
_EPOCH = datetime(1970, 1, 1)
MAX_RETRY_AFTER = 900.0
SETTING = "sources.bluesky.app_password"


def create(config: Config, clock: Clock, session: aiohttp.ClientSession, **options: Any) -> list[Collector]:
    """The Bluesky collector for config.sources.bluesky; `options` go to BlueskyCollector (e.g. until_idle=True
    for the demo's --until-idle mode)."""
    source = config.sources.bluesky
    if source is None or not source.enabled:
        return []
    return [BlueskyCollector(config, source, clock, session, **options)]


def to_us(value: datetime) -> int:
    return (to_utc_naive(value) - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def post_url(uri: str) -> str | None:
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST:
        return None
    return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}"


class Bounded:
    """A set that forgets its oldest members beyond `size` (recently kept uris, thread roots)."""

    def __init__(self, size: int):
        self.size = size
        self._items: set[str] = set()
        self._order: deque[str] = deque()

    def add(self, item: str) -> None:
        if item in self._items:
            return
        self._items.add(item)
        self._order.append(item)
        if len(self._order) > self.size:
            self._items.discard(self._order.popleft())

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)


class _Closed(Exception):
    """The websocket ended (server close or network error); reconnect."""


class BlueskyCollector:
    platform = "bluesky"

    def __init__(self, config: Config, source: BlueskySource, clock: Clock, session: aiohttp.ClientSession, *,
                 key: str = "bluesky", batch_size: int = 200, batch_seconds: float = 0.2,
                 rewind_seconds: float = 5.0, warmup_seconds: float = 900.0, until_idle: bool = False,
                 max_failures: int = 6, empty_page_seconds: float = 5.0, memory: int = 50_000,
                 search_limit: int = 100, idle_seconds: float = 0.02) -> None:
        self.key = key
        self.config, self.source, self.clock, self.session = config, source, clock, session
        self.poll_interval = float(source.poll_seconds)
        self.timeout = float(source.timeout_seconds)
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self.rewind_us = int(rewind_seconds * 1e6)
        self.warmup_us = int(warmup_seconds * 1e6)
        self.until_idle, self.max_failures = until_idle, max_failures
        self.idle_seconds = idle_seconds
        self.empty_page_seconds = empty_page_seconds
        self.search_limit = max(1, min(100, search_limit))
        self.matcher = Matcher(config.brands)
        self.seen = Bounded(memory)           # uris already yielded
        self.threads = Bounded(memory)        # root uris of threads we kept a post from
        self.handles: OrderedDict[str, str] = OrderedDict()   # did -> handle (brand accounts, identity events)
        self.brand_dids: set[str] = set()
        self._resolved = False
        self._access: str | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reasons: dict[str, str] = {}
        self.stats = {"events": 0, "kept": 0, "malformed": 0, "connections": 0, "reconnects": 0}

    # -- public -------------------------------------------------------------------------------------------

    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        state = load_cursor(cursor)
        self.seen = Bounded(self.seen.size)  # dedupe within this run only; the cursor covers earlier runs
        self._reasons = {}
        await self._resolve_accounts()
        time_us = state.get("time_us")
        if not isinstance(time_us, int):
            start = self.clock.now() - timedelta(hours=self.source.backfill_hours)
            time_us = to_us(start) - 1
            search = self._new_search(start) if self._can_search() else None
        else:
            search = state.get("search") if isinstance(state.get("search"), dict) else None
        if search is not None:
            async for page in self._search(time_us, search):
                yield page
        async for page in self._stream(time_us):
            yield page

    async def aclose(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        self._ws = None

    # -- brand accounts -----------------------------------------------------------------------------------

    def _remember_handle(self, did: str, handle: str) -> None:
        if did in self.brand_dids:
            return  # keep the configured name, so the pipeline recognises the brand's own posts
        self.handles[did] = handle
        self.handles.move_to_end(did)
        while len(self.handles) > 20_000:
            for old in self.handles:
                if old not in self.brand_dids:
                    del self.handles[old]
                    break
            else:
                break

    async def _resolve_accounts(self) -> None:
        if self._resolved:
            return
        ok = True
        for brand in self.config.brands:
            for handle in brand.handles("bluesky"):
                if handle.startswith("did:"):
                    self.brand_dids.add(handle)
                    continue
                did = await self._resolve_handle(handle)
                if did is None:
                    ok = False
                    continue
                self.brand_dids.add(did)
                self.handles[did] = handle
        self._resolved = ok

    async def _resolve_handle(self, handle: str) -> str | None:
        url = self.source.pds_url.rstrip("/") + "/xrpc/com.atproto.identity.resolveHandle"
        try:
            async with self.session.get(url, params={"handle": handle},
                                        timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                body = await resp.json(content_type=None) if resp.status == 200 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("bluesky: cannot resolve brand handle %s now (%s); will retry", handle, type(exc).__name__)
            return None
        did = body.get("did") if isinstance(body, dict) else None
        if not isinstance(did, str) or not did.startswith("did:"):
            log.warning("bluesky: brand handle %s did not resolve to a DID; its own posts are found only by "
                        "keyword and thread", handle)
            return None
        return did

    # -- keeping ------------------------------------------------------------------------------------------

    def _keep(self, did: str, uri: str, record: dict[str, Any]) -> str | None:
        """Why a firehose post is kept ("brand_account", "thread", "mentions_brand", "keyword"), or None."""
        if did in self.brand_dids:
            return "brand_account"
        reply = record.get("reply")
        if isinstance(reply, dict):
            for ref in (reply.get("root"), reply.get("parent")):
                ref_uri = ref.get("uri") if isinstance(ref, dict) else None
                if isinstance(ref_uri, str) and (
                        ref_uri in self.threads or ref_uri.removeprefix("at://").split("/")[0] in self.brand_dids):
                    return "thread"
        facets = record.get("facets")
        for facet in facets if isinstance(facets, list) else ():
            features = facet.get("features") if isinstance(facet, dict) else None
            for feature in features if isinstance(features, list) else ():
                if isinstance(feature, dict) and feature.get("did") in self.brand_dids:
                    return "mentions_brand"
        text = record.get("text")
        if self.matcher.match("bluesky", self.handles.get(did, did), text if isinstance(text, str) else ""):
            return "keyword"
        return None

    def _mention(self, did: str, uri: str, record: dict[str, Any], fallback: datetime,
                 raw: dict[str, Any], handle: str | None = None) -> Mention:
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        parent = reply.get("parent", {}).get("uri") if isinstance(reply.get("parent"), dict) else None
        root = reply.get("root", {}).get("uri") if isinstance(reply.get("root"), dict) else None
        langs = record.get("langs")
        lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
        text = record.get("text")
        return Mention(
            platform="bluesky", id=uri, author=handle or self.handles.get(did, did), author_id=did,
            text=text if isinstance(text, str) else "", created_at=parse_iso(record.get("createdAt")) or fallback,
            url=post_url(uri), reply_to_id=parent if isinstance(parent, str) else None,
            thread_id=(root if isinstance(root, str) else None) or uri, lang_hint=lang, raw=raw)

    def _note_kept(self, mention: Mention) -> None:
        self.seen.add(mention.id)
        self.threads.add(mention.thread_id or mention.id)
        self.threads.add(mention.id)
        self.stats["kept"] += 1

    def _event(self, text: str, floor_us: int) -> tuple[int | None, Mention | None]:
        """One frame -> (its time_us, the mention to keep or None). Malformed frames are counted, not fatal."""
        try:
            event = json.loads(text)
            time_us = event["time_us"]
            did = event["did"]
            kind = event["kind"]
            if not isinstance(time_us, int) or not isinstance(did, str) or not isinstance(kind, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            self.stats["malformed"] += 1
            log.warning("bluesky: skipped a malformed Jetstream frame (%d bytes)", len(text))
            return None, None
        self.stats["events"] += 1
        if kind == "identity":
            ident = event.get("identity")
            if isinstance(ident, dict) and isinstance(ident.get("handle"), str):
                self._remember_handle(did, ident["handle"].lower())
            return time_us, None
        commit = event.get("commit")
        if kind != "commit" or not isinstance(commit, dict) or commit.get("collection") != POST \
                or commit.get("operation") != "create":
            return time_us, None
        record, rkey = commit.get("record"), commit.get("rkey")
        if not isinstance(record, dict) or not isinstance(rkey, str) or not isinstance(record.get("text", ""), str):
            self.stats["malformed"] += 1
            log.warning("bluesky: skipped a post event without a usable record")
            return time_us, None
        uri = f"at://{did}/{POST}/{rkey}"
        reason = None if uri in self.seen else self._keep(did, uri, record)
        if reason is None:
            return time_us, None
        mention = self._mention(did, uri, record, from_us(time_us), event)
        if time_us <= floor_us:
            # warm-up replay before the cursor: remember the thread, do not yield the post again
            self.threads.add(mention.thread_id or uri)
            self.threads.add(uri)
            return time_us, None
        self._note_kept(mention)
        self._reasons[uri] = reason
        return time_us, mention

    # -- Jetstream ----------------------------------------------------------------------------------------

    async def _connect(self, cursor_us: int) -> aiohttp.ClientWebSocketResponse:
        params = [("wantedCollections", POST), ("cursor", str(max(0, cursor_us)))]
        try:
            async with asyncio.timeout(self.timeout):
                ws = await self.session.ws_connect(
                    self.source.jetstream_url, params=params, heartbeat=30.0, max_msg_size=16 * 1024 * 1024,
                    timeout=aiohttp.ClientWSTimeout(ws_close=self.timeout))
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status == 429:
                raise RateLimited("bluesky: Jetstream refused the connection (429)",
                                  retry_after=self._retry_after(exc.headers)) from None
            if exc.status in (401, 403):
                raise AuthFailed(f"bluesky: Jetstream refused the connection ({exc.status})",
                                 setting="sources.bluesky.jetstream_url") from None
            raise Unavailable(f"bluesky: Jetstream handshake failed with HTTP {exc.status}") from None
        except TimeoutError:
            raise Unavailable(f"bluesky: Jetstream did not answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise Unavailable(f"bluesky: cannot connect to Jetstream ({type(exc).__name__})") from None
        self.stats["connections"] += 1
        return ws

    def _page(self, mentions: list[Mention], time_us: int, note: str = "") -> Page:
        log.info("bluesky: page of %d posts (%d events, %d malformed so far), cursor time_us=%d",
                 len(mentions), self.stats["events"], self.stats["malformed"], time_us)
        # why each post was kept: posts kept as "thread" replies may not name the brand at all
        reasons = {m.id: self._reasons.pop(m.id, "keyword") for m in mentions}
        return Page(mentions, dump_cursor({"time_us": time_us}), note=note, meta={**self.stats, "kept_by": reasons})

    async def _stream(self, last_us: int) -> AsyncIterator[Page]:
        loop = asyncio.get_running_loop()
        floor_us = last_us                 # everything up to here was handled by an earlier run
        done_us = yielded_us = last_us     # newest event processed / newest event covered by a yielded page
        pending: list[Mention] = []
        # replay a while before the cursor only to relearn which threads we follow (replies into them count)
        connect_us, failures = max(0, last_us - self.warmup_us), 0
        last_yield = last_frame = loop.time()
        while True:
            try:
                self._ws = await self._connect(connect_us)
            except Unavailable as exc:
                failures += 1
                if failures > self.max_failures:
                    raise
                delay = httppolicy.backoff(failures)
                log.warning("%s; retrying in %.1f s (attempt %d)", exc, delay, failures)
                await self.clock.sleep(delay)
                continue
            got_frames = False
            last_frame = loop.time()
            try:
                while True:
                    now = loop.time()
                    deadlines = [now + 1.0]
                    if pending:
                        deadlines.append(last_yield + self.batch_seconds)
                    if done_us > yielded_us:
                        deadlines.append(last_yield + self.empty_page_seconds)
                    if self.until_idle:
                        deadlines.append(last_frame + self.idle_seconds)
                    try:
                        msg = await self._ws.receive(timeout=max(0.001, min(deadlines) - now))
                    except TimeoutError:
                        msg = None
                    now = loop.time()
                    if msg is not None:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            got_frames, last_frame = True, now
                            time_us, mention = self._event(msg.data, floor_us)
                            if time_us is not None and time_us > done_us:
                                done_us = time_us
                            if mention is not None:
                                pending.append(mention)
                        elif msg.type == aiohttp.WSMsgType.BINARY:
                            got_frames, last_frame = True, now
                            self.stats["malformed"] += 1
                            log.warning("bluesky: skipped a binary frame (compression was not requested)")
                        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                          aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                            raise _Closed()
                    idle = self.until_idle and msg is None and now - last_frame >= self.idle_seconds
                    if len(pending) >= self.batch_size or (pending and now - last_yield >= self.batch_seconds) \
                            or (done_us > yielded_us and (idle or now - last_yield >= self.empty_page_seconds)):
                        page, pending, yielded_us = pending, [], done_us
                        yield self._page(page, done_us)
                        last_yield = loop.time()
                        if not idle:
                            last_frame = max(last_frame, last_yield)  # the consumer's time is not quiet time
                    if idle:
                        log.info("bluesky: Jetstream idle, caught up at time_us=%d", done_us)
                        return
            except _Closed:
                pass
            finally:
                if self._ws is not None:
                    await self._ws.close()
                self._ws = None
            if pending or done_us > yielded_us:
                # hand over what we have before reconnecting, so an error later cannot strand it
                page, pending, yielded_us = pending, [], done_us
                yield self._page(page, done_us, note="before reconnect")
                last_yield = loop.time()
            # resume a little before the last event; posts already yielded are dropped by `seen`
            self.stats["reconnects"] += 1
            failures = 0 if got_frames else failures + 1
            if failures > self.max_failures:
                raise Unavailable("bluesky: Jetstream keeps closing the connection")
            connect_us = max(floor_us - self.warmup_us, done_us - self.rewind_us)
            delay = 0.0 if got_frames else httppolicy.backoff(failures)
            log.info("bluesky: Jetstream connection closed; reconnecting from time_us=%d", connect_us)
            await self.clock.sleep(delay)

    # -- searchPosts backfill -----------------------------------------------------------------------------

    def _can_search(self) -> bool:
        return bool(self.source.identifier) and bool(self.config.secret(SETTING))

    def _queries(self) -> list[str]:
        out: list[str] = []
        for brand in self.config.brands:
            for term in search_terms(brand, "bluesky"):
                term = term.lstrip("@").strip()
                if term and not term.startswith("did:") and term.lower() not in {q.lower() for q in out}:
                    out.append(term)
        return out

    def _new_search(self, start: datetime) -> dict[str, Any]:
        fmt = "%Y-%m-%dT%H:%M:%S.000Z"
        return {"i": 0, "c": None, "since": start.strftime(fmt), "until": self.clock.now().strftime(fmt)}

    def _retry_after(self, headers: Any) -> float:
        return httppolicy.retry_after(headers, self.clock.now(), names=("RateLimit-Reset", "Retry-After"),
                                      minimum=0.0, maximum=MAX_RETRY_AFTER)

    async def _xrpc(self, method: str, nsid: str, *, params: Any = None, body: Any = None,
                    auth: bool = False) -> tuple[int, dict[str, Any]]:
        url = f"{self.source.pds_url.rstrip('/')}/xrpc/{nsid}"
        headers = {"Authorization": f"Bearer {self._access}"} if auth and self._access else {}
        try:
            async with self.session.request(method, url, params=params, json=body, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                status = resp.status
                if status == 429:
                    raise RateLimited(f"bluesky: {nsid} rate limited (429)",
                                      retry_after=self._retry_after(resp.headers))
                if status >= 500:
                    raise Unavailable(f"bluesky: {nsid} answered HTTP {status}")
                raw = await resp.read()
        except TimeoutError:
            raise Unavailable(f"bluesky: {nsid} did not answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise Unavailable(f"bluesky: {nsid} failed ({type(exc).__name__})") from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise MalformedPayload(f"bluesky: {nsid} answered HTTP {status} with invalid JSON "
                                   f"({len(raw)} bytes)") from None
        if not isinstance(data, dict):
            raise MalformedPayload(f"bluesky: {nsid} answered with a JSON {type(data).__name__}, not an object")
        return status, data

    async def _login(self) -> None:
        password = self.config.secret(SETTING)
        status, data = await self._xrpc("POST", "com.atproto.server.createSession",
                                        body={"identifier": self.source.identifier, "password": password})
        if status in (400, 401, 403):
            error = str(data.get("error", ""))[:80]
            raise AuthFailed(f"bluesky: createSession for {self.source.identifier} refused (HTTP {status} {error})",
                             setting=SETTING)
        token = data.get("accessJwt")
        if status != 200 or not isinstance(token, str) or not token:
            raise MalformedPayload(f"bluesky: createSession answered HTTP {status} without an accessJwt")
        self._access = token

    async def _search_page(self, params: dict[str, Any]) -> dict[str, Any]:
        if self._access is None:
            await self._login()
        for attempt in range(2):
            status, data = await self._xrpc("GET", "app.bsky.feed.searchPosts", params=params, auth=True)
            if status == 200:
                return data
            error = str(data.get("error", ""))[:80]
            if status in (400, 401) and error in ("ExpiredToken", "InvalidToken", "AuthMissing") and attempt == 0:
                self._access = None
                await self._login()
                continue
            if status in (401, 403):
                raise AuthFailed(f"bluesky: searchPosts refused (HTTP {status} {error})", setting=SETTING)
            raise MalformedPayload(f"bluesky: searchPosts answered HTTP {status} {error}")
        raise AuthFailed("bluesky: searchPosts refused a fresh session", setting=SETTING)

    async def _search(self, time_us: int, state: dict[str, Any]) -> AsyncIterator[Page]:
        queries = self._queries()
        i = state.get("i", 0) if isinstance(state.get("i"), int) else 0
        page_cursor = state.get("c") if isinstance(state.get("c"), str) else None
        while i < len(queries):
            params = {"q": queries[i], "sort": "latest", "limit": str(self.search_limit)}
            for name in ("since", "until"):
                if isinstance(state.get(name), str):
                    params[name] = state[name]
            if page_cursor:
                params["cursor"] = page_cursor
            data = await self._search_page(params)
            posts = data.get("posts")
            if not isinstance(posts, list):
                raise MalformedPayload("bluesky: searchPosts answer has no posts list")
            mentions = []
            for view in posts:
                mention = self._from_view(view)
                if mention is not None and mention.id not in self.seen:
                    self._note_kept(mention)
                    mentions.append(mention)
            nxt = data.get("cursor")
            page_cursor = nxt if isinstance(nxt, str) and nxt and posts else None
            if page_cursor is None:
                i += 1
            value: dict[str, Any] = {"time_us": time_us}
            if i < len(queries):
                value["search"] = {**state, "i": i, "c": page_cursor}
            log.info("bluesky: searchPosts %r page of %d posts", queries[min(i, len(queries) - 1)], len(mentions))
            yield Page(mentions, dump_cursor(value), note="search",
                       meta={**self.stats, "kept_by": {m.id: "search" for m in mentions}})

    def _from_view(self, view: Any) -> Mention | None:
        if not isinstance(view, dict):
            self.stats["malformed"] += 1
            return None
        uri, author, record = view.get("uri"), view.get("author"), view.get("record")
        if not isinstance(uri, str) or not isinstance(author, dict) or not isinstance(record, dict) \
                or not isinstance(author.get("did"), str):
            self.stats["malformed"] += 1
            return None
        handle = author.get("handle") if isinstance(author.get("handle"), str) else None
        fallback = parse_iso(view.get("indexedAt")) or self.clock.now()
        return self._mention(author["did"], uri, record, fallback, view, handle=handle)
