"""Bluesky sandbox: a Jetstream firehose and the few XRPC endpoints earful uses, on one local app.

Wire format per /work/shared/PLATFORMS.md section 3 (Jetstream v1 + atproto lexicons):

    GET  /subscribe                                   Jetstream websocket. Query: wantedCollections (repeat; NSID
                                                      or prefix.*; <= 100), wantedDids (repeat; <= 10,000), cursor
                                                      (unix microseconds; replays events with time_us >= cursor,
                                                      like Jetstream's inclusive pebble lower bound, then tails
                                                      live), requireHello=true, maxMessageSizeBytes. Invalid
                                                      options -> HTTP 400 before the upgrade. Client frames:
                                                      {"type":"options_update","payload":{...}}.
    POST /xrpc/com.atproto.server.createSession       {"identifier","password"} -> accessJwt, refreshJwt, did, handle
    POST /xrpc/com.atproto.server.refreshSession      Bearer refreshJwt -> a new session (as createSession)
    GET  /xrpc/com.atproto.identity.resolveHandle     ?handle= -> {"did"}
    GET  /xrpc/app.bsky.actor.getProfile              ?actor= -> profileViewDetailed (atproto's login asks it)
    GET  /xrpc/app.bsky.feed.searchPosts              Bearer accessJwt; q, sort, since, until, author, lang,
                                                      limit (1-100), cursor -> {"cursor","hitsTotal","posts":[postView]}

Tokens are JWTs whose iat/exp come from the sandbox clock, like every answer's `Date` header (server.py), so
a client that checks exp against the server's time sees them expire when the sandbox says they do.
Every XRPC answer carries RateLimit-Limit/-Remaining/-Reset (epoch seconds)/-Policy headers; over the limit
-> 429 {"error":"RateLimitExceeded"}. Time comes from the injected Clock: an event becomes visible when the
clock passes its time_us. Connected subscribers notice a moved clock within `poll_ms` (default 5 ms) or at
once when ``app[HUB].notify()`` is called. Posts can be added while running with
``await app[HUB].publish([...])`` (the benchmark pushes hundreds per second this way).

Ids are deterministic: a handle is ``<author>.bsky.social`` unless the author already has a dot, its DID is
``did:plc:`` + 24 base32 characters of a hash of the handle, rkeys are TIDs of the event's time_us, CIDs are
hashes of the record. Besides post creates the stream interleaves identity and account events, profile
updates, likes and deletes (as the real firehose does), so collectors must filter.

Test hooks on the hub: ``inject_raw(text)`` (a raw frame, e.g. malformed JSON), ``drop_after(n)`` (the
next connection is closed by the server after n frames), ``close_all()``.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from earful.clock import Clock, to_utc_naive
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost
from earful.sandbox.server import application

POST = "app.bsky.feed.post"
DEMO_IDENTIFIER = "earful-demo.bsky.social"
DEMO_PASSWORD = "demo-abcd-efgh-ijkl"
DEMO_ENV: dict[str, str] = {"EARFUL_DEMO_BLUESKY_APP_PASSWORD": DEMO_PASSWORD}


_EPOCH = datetime(1970, 1, 1)
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
_NSID = re.compile(r"^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+$")
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_MENTION = re.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9])")
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_TAG = re.compile(r"(?<![\w#])#([^\s#.,;:!?()\[\]]{1,64})")


def demo_source(url: str) -> dict[str, Any]:
    """The [sources.bluesky] table pointing the collector at a sandbox served at `url`."""
    ws = "ws" + url[len("http"):] if url.startswith("http") else url
    return {"jetstream_url": ws.rstrip("/") + "/subscribe", "pds_url": url.rstrip("/"),
            "identifier": DEMO_IDENTIFIER, "app_password": {"env": "EARFUL_DEMO_BLUESKY_APP_PASSWORD"},
            "poll_seconds": 5, "backfill_hours": 24, "timeout_seconds": 10}


def to_us(value: datetime) -> int:
    return (to_utc_naive(value) - _EPOCH) // timedelta(microseconds=1)


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def iso(us: int) -> str:
    return from_us(us).isoformat(timespec="milliseconds") + "Z"


def tid(us: int, clock_id: int = 0) -> str:
    """A record key in the atproto TID format: 53 bits of microseconds, 10 bits of clock id, base32-sortable."""
    value = ((us & ((1 << 53) - 1)) << 10) | (clock_id & 1023)
    return "".join(_S32[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


def _b32(data: str, n: int) -> str:
    return base64.b32encode(hashlib.sha256(data.encode()).digest()).decode().lower().rstrip("=")[:n]


def handle_for(author: str) -> str:
    name = author.strip().lstrip("@").lower()
    name = re.sub(r"[^a-z0-9.-]+", "-", name).strip(".-") or "anon"
    return name if "." in name else f"{name}.bsky.social"


def did_for(handle: str) -> str:
    return "did:plc:" + _b32("earful-sandbox:" + handle, 24)


def cid_for(data: str) -> str:
    return "bafyrei" + _b32(data, 52)


def _clock_id(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % 1024


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Account:
    handle: str
    did: str
    display_name: str
    announced: bool = False


@dataclass
class SandboxPost:
    key: str                # scenario id
    account: Account
    rkey: str
    uri: str
    cid: str
    time_us: int            # Jetstream time (ingest); also indexedAt
    created_us: int         # record createdAt
    record: dict[str, Any]
    deleted_us: int | None = None


@dataclass
class Event:
    time_us: int
    did: str
    collection: str          # "" for identity/account/raw events (they bypass wantedCollections)
    text: str                # the frame, serialised once
    raw: bool = False        # injected frame: sent as is, no filtering


@dataclass
class Subscriber:
    collections: set[str] | None = None
    prefixes: list[str] = field(default_factory=list)
    dids: set[str] = field(default_factory=set)
    max_bytes: int = 0
    hello: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, event: Event) -> bool:
        if event.raw:
            return True
        if self.dids and event.did not in self.dids:
            return False
        if self.collections is not None and event.collection:
            if event.collection not in self.collections and not any(
                    event.collection.startswith(p) for p in self.prefixes):
                return False
        return not (self.max_bytes and len(event.text.encode()) > self.max_bytes)


def parse_options(collections: list[str], dids: list[str], max_bytes: Any = 0) -> Subscriber:
    """Validate subscriber options the way Jetstream's parseSubscriberOptions does; ValueError if invalid."""
    sub = Subscriber()
    if collections:
        sub.collections = set()
        for col in collections:
            if not isinstance(col, str):
                raise ValueError("invalid subscriber options: invalid collection")
            if col.endswith(".*"):
                sub.prefixes.append(col[:-1])
            elif _NSID.match(col):
                sub.collections.add(col)
            else:
                raise ValueError(f"invalid subscriber options: invalid collection: {col}")
        if len(sub.collections) + len(sub.prefixes) > 100:
            raise ValueError("invalid subscriber options: too many wanted collections")
    for did in dids or []:
        if not isinstance(did, str) or not _DID.match(did):
            raise ValueError("invalid subscriber options")
        sub.dids.add(did)
    if len(sub.dids) > 10_000:
        raise ValueError("invalid subscriber options: too many wanted DIDs")
    try:
        sub.max_bytes = max(0, int(max_bytes or 0))
    except (TypeError, ValueError):
        sub.max_bytes = 0
    return sub


