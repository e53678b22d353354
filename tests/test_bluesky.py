"""Bluesky: the sandbox Jetstream/XRPC speak the real wire format, and the collector survives its faults."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from earful import config as config_mod
from earful.clock import ManualClock
from earful.collectors import bluesky as collector_mod
from earful.collectors.base import load_cursor
from earful.collectors.bluesky import BlueskyCollector
from earful.errors import AuthFailed, MalformedPayload, RateLimited, Unavailable
from earful.model import Page
from earful.sandbox import bluesky as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer

START = datetime(2026, 11, 23)
ODD = ("Parcelly 📦😡 lost my parcel \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth "
       "ctl\x01\x07\x1b tab\tend " + "x" * 10_000)
BRAND = {"name": "Parcelly", "keywords": ["parcelly"], "accounts": {"bluesky": ["parcelly.bsky.social"]}}
POSTS = [
    {"id": "b1", "platform": "bluesky", "minute": 10, "author": "sadcustomer", "lang": "en", "label": "complaint",
     "text": "Hey @parcelly.bsky.social where is my parcel? Ünïcödé 😡 https://example.com/track?id=1 #lost"},
    {"id": "b2", "platform": "bluesky", "minute": 20, "author": "weatherfan", "lang": "en", "label": "other",
     "text": "Nice weather today"},
    {"id": "b3", "platform": "bluesky", "minute": 30, "author": "parcelly.bsky.social", "lang": "en",
     "label": "brand_reply", "text": "So sorry! Please DM us your tracking number.", "reply_to": "b1"},
    {"id": "b4", "platform": "bluesky", "minute": 40, "author": "sadcustomer", "lang": "en", "label": "followup",
     "text": "Sent it, still nothing.", "reply_to": "b3"},
    {"id": "b5", "platform": "bluesky", "minute": 50, "author": "happyfan", "lang": "de", "label": "praise",
     "text": "Parcelly war super schnell!"},
    {"id": "b6", "platform": "bluesky", "minute": 60, "author": "otherbrandfan", "lang": "en", "label": "competitor",
     "text": "Shipfast is the best courier"},
    {"id": "b7", "platform": "bluesky", "minute": 70, "author": "oddtext", "lang": "he", "label": "complaint",
     "text": ODD},
    {"id": "b8", "platform": "bluesky", "minute": 75, "author": "sadcustomer", "lang": "en", "label": "followup",
     "text": "Hello?? Anyone?", "reply_to": "b1"},
    {"id": "r1", "platform": "reddit", "minute": 15, "author": "redditor", "label": "complaint",
     "text": "parcelly on reddit"},
]
KEPT = {"b1", "b3", "b4", "b5", "b7", "b8"}
NOW = START + timedelta(hours=2)


def scenario(posts: list[dict[str, Any]] | None = None):
    return parse({"name": "bsky-test", "start": "2026-11-23T00:00:00Z", "duration_minutes": 180,
                  "brand": BRAND, "posts": posts if posts is not None else POSTS})


class Env:
    def __init__(self, clock: ManualClock, faults: Faults, server: SandboxServer, session: aiohttp.ClientSession):
        self.clock, self.faults, self.server, self.session = clock, faults, server, session
        self.app = server.app
        self.hub: sandbox.Jetstream = server.app[sandbox.HUB]

    def uri(self, sid: str) -> str:
        return self.hub.posts[sid].uri

    def config(self, creds: bool = False, **source: Any) -> config_mod.Config:
        table = sandbox.demo_source(self.server.url)
        table.update({"backfill_hours": 24, "timeout_seconds": 2})
        if not creds:
            table.pop("identifier")
            table.pop("app_password")
        table.update(source)
        return config_mod.parse({"brands": [BRAND], "sources": {"bluesky": table}})

    def collector(self, creds: bool = False, source: dict[str, Any] | None = None, **kw: Any) -> BlueskyCollector:
        cfg = self.config(creds, **(source or {}))
        kw.setdefault("until_idle", True)
        kw.setdefault("batch_seconds", 0.05)
        kw.setdefault("idle_seconds", 0.08)  # generous, so a loaded machine cannot end a run early
        return BlueskyCollector(cfg, cfg.sources.bluesky, self.clock, self.session, **kw)


@pytest.fixture
async def env(monkeypatch: pytest.MonkeyPatch):
    for name, value in sandbox.DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    clock = ManualClock(NOW)
    faults = Faults()
    app = sandbox.make_app(scenario(), clock, faults)
    async with SandboxServer(app) as server, aiohttp.ClientSession() as session:
        yield Env(clock, faults, server, session)


async def collect(collector: BlueskyCollector, cursor: str | None = None, seconds: float = 10) -> list[Page]:
    pages = []
    async with asyncio.timeout(seconds):
        async for page in collector.pages(cursor):
            pages.append(page)
    return pages


def ids(pages: list[Page]) -> list[str]:
    return [m.id for p in pages for m in p.mentions]


async def until(predicate, seconds: float = 3.0) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():
            await asyncio.sleep(0.005)


# -- the sandbox's wire format ---------------------------------------------------------------------------------

async def read_frames(ws: aiohttp.ClientWebSocketResponse, quiet: float = 0.1) -> list[dict[str, Any]]:
    frames = []
    while True:
        try:
            msg = await ws.receive(timeout=quiet)
        except TimeoutError:
            return frames
        if msg.type != aiohttp.WSMsgType.TEXT:
            return frames
        frames.append(json.loads(msg.data))


async def test_jetstream_events_have_the_real_shape(env: Env):
    async with env.session.ws_connect(env.server.url + "/subscribe", params={"cursor": "0"}) as ws:
        frames = await read_frames(ws)
    kinds = {f["kind"] for f in frames}
    assert kinds == {"commit", "identity", "account"}
    ops = {(f["commit"]["collection"], f["commit"]["operation"]) for f in frames if f["kind"] == "commit"}
    assert ("app.bsky.feed.post", "create") in ops and ("app.bsky.feed.like", "create") in ops
    assert ("app.bsky.actor.profile", "update") in ops
    times = [f["time_us"] for f in frames]
    assert times == sorted(times) and len(set(times)) == len(times)
    posts = {f["commit"]["record"]["text"][:20]: f for f in frames
             if f["kind"] == "commit" and f["commit"]["collection"] == "app.bsky.feed.post"}
    b1 = next(f for t, f in posts.items() if t.startswith("Hey @parcelly"))
    rec = b1["commit"]["record"]
    assert rec["$type"] == "app.bsky.feed.post" and rec["langs"] == ["en"] and rec["createdAt"].endswith("Z")
    assert b1["did"].startswith("did:plc:") and len(b1["did"]) == len("did:plc:") + 24
    assert len(b1["commit"]["rkey"]) == 13 and b1["commit"]["cid"].startswith("bafyrei")
    raw = rec["text"].encode("utf-8")
    spans = {f["features"][0]["$type"].split("#")[1]: raw[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode()
             for f in rec["facets"]}
    assert spans == {"mention": "@parcelly.bsky.social", "link": "https://example.com/track?id=1", "tag": "#lost"}
    mention = next(f for f in rec["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"] == env.hub.accounts["parcelly.bsky.social"].did
    b4 = next(f for t, f in posts.items() if t.startswith("Sent it"))
    reply = b4["commit"]["record"]["reply"]
    assert reply["root"] == {"cid": env.hub.posts["b1"].cid, "uri": env.uri("b1")}
    assert reply["parent"] == {"cid": env.hub.posts["b3"].cid, "uri": env.uri("b3")}
    assert env.uri("b3").startswith("at://" + env.hub.accounts["parcelly.bsky.social"].did + "/app.bsky.feed.post/")
    rkeys = [f["commit"]["rkey"] for f in posts.values()]
    assert rkeys == sorted(rkeys)  # TIDs sort like time
    identity = next(f for f in frames if f["kind"] == "identity")
    assert set(identity["identity"]) >= {"did", "seq", "time", "handle"}


async def test_ids_are_deterministic_and_deletes_have_no_record(env: Env):
    again = sandbox.Jetstream(scenario(), ManualClock(NOW))
    assert {k: p.uri for k, p in again.posts.items()} == {k: p.uri for k, p in env.hub.posts.items()}
    env.clock.set(START + timedelta(hours=3))
    spam = scenario([{"id": "s1", "platform": "bluesky", "minute": 1, "author": "spammer", "label": "spam",
                      "text": "buy parcelly followers"}])
    hub = sandbox.Jetstream(spam, env.clock)
    deletes = [json.loads(e.text) for e in hub.events.values() if '"operation":"delete"' in e.text]
    assert len(deletes) == 1 and "record" not in deletes[0]["commit"] and "cid" not in deletes[0]["commit"]
    assert deletes[0]["commit"]["rkey"] == hub.posts["s1"].rkey


async def test_cursor_replays_inclusive_and_filters(env: Env):
    b3 = env.hub.posts["b3"]
    params = [("wantedCollections", "app.bsky.feed.post"), ("cursor", str(b3.time_us))]
    async with env.session.ws_connect(env.server.url + "/subscribe", params=params) as ws:
        frames = await read_frames(ws)
    assert frames[0]["time_us"] == b3.time_us
    assert all(f["time_us"] >= b3.time_us for f in frames)
    assert {f["commit"]["collection"] for f in frames if f["kind"] == "commit"} == {"app.bsky.feed.post"}
    did = env.hub.accounts["sadcustomer.bsky.social"].did
    params = [("wantedDids", did), ("cursor", "0"), ("wantedCollections", "app.bsky.feed.*")]
    async with env.session.ws_connect(env.server.url + "/subscribe", params=params) as ws:
        frames = await read_frames(ws)
    assert frames and {f["did"] for f in frames} == {did}
    assert {f["kind"] for f in frames} == {"commit", "identity", "account"}


@pytest.mark.parametrize("params", [
    {"wantedCollections": "not a nsid!"}, {"wantedDids": "bob"}, {"cursor": "yesterday"}])
async def test_invalid_options_are_rejected_before_upgrade(env: Env, params: dict[str, str]):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await env.session.ws_connect(env.server.url + "/subscribe", params=params)
    assert info.value.status == 400


async def test_require_hello_waits_for_options_update(env: Env):
    params = {"requireHello": "true", "cursor": "0"}
    async with env.session.ws_connect(env.server.url + "/subscribe", params=params) as ws:
        assert await read_frames(ws, quiet=0.05) == []
        await ws.send_str(json.dumps({"type": "options_update", "payload": {
            "wantedCollections": ["app.bsky.actor.profile"], "wantedDids": [], "maxMessageSizeBytes": 0}}))
        frames = await read_frames(ws)
        assert frames and all(f["kind"] != "commit" or f["commit"]["collection"] == "app.bsky.actor.profile"
                              for f in frames)
        assert any(f["kind"] == "commit" for f in frames)
        await ws.send_str("{broken")
        msg = await ws.receive(timeout=1)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_live_events_follow_the_clock(env: Env):
    env.clock.set(START + timedelta(minutes=35))  # b1, b3 visible; b4 (minute 40) not yet
    params = {"wantedCollections": "app.bsky.feed.post"}
    async with env.session.ws_connect(env.server.url + "/subscribe", params=params) as ws:
        assert await read_frames(ws, quiet=0.03) == []  # no cursor: live tail only
        env.clock.set(START + timedelta(minutes=45))
        env.hub.notify()
        frames = await read_frames(ws)
        assert [f["commit"]["rkey"] for f in frames] == [env.hub.posts["b4"].rkey]
        await env.hub.publish([{"id": "n1", "author": "newbie", "text": "parcelly hello", "lang": "en"}])
        frames = await read_frames(ws)
        assert [f["kind"] for f in frames] == ["identity", "account", "commit"]
        assert frames[0]["identity"]["handle"] == "newbie.bsky.social"
        assert frames[2]["commit"]["record"]["text"] == "parcelly hello"


async def test_search_posts_wire_format(env: Env):
    url = env.server.url + "/xrpc/"
    async with env.session.get(url + "app.bsky.feed.searchPosts", params={"q": "parcelly"}) as resp:
        assert resp.status == 401
        assert await resp.json() == {"error": "AuthMissing", "message": "Authentication Required"}
    body = {"identifier": sandbox.DEMO_IDENTIFIER, "password": "wrong"}
    async with env.session.post(url + "com.atproto.server.createSession", json=body) as resp:
        assert resp.status == 401
        assert await resp.json() == {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    body["password"] = sandbox.DEMO_PASSWORD
    async with env.session.post(url + "com.atproto.server.createSession", json=body) as resp:
        session = await resp.json()
        assert resp.headers["RateLimit-Limit"] == "30"
    assert set(session) >= {"accessJwt", "refreshJwt", "did", "handle"}
    auth = {"Authorization": "Bearer " + session["accessJwt"]}
    seen, cursor = [], None
    while True:
        params = {"q": "parcelly", "limit": "2", "sort": "latest", **({"cursor": cursor} if cursor else {})}
        async with env.session.get(url + "app.bsky.feed.searchPosts", params=params, headers=auth) as resp:
            assert resp.status == 200 and int(resp.headers["RateLimit-Remaining"]) > 0
            data = await resp.json()
        seen += data["posts"]
        cursor = data.get("cursor")
        if not cursor:
            break
    assert [p["uri"] for p in seen] == [env.uri(s) for s in ("b7", "b5", "b1")]  # latest first
    view = seen[-1]
    assert set(view) >= {"uri", "cid", "author", "record", "indexedAt", "replyCount", "likeCount"}
    assert view["author"]["handle"] == "sadcustomer.bsky.social" and view["replyCount"] == 2
    params = {"q": "parcelly", "since": "2026-11-23T00:45:00Z", "until": "2026-11-23T01:05:00Z"}
    async with env.session.get(url + "app.bsky.feed.searchPosts", params=params, headers=auth) as resp:
        assert [p["uri"] for p in (await resp.json())["posts"]] == [env.uri("b5")]
    async with env.session.get(url + "com.atproto.identity.resolveHandle",
                               params={"handle": "parcelly.bsky.social"}) as resp:
        assert (await resp.json())["did"] == env.hub.accounts["parcelly.bsky.social"].did
    async with env.session.get(url + "com.atproto.identity.resolveHandle", params={"handle": "no.body"}) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == "InvalidRequest"


async def test_search_rate_limit_answers_429_with_reset(monkeypatch: pytest.MonkeyPatch):
    clock = ManualClock(NOW)
    app = sandbox.make_app(scenario(), clock, session_limit=2, rate_window_seconds=300)
    async with SandboxServer(app) as server, aiohttp.ClientSession() as session:
        url = server.url + "/xrpc/com.atproto.server.createSession"
        statuses = []
        for _ in range(3):
            async with session.post(url, json={"identifier": "x", "password": "y"}) as resp:
                statuses.append(resp.status)
                headers, body = resp.headers, await resp.json()
    assert statuses == [401, 401, 429]
    assert body["error"] == "RateLimitExceeded"
    epoch = (NOW - datetime(1970, 1, 1)).total_seconds()
    assert 0 < int(headers["RateLimit-Reset"]) - epoch <= 300 and headers["RateLimit-Remaining"] == "0"


# -- the collector: Jetstream --------------------------------------------------------------------------------

async def test_collector_keeps_brand_posts_threads_and_fields(env: Env):
    pages = await collect(env.collector())
    got = ids(pages)
    assert sorted(got) == sorted(env.uri(s) for s in KEPT) and len(got) == len(set(got))
    by_id = {m.id: m for p in pages for m in p.mentions}
    b1, b3, b4 = (by_id[env.uri(s)] for s in ("b1", "b3", "b4"))
    assert b1.platform == "bluesky" and b1.author == "sadcustomer.bsky.social"
    assert b1.author_id == env.hub.posts["b1"].account.did
    assert b1.created_at == START + timedelta(minutes=10) and b1.lang_hint == "en"
    assert b1.url == f"https://bsky.app/profile/{b1.author_id}/post/{env.hub.posts['b1'].rkey}"
    assert b1.thread_id == b1.id and b1.reply_to_id is None
    assert b3.author == "parcelly.bsky.social" and b3.reply_to_id == b1.id and b3.thread_id == b1.id
    assert b4.reply_to_id == b3.id and b4.thread_id == b1.id  # kept: answers the brand's post
    b8 = by_id[env.uri("b8")]
    assert b8.reply_to_id == b1.id and b8.thread_id == b1.id  # kept only because it is in a thread we follow
    kept_by = {k: v for p in pages for k, v in p.meta["kept_by"].items()}
    assert kept_by[b8.id] == "thread" and kept_by[b3.id] == "brand_account" and kept_by[b1.id] == "mentions_brand"
    assert kept_by[env.uri("b5")] == "keyword"
    assert b1.raw is not None and b1.raw["kind"] == "commit"
    assert by_id[env.uri("b7")].text == ODD  # emoji, RTL, zero-width, control chars, 10 kB intact
    assert b1.brand is None and b1.enrichment is None
    last = load_cursor(pages[-1].cursor)
    assert last["time_us"] >= env.hub.posts["b7"].time_us
    requested = [p for m, p in env.faults.log if p.startswith("/subscribe")]
    assert "wantedCollections=app.bsky.feed.post" in requested[0]
    first_cursor = int(requested[0].split("cursor=")[1].split("&")[0])
    # backfill_hours before now, minus the warm-up replay that relearns followed threads
    assert first_cursor == sandbox.to_us(NOW - timedelta(hours=24, seconds=900)) - 1


async def test_two_or_more_pages_and_cursors_advance(env: Env):
    pages = await collect(env.collector(batch_size=2))
    assert len([p for p in pages if p.mentions]) >= 3
    assert all(len(p.mentions) <= 2 for p in pages)
    times = [load_cursor(p.cursor)["time_us"] for p in pages]
    assert times == sorted(times)
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)


async def test_restart_resumes_exactly_and_twice_yields_nothing_new(env: Env):
    env.clock.set(START + timedelta(minutes=45))
    first = await collect(env.collector())
    assert sorted(ids(first)) == sorted(env.uri(s) for s in ("b1", "b3", "b4"))
    cursor = first[-1].cursor
    again = await collect(env.collector(), cursor)
    assert ids(again) == []  # collecting twice yields no new ids
    env.clock.set(NOW)
    later = await collect(env.collector(), cursor)
    assert sorted(ids(later)) == sorted(env.uri(s) for s in ("b5", "b7", "b8"))


@pytest.mark.parametrize("warmup, kept", [(900, True), (0, False)])
async def test_restart_relearns_followed_threads_from_a_warm_up_replay(warmup: float, kept: bool):
    posts = [{"id": "c1", "platform": "bluesky", "minute": 10, "author": "cust", "label": "complaint",
              "text": "parcelly lost my box"},
             {"id": "c2", "platform": "bluesky", "minute": 20, "author": "noise", "label": "other", "text": "hi"},
             {"id": "c3", "platform": "bluesky", "minute": 30, "author": "cust", "label": "followup",
              "text": "still waiting...", "reply_to": "c1"}]
    clock = ManualClock(START + timedelta(minutes=25))
    app = sandbox.make_app(scenario(posts), clock)
    async with SandboxServer(app) as server, aiohttp.ClientSession() as session:
        cfg = config_mod.parse({"brands": [BRAND], "sources": {"bluesky": {
            "jetstream_url": sandbox.demo_source(server.url)["jetstream_url"], "pds_url": server.url}}})

        def make(**kw: Any) -> BlueskyCollector:
            return BlueskyCollector(cfg, cfg.sources.bluesky, clock, session, until_idle=True, batch_seconds=0.05,
                                    idle_seconds=0.08, **kw)

        first = await collect(make())
        assert ids(first) == [app[sandbox.HUB].posts["c1"].uri]
        clock.set(START + timedelta(minutes=35))
        later = await collect(make(warmup_seconds=warmup), first[-1].cursor)
    # c3 only replies to c1 (no keyword): a fresh instance follows that thread only if it replayed c1
    assert ids(later) == ([app[sandbox.HUB].posts["c3"].uri] if kept else [])


async def test_cursor_from_middle_of_a_run_resumes_without_gaps(env: Env):
    pages = await collect(env.collector(batch_size=1))
    mention_pages = [p for p in pages if p.mentions]
    cut = mention_pages[1]
    rest = await collect(env.collector(), cut.cursor)
    before = [m.id for p in pages[:pages.index(cut) + 1] for m in p.mentions]
    assert sorted(before + ids(rest)) == sorted(env.uri(s) for s in KEPT)
    assert not set(before) & set(ids(rest))


async def test_malformed_frames_are_skipped_and_counted(env: Env):
    env.hub.inject_raw("{not json", at=START + timedelta(minutes=11))
    env.hub.inject_raw('{"did": 5, "kind": "commit"}', at=START + timedelta(minutes=12))
    at = START + timedelta(minutes=13)
    bad_record = {"did": "did:plc:x", "time_us": sandbox.to_us(at), "kind": "commit", "commit": {
        "collection": "app.bsky.feed.post", "operation": "create", "rkey": "3abc", "record": "not a record"}}
    env.hub.inject_raw(json.dumps(bad_record), at=at)
    env.hub.inject_raw('[1, 2', at=START + timedelta(minutes=14))
    collector = env.collector()
    pages = await collect(collector)
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)
    assert collector.stats["malformed"] == 4


async def test_server_close_reconnects_without_loss_or_duplicates(env: Env):
    env.hub.drop_after(3)
    env.hub.drop_after(4)
    collector = env.collector(rewind_seconds=3600)  # rewind far: the replay overlaps what we already kept
    pages = await collect(collector)
    got = ids(pages)
    assert sorted(got) == sorted(env.uri(s) for s in KEPT) and len(got) == len(set(got))
    assert env.hub.connections == 3 and collector.stats["reconnects"] == 2
    cursors = [p for m, p in env.faults.log if p.startswith("/subscribe")]
    assert len(cursors) == 3 and cursors[1] != cursors[0]


async def test_live_stream_sees_new_posts_as_the_clock_moves(env: Env):
    env.clock.set(START + timedelta(minutes=35))
    collector = env.collector(until_idle=False)
    pages: list[Page] = []

    async def run() -> None:
        async for page in collector.pages(None):
            pages.append(page)

    task = asyncio.create_task(run())
    try:
        await until(lambda: len(ids(pages)) == 2)
        env.clock.set(START + timedelta(minutes=45))
        env.hub.notify()
        await until(lambda: len(ids(pages)) == 3)
        assert ids(pages)[-1] == env.uri("b4")
        await env.hub.publish([{"id": "live1", "author": "sadcustomer", "text": "any news @parcelly.bsky.social?",
                                "reply_to": "b4"}])
        await until(lambda: len(ids(pages)) == 4)
        assert ids(pages)[-1] == env.uri("live1")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await collector.aclose()


async def test_high_rate_publish_is_filtered_in_the_collector(env: Env):
    posts = [{"id": f"h{i}", "author": f"user{i % 50}",
              "text": ("parcelly is late again" if i % 4 == 0 else "lunch was fine"), "lang": "en"}
             for i in range(2000)]
    await env.hub.publish(posts)
    collector = env.collector(batch_size=100)
    pages = await collect(collector)
    got = ids(pages)
    assert len(got) == len(set(got)) == len(KEPT) + 500
    assert collector.stats["events"] > 2000
    assert max(len(p.mentions) for p in pages) <= 100


async def test_jetstream_429_raises_rate_limited_with_reset(env: Env):
    epoch = int((NOW - datetime(1970, 1, 1)).total_seconds())
    env.faults.add("/subscribe", status=429, body="Too Many Requests", content_type="text/plain",
                   headers={"RateLimit-Reset": str(epoch + 42)})
    with pytest.raises(RateLimited) as info:
        await collect(env.collector())
    assert info.value.retry_after == pytest.approx(42)


async def test_jetstream_5xx_is_retried_with_backoff_then_gives_up(env: Env):
    env.faults.add("/subscribe", status=503, body="down", content_type="text/plain", times=2)
    pages = await collect(env.collector())
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)
    assert len(env.clock.slept) == 2 and env.clock.slept[1] > env.clock.slept[0] > 0
    env.faults.add("/subscribe", status=502, body="down", content_type="text/plain", times=None)
    with pytest.raises(Unavailable):
        await collect(env.collector(max_failures=2))


async def test_jetstream_handshake_timeout_then_recovers(env: Env):
    env.faults.add("/subscribe", kind="hang", times=1)
    collector = env.collector(source={"timeout_seconds": 0.3})
    pages = await collect(collector)
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)
    assert env.clock.slept and collector.stats["connections"] == 1


async def test_disconnect_fault_is_retried(env: Env):
    env.faults.add("/subscribe", kind="disconnect", times=1)
    pages = await collect(env.collector())
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)


async def test_empty_stream_returns_with_no_mentions(env: Env):
    env.clock.set(START + timedelta(minutes=5))
    pages = await collect(env.collector())
    assert ids(pages) == []


async def test_brand_did_in_config_is_accepted(env: Env):
    did = env.hub.accounts["parcelly.bsky.social"].did
    cfg = config_mod.parse({"brands": [{**BRAND, "keywords": ["nothingmatches"], "accounts": {"bluesky": [did]}}],
                            "sources": {"bluesky": {"jetstream_url": sandbox.demo_source(env.server.url)[
                                "jetstream_url"], "pds_url": env.server.url}}})
    collector = BlueskyCollector(cfg, cfg.sources.bluesky, env.clock, env.session, until_idle=True,
                                 batch_seconds=0.05, idle_seconds=0.08)
    pages = await collect(collector)
    # the customer's mention of the brand DID (facet), the brand's own reply, and the follow-ups in that thread
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in ("b1", "b3", "b4", "b8"))
    assert not any(p.startswith("/xrpc/com.atproto.identity.resolveHandle") for _, p in env.faults.log)


# -- the collector: searchPosts backfill -----------------------------------------------------------------------

async def test_search_backfill_paginates_then_streams(env: Env):
    collector = env.collector(creds=True, search_limit=2)
    pages = await collect(collector)
    search_pages = [p for p in pages if p.note == "search"]
    assert len(search_pages) >= 3
    searched = [m.id for p in search_pages for m in p.mentions]
    assert set(searched) >= {env.uri(s) for s in ("b1", "b5", "b7")}
    got = ids(pages)
    assert sorted(got) == sorted(env.uri(s) for s in KEPT) and len(got) == len(set(got))
    b7 = next(m for p in search_pages for m in p.mentions if m.id == env.uri("b7"))
    assert b7.text == ODD and b7.author == "oddtext.bsky.social"
    assert "search" not in load_cursor(search_pages[-1].cursor)
    logins = [p for m, p in env.faults.log if "createSession" in p]
    assert len(logins) == 1
    searches = [p for m, p in env.faults.log if "searchPosts" in p]
    assert any("cursor=" in p for p in searches) and all("since=" in p and "until=" in p for p in searches)


async def test_search_resumes_from_a_mid_search_cursor(env: Env):
    pages = await collect(env.collector(creds=True, search_limit=1))
    search_pages = [p for p in pages if p.note == "search"]
    mid = search_pages[0]
    assert "search" in load_cursor(mid.cursor)
    # "parcelly" latest first, one per page, then "parcelly.bsky.social" adds the brand's own post
    assert ids(search_pages) == [env.uri(s) for s in ("b7", "b5", "b1", "b3")]
    rest = await collect(env.collector(creds=True, search_limit=1), mid.cursor)
    assert ids([p for p in rest if p.note == "search"]) == ids(search_pages)[1:]
    assert sorted(set(ids(rest)) | set(ids([mid]))) == sorted(env.uri(s) for s in KEPT)


async def test_search_auth_failure_names_the_setting(env: Env, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EARFUL_DEMO_BLUESKY_APP_PASSWORD", "wrong-secret-value")
    with pytest.raises(AuthFailed) as info:
        await collect(env.collector(creds=True))
    assert info.value.setting == "sources.bluesky.app_password"
    assert "wrong-secret-value" not in str(info.value) and "sources.bluesky.app_password" in str(info.value)


async def test_search_429_uses_ratelimit_reset(env: Env):
    epoch = int((NOW - datetime(1970, 1, 1)).total_seconds())
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", status=429,
                   body='{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}',
                   headers={"RateLimit-Reset": str(epoch + 120), "RateLimit-Remaining": "0"})
    with pytest.raises(RateLimited) as info:
        await collect(env.collector(creds=True))
    assert info.value.retry_after == pytest.approx(120)
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", status=429, body="{}",
                   headers={"RateLimit-Reset": str(epoch + 86_400)})
    with pytest.raises(RateLimited) as info:
        await collect(env.collector(creds=True))
    assert info.value.retry_after == 900  # bounded


async def test_search_5xx_is_unavailable(env: Env):
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", status=502, body="bad gateway", content_type="text/plain")
    with pytest.raises(Unavailable):
        await collect(env.collector(creds=True))


async def test_search_timeout_is_unavailable(env: Env):
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", kind="hang")
    with pytest.raises(Unavailable, match="within 0.3 s"):
        await collect(env.collector(creds=True, source={"timeout_seconds": 0.3}))


@pytest.mark.parametrize("body", ['{"posts": [', "not json at all", '["a list"]', '{"cursor": "x"}'])
async def test_search_malformed_json(env: Env, body: str):
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", status=200, body=body)
    with pytest.raises(MalformedPayload):
        await collect(env.collector(creds=True))


async def test_search_expired_token_logs_in_again(env: Env):
    env.faults.add("/xrpc/app.bsky.feed.searchPosts", status=400,
                   body='{"error":"ExpiredToken","message":"Token has expired"}')
    pages = await collect(env.collector(creds=True))
    assert sorted(ids(pages)) == sorted(env.uri(s) for s in KEPT)
    assert len([p for _, p in env.faults.log if "createSession" in p]) == 2


async def test_search_empty_page(env: Env):
    env.clock.set(START + timedelta(minutes=5))
    pages = await collect(env.collector(creds=True))
    assert [p.note for p in pages] == ["search", "search"]  # "parcelly" and "parcelly.bsky.social"
    assert ids(pages) == []


async def test_create_follows_config(env: Env):
    assert collector_mod.create(config_mod.parse({"brands": [BRAND]}), env.clock, env.session) == []
    disabled = config_mod.parse({"brands": [BRAND], "sources": {"bluesky": {"enabled": False}}})
    assert collector_mod.create(disabled, env.clock, env.session) == []
    made = collector_mod.create(env.config(), env.clock, env.session)
    assert len(made) == 1 and made[0].key == "bluesky" and made[0].platform == "bluesky"
    assert made[0].poll_interval == 5