class RateLimiter:
    """Fixed windows on the sandbox clock, one counter per (bucket, key)."""

    def __init__(self, clock: Clock, window_seconds: float):
        self.clock, self.window = clock, window_seconds
        self.counts: dict[tuple[str, str], tuple[int, int]] = {}

    def hit(self, bucket: str, key: str, limit: int) -> tuple[bool, dict[str, str]]:
        now = to_us(self.clock.now()) / 1e6
        start = int(now // self.window * self.window)
        window_start, used = self.counts.get((bucket, key), (start, 0))
        if window_start != start:
            window_start, used = start, 0
        used += 1
        self.counts[(bucket, key)] = (window_start, used)
        headers = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(max(0, limit - used)),
                   "RateLimit-Reset": str(int(window_start + self.window)),
                   "RateLimit-Policy": f"{limit};w={int(self.window)}"}
        return used <= limit, headers


class Jetstream:
    """The sandbox's state: accounts, posts, the ordered event log and the live subscribers."""

    def __init__(self, scenario: Scenario, clock: Clock, *, identifier: str = DEMO_IDENTIFIER,
                 app_password: str = DEMO_PASSWORD, poll_ms: float = 5, noise: bool = True,
                 search_limit: int = 3000, session_limit: int = 30, rate_window_seconds: float = 300,
                 access_ttl_seconds: float = 7200):
        self.scenario, self.clock = scenario, clock
        self.identifier, self.app_password = handle_for(identifier), app_password
        self.poll = poll_ms / 1000
        self.noise = noise
        self.search_limit, self.session_limit = search_limit, session_limit
        self.limiter = RateLimiter(clock, rate_window_seconds)
        self.access_ttl_us = int(access_ttl_seconds * 1e6)
        self._secret = hashlib.sha256(f"sandbox:{scenario.name}".encode()).digest()
        self.accounts: dict[str, Account] = {}          # by handle
        self.by_did: dict[str, Account] = {}
        self.posts: dict[str, SandboxPost] = {}         # by scenario id
        self.by_uri: dict[str, SandboxPost] = {}
        self.reply_counts: dict[str, int] = {}
        self.post_times: list[int] = []                 # sorted time_us of posts (search index)
        self.post_at: dict[int, SandboxPost] = {}
        self.keys: list[int] = []                       # sorted time_us of all events
        self.events: dict[int, Event] = {}
        self.forced_horizon = 0
        self.sockets: set[web.WebSocketResponse] = set()
        self.connections = 0
        self.sent = 0
        self._drops: list[int] = []
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seq = 0
        self.account(identifier, "earful demo")
        for handle in (scenario.brand.get("accounts") or {}).get("bluesky", []):
            self.account(handle)
        self._add_posts(scenario.for_platform("bluesky"), bulk=True)

    # -- identities ----------------------------------------------------------------------------------------

    def account(self, author: str, display_name: str | None = None) -> Account:
        handle = handle_for(author)
        acct = self.accounts.get(handle)
        if acct is None:
            acct = Account(handle, did_for(handle), display_name or author.strip().lstrip("@"))
            self.accounts[handle] = acct
            self.by_did[acct.did] = acct
        return acct

    def _lookup_mention(self, name: str) -> Account | None:
        name = name.lower().rstrip(".")
        for handle in (name, f"{name}.bsky.social"):
            if handle in self.accounts:
                return self.accounts[handle]
        return self.account(name) if "." in name else None

    # -- building events -----------------------------------------------------------------------------------

    def _free_time(self, us: int) -> int:
        while us in self.events:
            us += 1
        return us

    def _add_event(self, us: int, did: str, collection: str, body: dict[str, Any] | None,
                   raw_text: str | None = None, bulk: bool = False) -> Event:
        us = self._free_time(us)
        if raw_text is not None:
            event = Event(us, did, "", raw_text, raw=True)
        else:
            assert body is not None
            event = Event(us, did, collection, _dump({"did": did, "time_us": us, **body}))
        self.events[us] = event
        if bulk:
            self.keys.append(us)
        else:
            bisect.insort(self.keys, us)
        return event

    def _announce(self, acct: Account, us: int, bulk: bool) -> int:
        """Identity + account events (and a profile update for brand accounts) when an account first posts.

        In bulk (scenario) mode they go just before `us`; at run time, at `us` and after, since nothing may
        land before what subscribers have already seen. Returns the time the post itself may use."""
        if acct.announced or not self.noise:
            return us
        acct.announced = True
        self._seq += 2
        when = iso(us)
        times = [us - 3000, us - 2000, us - 1000] if bulk else [us, us + 1, us + 2]
        self._add_event(times[0], acct.did, "", {"kind": "identity", "identity": {
            "did": acct.did, "handle": acct.handle, "seq": self._seq - 1, "time": when}}, bulk=bulk)
        self._add_event(times[1], acct.did, "", {"kind": "account", "account": {
            "active": True, "did": acct.did, "seq": self._seq, "time": when}}, bulk=bulk)
        if acct.handle in {handle_for(h) for h in (self.scenario.brand.get("accounts") or {}).get("bluesky", [])}:
            self._commit(times[2], acct, "update", "app.bsky.actor.profile", "self", {
                "$type": "app.bsky.actor.profile", "displayName": acct.display_name,
                "description": "Official support account"}, bulk)
        return us if bulk else us + 3

    def _commit(self, us: int, acct: Account, op: str, collection: str, rkey: str,
                record: dict[str, Any] | None, bulk: bool, cid: str | None = None) -> Event:
        commit: dict[str, Any] = {"rev": tid(us, _clock_id(acct.did)), "operation": op,
                                  "collection": collection, "rkey": rkey}
        if record is not None:
            commit["record"] = record
            commit["cid"] = cid or cid_for(_dump(record) + rkey)
        return self._add_event(us, acct.did, collection, {"kind": "commit", "commit": commit}, bulk=bulk)

    def _facets(self, text: str) -> list[dict[str, Any]]:
        facets = []

        def span(m: re.Match[str]) -> dict[str, int]:
            start = len(text[:m.start()].encode("utf-8"))
            return {"byteStart": start, "byteEnd": start + len(m.group(0).encode("utf-8"))}

        for m in _MENTION.finditer(text):
            acct = self._lookup_mention(m.group(1))
            if acct is not None:
                facets.append({"index": span(m), "features": [
                    {"$type": "app.bsky.richtext.facet#mention", "did": acct.did}]})
        for m in _LINK.finditer(text):
            facets.append({"index": span(m), "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}]})
        for m in _TAG.finditer(text):
            facets.append({"index": span(m), "features": [
                {"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}]})
        return sorted(facets, key=lambda f: f["index"]["byteStart"])

    def _add_post(self, post: ScenarioPost, us: int, bulk: bool) -> SandboxPost | None:
        if post.id in self.posts:
            return None
        acct = self.account(post.author)
        us = self._free_time(self._announce(acct, us, bulk))
        created_us = to_us(post.at)
        rkey = tid(us, _clock_id(post.id))
        uri = f"at://{acct.did}/{POST}/{rkey}"
        record: dict[str, Any] = {"$type": POST, "createdAt": iso(created_us)}
        if post.lang and post.lang != "und":
            record["langs"] = [post.lang]
        record["text"] = post.text
        facets = self._facets(post.text)
        if facets:
            record["facets"] = facets
        parent = self.posts.get(post.reply_to or "")
        if parent is not None:
            root_ref = parent.record.get("reply", {}).get("root") or {"cid": parent.cid, "uri": parent.uri}
            record["reply"] = {"root": dict(root_ref), "parent": {"cid": parent.cid, "uri": parent.uri}}
            self.reply_counts[parent.uri] = self.reply_counts.get(parent.uri, 0) + 1
        cid = cid_for(_dump(record) + uri)
        sp = SandboxPost(post.id, acct, rkey, uri, cid, us, created_us, record)
        self._commit(us, acct, "create", POST, rkey, record, bulk, cid=cid)
        self.posts[post.id] = sp
        self.by_uri[uri] = sp
        self.post_at[us] = sp
        if bulk:
            self.post_times.append(us)
        else:
            bisect.insort(self.post_times, us)
        if self.noise and post.label == "praise":
            fan = self.account("bsky-fan")
            self._announce(fan, us + 20_000_000, bulk)
            self._commit(us + 20_000_000, fan, "create", "app.bsky.feed.like", tid(us + 20_000_000, 7), {
                "$type": "app.bsky.feed.like", "createdAt": iso(us + 20_000_000),
                "subject": {"cid": cid, "uri": uri}}, bulk)
        if self.noise and post.label == "spam":
            sp.deleted_us = self._commit(us + 300_000_000, acct, "delete", POST, rkey, None, bulk).time_us
        return sp

    def _add_posts(self, posts: Iterable[ScenarioPost], bulk: bool = False) -> list[SandboxPost]:
        added = []
        for post in posts:
            us, now = to_us(post.at), False
            if not bulk and us <= self.horizon():
                # ingested now: after everything a subscriber may already have seen, and visible at once
                us, now = self.horizon() + 1, True
            sp = self._add_post(post, us, bulk)
            if sp is not None:
                added.append(sp)
                if now:
                    self.forced_horizon = max(self.forced_horizon, sp.time_us)
        if bulk:
            self.keys.sort()
            self.post_times.sort()
        return added

    # -- run-time additions and hooks ----------------------------------------------------------------------

    def add(self, posts: Iterable[ScenarioPost | dict[str, Any]]) -> list[SandboxPost]:
        """Add posts now (dicts take scenario post keys; "at" defaults to the clock's now)."""
        items = []
        for post in posts:
            if isinstance(post, dict):
                at = post.get("at") or self.clock.now()
                if isinstance(at, str):
                    at = datetime.fromisoformat(at.replace("Z", "+00:00"))
                post = ScenarioPost(id=str(post["id"]), platform="bluesky", minute=0.0, author=post["author"],
                                    text=post["text"], lang=post.get("lang", "und"), label=post.get("label", "other"),
                                    at=to_utc_naive(at), reply_to=post.get("reply_to"))
            items.append(post)
        added = self._add_posts(items)
        self.notify()
        return added

    async def publish(self, posts: Iterable[ScenarioPost | dict[str, Any]]) -> list[SandboxPost]:
        added = self.add(posts)
        await asyncio.sleep(0)
        return added

    def inject_raw(self, text: str, at: datetime | None = None) -> int:
        """Put a raw frame (e.g. broken JSON) into the stream; returns its time_us."""
        us = to_us(at) if at is not None else 0
        if us <= self.horizon():
            us = self.horizon() + 1
            self.forced_horizon = us
        event = self._add_event(us, "", "", None, raw_text=text)
        self.notify()
        return event.time_us

    def drop_after(self, frames: int) -> None:
        """The next connection is closed by the server after sending `frames` frames."""
        self._drops.append(frames)

    async def close_all(self) -> None:
        for ws in list(self.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"sandbox closing")

    def notify(self) -> None:
        """Tell subscribers the clock moved or posts arrived (safe from any thread)."""
        if self._loop is None or self._wake is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._fire()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        wake, self._wake = self._wake, asyncio.Event()
        if wake is not None:
            wake.set()

    def horizon(self) -> int:
        return max(to_us(self.clock.now()), self.forced_horizon)

    def visible_posts(self) -> list[SandboxPost]:
        horizon = self.horizon()
        end = bisect.bisect_right(self.post_times, horizon)
        return [p for p in (self.post_at[t] for t in self.post_times[:end])
                if p.deleted_us is None or p.deleted_us > horizon]

    # -- the websocket ---------------------------------------------------------------------------------------

    async def subscribe(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        if query.get("compress") == "true" or "zstd" in request.headers.get("Socket-Encoding", ""):
            return web.Response(status=400, text="sandbox: zstd compression is not supported")
        cursor: int | None = None
        if query.get("cursor"):
            try:
                cursor = int(query["cursor"])
            except ValueError:
                return web.Response(status=400, text=f"invalid cursor: {query['cursor']}")
            if cursor > to_us(self.clock.now()):
                cursor = None  # a future cursor just live-tails
        try:
            sub = parse_options(query.getall("wantedCollections", []), query.getall("wantedDids", []),
                                query.get("maxMessageSizeBytes", 0))
        except ValueError as exc:
            return web.Response(status=400, text=str(exc))
        if query.get("requireHello") != "true":
            sub.hello.set()
        ws = web.WebSocketResponse(max_msg_size=10_000_000)
        await ws.prepare(request)
        self._loop = asyncio.get_running_loop()
        if self._wake is None:
            self._wake = asyncio.Event()
        self.connections += 1
        self.sockets.add(ws)
        drop = self._drops.pop(0) if self._drops else None
        reader = asyncio.create_task(self._read(ws, sub))
        try:
            hello = asyncio.create_task(sub.hello.wait())
            await asyncio.wait({hello, reader}, return_when=asyncio.FIRST_COMPLETED)
            hello.cancel()
            if sub.hello.is_set() and not ws.closed:
                last = cursor - 1 if cursor is not None else self.horizon()
                await self._send(ws, sub, last, drop)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            reader.cancel()
            self.sockets.discard(ws)
            if not ws.closed:
                await ws.close()
        return ws

    async def _read(self, ws: web.WebSocketResponse, sub: Subscriber) -> None:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = json.loads(msg.data)
                if not isinstance(frame, dict):
                    raise ValueError("not an object")
                if frame.get("type") != "options_update":
                    continue
                payload = frame.get("payload") or {}
                new = parse_options(payload.get("wantedCollections") or [], payload.get("wantedDids") or [],
                                    payload.get("maxMessageSizeBytes", 0))
            except ValueError as exc:
                await ws.close(code=WSCloseCode.OK, message=f"failed to parse subscriber options: {exc}"[:120].encode())
                return
            sub.collections, sub.prefixes = new.collections, new.prefixes
            sub.dids, sub.max_bytes = new.dids, new.max_bytes
            sub.hello.set()

    async def _send(self, ws: web.WebSocketResponse, sub: Subscriber, last: int, drop: int | None) -> None:
        sent = 0
        while not ws.closed:
            wake = self._wake
            horizon = self.horizon()
            lo = bisect.bisect_right(self.keys, last)
            hi = bisect.bisect_right(self.keys, horizon)
            for us in self.keys[lo:hi]:
                event = self.events[us]
                last = us
                if not sub.wants(event):
                    continue
                await ws.send_str(event.text)
                sent += 1
                self.sent += 1
                if drop is not None and sent >= drop:
                    await ws.close(code=WSCloseCode.GOING_AWAY, message=b"sandbox: dropped")
                    return
                if sent % 256 == 0:
                    await asyncio.sleep(0)
                if ws.closed:
                    return
            if hi > lo:
                continue
            if wake is None:
                await asyncio.sleep(self.poll)
                continue
            try:
                await asyncio.wait_for(wake.wait(), self.poll)
            except TimeoutError:
                pass

    # -- XRPC -------------------------------------------------------------------------------------------------

    def _token(self, did: str, scope: str, ttl_us: int) -> str:
        now = to_us(self.clock.now())
        header = {"typ": "at+jwt" if scope != "com.atproto.refresh" else "refresh+jwt", "alg": "HS256"}
        payload = {"scope": scope, "sub": did, "iat": now // 1_000_000, "exp": (now + ttl_us) // 1_000_000,
                   "aud": "did:web:sandbox.bsky.local"}
        enc = [base64.urlsafe_b64encode(_dump(p).encode()).decode().rstrip("=") for p in (header, payload)]
        sig = hmac.new(self._secret, ".".join(enc).encode(), hashlib.sha256).digest()
        return ".".join(enc + [base64.urlsafe_b64encode(sig).decode().rstrip("=")])

    def _check_token(self, token: str, scope: str = "com.atproto.appPass") -> tuple[str | None, str]:
        """(did, "") for a valid token of ``scope`` (an access token by default), else (None, error name)."""
        parts = token.split(".")
        if len(parts) != 3:
            return None, "InvalidToken"
        sig = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.urlsafe_b64encode(sig).decode().rstrip("="), parts[2]):
            return None, "InvalidToken"
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        if payload.get("scope") != scope:
            return None, "InvalidToken"
        if payload["exp"] * 1_000_000 <= to_us(self.clock.now()):
            return None, "ExpiredToken"
        return payload["sub"], ""

    @staticmethod
    def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response({"error": error, "message": message}, status=status, headers=headers)

    async def create_session(self, request: web.Request) -> web.Response:
        ok, headers = self.limiter.hit("createSession", request.remote or "", self.session_limit)
        if not ok:
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "InvalidRequest", "Request body must be JSON", headers)
        if not isinstance(body, dict) or not isinstance(body.get("identifier"), str) \
                or not isinstance(body.get("password"), str):
            return self._error(400, "InvalidRequest", 'Input must have the property "identifier"', headers)
        if handle_for(body["identifier"]) != self.identifier or not hmac.compare_digest(
                body["password"].encode(), self.app_password.encode()):
            return self._error(401, "AuthenticationRequired", "Invalid identifier or password", headers)
        return web.json_response(self._session(self.accounts[self.identifier]), headers=headers)

    def _session(self, acct: Account) -> dict[str, Any]:
        return {"accessJwt": self._token(acct.did, "com.atproto.appPass", self.access_ttl_us),
                "refreshJwt": self._token(acct.did, "com.atproto.refresh", 90 * 86400 * 1_000_000),
                "handle": acct.handle, "did": acct.did, "active": True,
                "didDoc": {"id": acct.did, "alsoKnownAs": [f"at://{acct.handle}"]}}

    async def refresh_session(self, request: web.Request) -> web.Response:
        """com.atproto.server.refreshSession: Bearer refreshJwt -> a new session (lexicon
        com/atproto/server/refreshSession.json; atproto's Client calls it when its access token is within 15
        minutes of exp: MarshalX/atproto atproto_client/client/methods_mixin/session.py)."""
        ok, headers = self.limiter.hit("createSession", request.remote or "", self.session_limit)
        if not ok:
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self._error(401, "AuthMissing", "Authentication Required", headers)
        did, problem = self._check_token(auth[len("Bearer "):].strip(), "com.atproto.refresh")
        if did is None:
            return self._error(400, problem, "Token has expired" if problem == "ExpiredToken" else "Token is invalid",
                               headers)
        acct = next(a for a in self.accounts.values() if a.did == did)
        return web.json_response(self._session(acct), headers=headers)

    async def get_profile(self, request: web.Request) -> web.Response:
        """app.bsky.actor.getProfile ?actor=handle|did -> profileViewDetailed (atproto's Client.login asks it)."""
        ok, headers = self.limiter.hit("xrpc", request.remote or "", self.search_limit)
        if not ok:
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        actor = request.query.get("actor", "").lower().lstrip("@")
        acct = self.accounts.get(actor) or next((a for a in self.accounts.values() if a.did == actor), None)
        if acct is None:
            return self._error(400, "InvalidRequest", "Profile not found", headers)
        return web.json_response({"did": acct.did, "handle": acct.handle, "displayName": acct.display_name,
                                  "followersCount": 0, "followsCount": 0, "postsCount": 0, "labels": [],
                                  "createdAt": "2023-04-01T00:00:00.000Z"}, headers=headers)

    async def resolve_handle(self, request: web.Request) -> web.Response:
        ok, headers = self.limiter.hit("xrpc", request.remote or "", self.search_limit)
        if not ok:
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        handle = request.query.get("handle", "").lower()
        if not handle:
            return self._error(400, "InvalidRequest", 'Params must have the property "handle"', headers)
        acct = self.accounts.get(handle)
        if acct is None:
            return self._error(400, "InvalidRequest", "Unable to resolve handle", headers)
        return web.json_response({"did": acct.did}, headers=headers)

    def post_view(self, post: SandboxPost) -> dict[str, Any]:
        replies = self.reply_counts.get(post.uri, 0)
        return {"uri": post.uri, "cid": post.cid,
                "author": {"did": post.account.did, "handle": post.account.handle,
                           "displayName": post.account.display_name, "labels": [],
                           "createdAt": "2023-04-01T00:00:00.000Z"},
                "record": post.record, "replyCount": replies, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "bookmarkCount": 0, "indexedAt": iso(post.time_us), "labels": []}

    async def search_posts(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self._error(401, "AuthMissing", "Authentication Required")
        did, problem = self._check_token(auth[len("Bearer "):].strip())
        if did is None:
            status = 400 if problem == "ExpiredToken" else 401
            return self._error(status, problem, "Token has expired" if problem == "ExpiredToken" else "Malformed token")
        ok, headers = self.limiter.hit("xrpc", did, self.search_limit)
        if not ok:
            return self._error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        query = request.query
        q = query.get("q", "").strip()
        if not q:
            return self._error(400, "InvalidRequest", 'Params must have the property "q"', headers)
        try:
            limit = int(query.get("limit", "25"))
            if not 1 <= limit <= 100:
                raise ValueError
        except ValueError:
            return self._error(400, "InvalidRequest", "limit must be an integer between 1 and 100", headers)
        if query.get("sort", "latest") not in ("latest", "top"):
            return self._error(400, "InvalidRequest", "sort must be one of latest, top", headers)
        try:
            since = _parse_when(query.get("since"))
            until = _parse_when(query.get("until"))
            before = int(query["cursor"]) if query.get("cursor") else None
        except ValueError:
            return self._error(400, "InvalidRequest", "Invalid since, until or cursor", headers)
        author = query.get("author", "").lower().lstrip("@")
        lang = query.get("lang")
        terms = [t for t in q.casefold().split() if t]
        hits = []
        for post in reversed(self.visible_posts()):
            if since is not None and post.created_us < since:
                continue
            if until is not None and post.created_us >= until:
                continue
            if author and author not in (post.account.handle, post.account.did):
                continue
            if lang and lang not in post.record.get("langs", []):
                continue
            text = post.record["text"].casefold()
            if all(t == "*" or t in text or t.lstrip("@") == post.account.handle for t in terms):
                hits.append(post)
        start = 0
        if before is not None:
            start = next((i for i, p in enumerate(hits) if p.time_us < before), len(hits))
        page = hits[start:start + limit]
        body: dict[str, Any] = {"hitsTotal": len(hits), "posts": [self.post_view(p) for p in page]}
        if start + limit < len(hits) and page:
            body["cursor"] = str(page[-1].time_us)
        return web.json_response(body, headers=headers, dumps=lambda o: json.dumps(o, ensure_ascii=False))


HUB = web.AppKey("bluesky_hub", Jetstream)


def _parse_when(value: str | None) -> int | None:
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value += "T00:00:00Z"
    return to_us(datetime.fromisoformat(value.replace("Z", "+00:00")))


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, **options: Any) -> web.Application:
    """The sandbox app. Options go to Jetstream(...): identifier, app_password, poll_ms, noise, search_limit,
    session_limit, rate_window_seconds, access_ttl_seconds."""
    app = application(clock, faults)
    hub = Jetstream(scenario, clock, **options)
    app[HUB] = hub
    app.router.add_get("/subscribe", hub.subscribe)
    app.router.add_post("/xrpc/com.atproto.server.createSession", hub.create_session)
    app.router.add_post("/xrpc/com.atproto.server.refreshSession", hub.refresh_session)
    app.router.add_get("/xrpc/com.atproto.identity.resolveHandle", hub.resolve_handle)
    app.router.add_get("/xrpc/app.bsky.actor.getProfile", hub.get_profile)
    app.router.add_get("/xrpc/app.bsky.feed.searchPosts", hub.search_posts)
    return app
