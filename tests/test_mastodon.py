"""Mastodon collector against the sandbox instance (real aiohttp client, real wire format)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest

from earful import config as cfg
from earful.clock import ManualClock
from earful.collectors import mastodon
from earful.errors import AuthFailed, MalformedPayload, RateLimited, Unavailable
from earful.sandbox import mastodon as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer
from tests.conftest import collect, ids

START = datetime(2026, 11, 23)
ODD = ("Parcelly 📦🔥 lost my parcel \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth "
       "ctl\x01\x07\x1b <b>not a tag</b> & \"quotes\" 'single'\nsecond line\n\nnew paragraph " + "x" * 10_000)


def scenario(n: int = 50, extra: list[dict] | None = None):
    posts = [{"id": f"m{i:03d}", "platform": "mastodon", "minute": i, "author": f"user{i % 7}",
              "text": f"#Parcelly post number {i} where is my parcel", "lang": "en", "label": "complaint",
              "community": "parcelly"} for i in range(n)]
    posts += [
        {"id": "old", "platform": "mastodon", "minute": -2000, "author": "ancient", "text": "#parcelly long ago",
         "label": "other", "community": "parcelly"},
        {"id": "reply", "platform": "mastodon", "minute": n + 1, "author": "parcellyhelp",
         "text": "@user3 sorry, we are on it", "label": "brand_reply", "reply_to": "m003"},
        {"id": "untagged", "platform": "mastodon", "minute": n + 2, "author": "quiet",
         "text": "Parcelly broke my heart, no tag here", "label": "complaint"},
        {"id": "elsewhere", "platform": "reddit", "minute": 1, "author": "r", "text": "parcelly", "label": "other"},
    ]
    posts += extra or []
    return parse({"name": "t", "start": START.isoformat() + "Z", "posts": posts})


def make_config(url: str | list[str], token: bool = False, **source) -> cfg.Config:
    src = {"instances": url if isinstance(url, list) else [url], "hashtags": ["parcelly"], "backfill_hours": 24,
           "timeout_seconds": 2, **source}
    if token:
        src["access_token"] = {"env": "TEST_MASTODON_TOKEN"}
    return cfg.parse({"brands": [{"name": "Parcelly", "keywords": ["Parcelly"],
                                  "accounts": {"mastodon": ["parcellyhelp"]}}],
                      "sources": {"mastodon": src}})


@pytest.fixture
def clock():
    return ManualClock(START + timedelta(minutes=120))


@pytest.fixture
async def server(clock):
    faults = Faults()
    app = sandbox.make_app(scenario(), clock, faults)
    async with SandboxServer(app) as srv:
        srv.faults = faults
        yield srv


async def test_backfill_pages_links_and_reply_ids(server, clock, session):
    collector, = mastodon.create(make_config(server.url), clock, session)
    pages = await collect(collector)
    got = ids(pages)
    host = "127.0.0.1"  # ids carry the host name; the port may change between runs
    assert len(got) == len(set(got))
    assert len([p for p in pages if p.mentions]) >= 3  # 50 tagged statuses at limit 40 + the account stream
    texts = {m.id: m for p in pages for m in p.mentions}
    by_scenario = {m.text: m for m in texts.values()}
    assert "#parcelly long ago" not in by_scenario  # older than backfill_hours
    first = by_scenario["#Parcelly post number 3 where is my parcel"]  # HTML stripped, hashtag link kept as text
    assert first.id.startswith(host + ":") and first.author == "user3" and first.lang_hint == "en"
    assert first.url and first.created_at == START + timedelta(minutes=3) and first.thread_id == first.id
    reply = by_scenario["@user3 sorry, we are on it"]
    assert reply.author == "parcellyhelp" and reply.reply_to_id == first.id and reply.thread_id == first.id
    # the second timeline page was asked for with the max_id from the Link header
    assert any("max_id=" in path for _, path in server.faults.log if "/timelines/tag/parcelly" in path)
    assert "untagged" not in " ".join(by_scenario)  # no token: no full-text search


async def test_collect_twice_and_restart_resume(server, clock, session):
    conf = make_config(server.url)
    first = await collect(mastodon.create(conf, clock, session)[0])
    cursor = first[-1].cursor
    again = await collect(mastodon.create(conf, clock, session)[0], cursor)
    assert ids(again) == []
    server.app["extra_posts"].append(
        {"id": "late", "platform": "mastodon", "minute": 130, "author": "later", "text": "#parcelly still nothing",
         "label": "followup", "community": "parcelly"})
    clock.advance(15 * 60)
    resumed = await collect(mastodon.create(conf, clock, session)[0], cursor)
    assert [m.text for p in resumed for m in p.mentions] == ["#parcelly still nothing"]
    assert any("min_id=" in path for _, path in server.faults.log)
    assert not set(ids(resumed)) & set(ids(first))


async def test_resume_mid_backfill_loses_nothing(server, clock, session):
    conf = make_config(server.url)
    full = set(ids(await collect(mastodon.create(conf, clock, session)[0])))
    gen = mastodon.create(conf, clock, session)[0].pages(None)
    page1 = await gen.__anext__()
    await gen.aclose()  # "killed" after the first page was stored
    rest = await collect(mastodon.create(conf, clock, session)[0], page1.cursor)
    assert set(ids([page1])) | set(ids(rest)) == full


async def test_rate_limit_uses_iso_reset(clock, session):
    clock.set(START + timedelta(minutes=122, seconds=30))  # window 02:00-02:05, reset in 150 s
    app = sandbox.make_app(scenario(), clock, rate_limit=1)
    async with SandboxServer(app) as srv:
        with pytest.raises(RateLimited) as err:
            await collect(mastodon.create(make_config(srv.url), clock, session)[0])
    assert err.value.retry_after == pytest.approx(150, abs=1)


async def test_5xx_timeout_and_malformed(server, clock, session):
    conf = make_config(server.url, timeout_seconds=0.3)
    server.faults.add("/api/v1/timelines/tag/", status=503, body="<html>bad gateway</html>", content_type="text/html")
    with pytest.raises(Unavailable):
        await collect(mastodon.create(conf, clock, session)[0])
    server.faults.add("/api/v1/timelines/tag/", kind="hang")
    with pytest.raises(Unavailable, match="no answer"):
        await collect(mastodon.create(conf, clock, session)[0])
    server.faults.add("/api/v1/timelines/tag/", status=200, body='[{"id": "1", "content": "<p>trunc')
    with pytest.raises(MalformedPayload):
        await collect(mastodon.create(conf, clock, session)[0])
    server.faults.add("/api/v1/timelines/tag/", status=200, body='{"error": "not a list"}')
    with pytest.raises(MalformedPayload):
        await collect(mastodon.create(conf, clock, session)[0])


async def test_empty_and_unknown_tags(clock, session):
    app = sandbox.make_app(scenario(0), clock)
    async with SandboxServer(app) as srv:
        conf = make_config(srv.url, hashtags=["nosuchtag", "parcelly"])
        clock.set(START - timedelta(days=3))  # nothing visible yet
        pages = await collect(mastodon.create(conf, clock, session)[0])
    assert ids(pages) == []


async def test_bad_token_is_auth_failed(server, clock, session, monkeypatch):
    monkeypatch.setenv("TEST_MASTODON_TOKEN", "wrong-token")
    with pytest.raises(AuthFailed) as err:
        await collect(mastodon.create(make_config(server.url, token=True), clock, session)[0])
    assert err.value.setting == "sources.mastodon.access_token"
    assert "wrong-token" not in str(err.value)


async def test_instance_without_public_preview_needs_token(clock, session):
    app = sandbox.make_app(scenario(), clock, public_preview=False)
    async with SandboxServer(app) as srv:
        with pytest.raises(AuthFailed) as err:
            await collect(mastodon.create(make_config(srv.url), clock, session)[0])
    assert err.value.setting == "sources.mastodon.access_token"


async def test_search_with_token_finds_untagged(server, clock, session, monkeypatch):
    monkeypatch.setenv("TEST_MASTODON_TOKEN", sandbox.DEMO_TOKEN)
    # until_idle: with a token the collector also follows the streams, until they are quiet
    pages = await collect(mastodon.create(make_config(server.url, token=True), clock, session, until_idle=True)[0])
    texts = [m.text for p in pages for m in p.mentions]
    assert "Parcelly broke my heart, no tag here" in texts
    assert any(p.startswith("/api/v2/search") for _, p in server.faults.log)
    assert len(ids(pages)) == len(set(ids(pages)))  # search hits already seen in the tag timeline are dropped


async def test_boosts_are_skipped(server, clock, session):
    server.app["boosts"].append({"post": "m010", "by": "parcellyhelp", "minute": 100})
    pages = await collect(mastodon.create(make_config(server.url), clock, session)[0])
    account_pages = [p for p in pages if "account:" in p.note]
    assert account_pages and all(m.raw["reblog"] is None for p in pages for m in p.mentions)
    assert [m.author for p in account_pages for m in p.mentions] == ["parcellyhelp"]
    assert any("/statuses" in path for _, path in server.faults.log)


async def test_odd_text_survives(clock, session):
    odd = scenario(2, extra=[{"id": "odd", "platform": "mastodon", "minute": 5, "author": "weird",
                              "text": ODD, "label": "complaint", "community": "parcelly"}])
    async with SandboxServer(sandbox.make_app(odd, clock)) as srv:
        pages = await collect(mastodon.create(make_config(srv.url), clock, session)[0])
    [got] = [m for p in pages for m in p.mentions if m.author == "weird"]
    assert got.text == ODD


async def test_two_instances_one_failing(clock, session):
    sc = scenario(10)
    faults_b = Faults()
    app_a = sandbox.make_app(sc, clock, post_filter=lambda p: p.id < "m005")
    app_b = sandbox.make_app(sc, clock, faults_b, post_filter=lambda p: p.id >= "m005")
    async with SandboxServer(app_a) as a, SandboxServer(app_b) as b:
        conf = make_config([a.url, b.url])
        pages = await collect(mastodon.create(conf, clock, session)[0])
        hosts = {m.id.rsplit(":", 1)[0] for p in pages for m in p.mentions}
        assert hosts == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}
        faults_b.add("/api", status=502, times=None)
        got = []
        with pytest.raises(Unavailable):
            async for page in mastodon.create(conf, clock, session)[0].pages(None):
                got.extend(page.mentions)
        assert {m.id.rsplit(":", 1)[0] for m in got} == {f"127.0.0.1:{a.port}"}


async def test_create_disabled_and_demo_source(clock, session):
    conf = cfg.parse({"sources": {"mastodon": {"enabled": False}}})
    assert mastodon.create(conf, clock, session) == []
    assert mastodon.create(cfg.parse({}), clock, session) == []
    demo = sandbox.demo_source("http://127.0.0.1:1")
    assert demo["instances"] == ["http://127.0.0.1:1"] and "env" in demo["access_token"]
    assert mastodon.hashtag("Acme Corp!") == "acmecorp"


# -- streaming (Server-Sent Events) -----------------------------------------------------------------

def live_post(pid: str, minute: float, text: str | None = None, author: str = "streamer") -> dict:
    return {"id": pid, "platform": "mastodon", "minute": minute, "author": author,
            "text": text or f"#parcelly live post {pid}", "label": "complaint", "community": "parcelly"}


async def until(condition, seconds: float = 5.0) -> None:
    """Let the event loop run until `condition()` holds (the sandbox and the collector share this loop)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


async def follow(collector, driver, cursor=None):
    """Run pages() in a task while `driver` acts on the sandbox; returns the pages."""
    task = asyncio.create_task(collect(collector, cursor))
    try:
        await until(lambda: collector.following or task.done())
        await driver()
        return await asyncio.wait_for(task, 10)
    finally:
        task.cancel()


def release(apps, clock, *posts, minutes: float = 10):
    """Posts become visible: added (to each app serving the same instance), then the clock moves on."""
    apps = apps if isinstance(apps, list) else [apps]
    for app in apps:
        app["extra_posts"].extend(posts)
    clock.advance(minutes * 60)
    for app in apps:
        app["instance"].notify()


def streaming_collector(conf, clock, session, **options):
    return mastodon.create(conf, clock, session, until_idle=True, idle_seconds=options.pop("idle_seconds", 0.3),
                           **options)[0]


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("TEST_MASTODON_TOKEN", sandbox.DEMO_TOKEN)
    return sandbox.DEMO_TOKEN


def test_sse_parser_partial_lines_multiline_data_and_comments():
    status = '{"id": "7", "content": "<p>caf\u00e9 \U0001F4E6</p>"}'
    wire = (":)\r\n" + "event: update\r\n" + "data: " + status + "\r\n\r\n" + ":thump\n"
            + "event: update\ndata: {\"id\": \"8\",\ndata:  \"content\": \"x\"}\n\n"
            + "event: delete\ndata:9\n\n" + "data: half an event that never ends\n").encode()
    parser = mastodon.SseParser()
    events = []
    for i in range(len(wire)):  # one byte at a time: every line and UTF-8 character is split somewhere
        events += parser.feed(wire[i:i + 1])
    assert events == [("update", status), ("update", '{"id": "8",\n "content": "x"}'), ("delete", "9")]
    assert json.loads(events[1][1]) == {"id": "8", "content": "x"} and parser.comments == 2
    big = mastodon.SseParser(max_bytes=100)
    got = big.feed(b"event: update\ndata: " + b"x" * 300) + big.feed(b"y" * 50 + b"\n\n" + b"data: ok\n\n")
    assert got == [("message", "ok")] and big.oversized == 1


@pytest.mark.parametrize("wire", [{}, {"pretty_frames": True, "chunk_bytes": 7}], ids=["plain", "multiline-chunked"])
async def test_stream_delivers_posts_live(clock, session, token, wire):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(10), clock, faults, **wire)) as server:
        server.faults = faults
        collector = streaming_collector(make_config(server.url, token=True), clock, session)
        marks = {}

        async def driver():
            marks["rest"] = len(faults.log)
            release(server.app, clock, live_post("live1", 125), live_post("odd", 126, text=ODD, author="weird"))

        pages = await follow(collector, driver)
    streamed = [m for p in pages if p.note.endswith("stream") for m in p.mentions]
    assert [m.author for m in streamed] == ["streamer", "weird"]
    assert streamed[0].text == "#parcelly live post live1" and streamed[1].text == ODD
    assert streamed[0].id.startswith("127.0.0.1:") and streamed[0].created_at == START + timedelta(minutes=125)
    # delivered by the stream, not by a REST request after the posts appeared
    assert not [p for _, p in faults.log[marks["rest"]:] if "/timelines/" in p]
    assert any(p.startswith("/api/v1/streaming/hashtag?tag=parcelly") for _, p in faults.log)
    assert len(ids(pages)) == len(set(ids(pages)))
    assert collector.stats["connections"] == 1 and collector.stats["malformed"] == 0
    last = [p for p in pages if p.note.endswith("stream")][-1]
    assert last.meta["streamed"] == 2 and last.cursor == pages[-1].cursor


async def test_reconnect_after_server_closes_loses_and_repeats_nothing(clock, session, token):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(10), clock, faults)) as server:
        hub = server.app["instance"]
        hub.drop_after(2)  # the first stream is closed by the server after two events
        conf = make_config(server.url, token=True)
        collector = streaming_collector(conf, clock, session)
        burst = [live_post(f"b{i}", 121 + i) for i in range(5)]

        async def driver():
            release(server.app, clock, *burst)
            await until(lambda: collector.stats["catchups"] == 1)  # reconnected, and caught up over REST
            release(server.app, clock, live_post("after", 135))

        pages = await follow(collector, driver)
        got = [m.text for p in pages for m in p.mentions if "live post" in m.text]
        assert sorted(got) == sorted(f"#parcelly live post {p['id']}" for p in [*burst, live_post("after", 0)])
        assert len(ids(pages)) == len(set(ids(pages)))
        assert collector.stats["reconnects"] == 1 and hub.stream_connections == 2
        assert clock.slept == pytest.approx([0.5], rel=0.1)  # the backoff (with jitter) went through the injected clock
        caught_up = [m.text for p in pages if "tag:parcelly" in p.note for m in p.mentions if "live post" in m.text]
        assert len(caught_up) == 3  # the three the closed stream never sent came from the REST catch-up
        assert any("min_id=" in p for _, p in faults.log if "/timelines/tag/" in p)
        # a new process resuming from the last cursor: the tag's catch-up rewinds a little yet repeats nothing
        # (full-text search keeps its own cursor, polled, so it may list them again: the store ignores that)
        again = await follow(streaming_collector(conf, clock, session), lambda: asyncio.sleep(0),
                             pages[-1].cursor)
        assert [m.text for p in again if "search:" not in p.note for m in p.mentions] == []
        assert any("min_id=" in p for _, p in faults.log[-6:] if "/timelines/tag/parcelly" in p)


async def test_reconnect_backoff_gives_up_to_rest(clock, session, token):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(10), clock, faults)) as server:
        hub = server.app["instance"]
        collector = streaming_collector(make_config(server.url, token=True), clock, session, max_failures=2)

        async def driver():
            release(server.app, clock, live_post("one", 121))
            await until(lambda: collector.stats["events"] == 1)
            faults.add("/api/v1/streaming/", status=503, body='{"error":"down"}', times=None)
            await hub.close_streams()  # the streaming server goes away ...
            release(server.app, clock, live_post("two", 122))  # ... and this one is posted meanwhile

        pages = await follow(collector, driver)
    by_note = {m.text: p.note for p in pages for m in p.mentions if "live post" in m.text}
    assert by_note == {"#parcelly live post one": "127.0.0.1 stream",
                       "#parcelly live post two": "127.0.0.1 tag:parcelly"}  # caught up after giving up streaming
    assert clock.slept == pytest.approx([0.5, 1.0, 2.0], rel=0.1)  # then polling over REST; no real time was spent waiting
    assert faults.count("/api/v1/streaming/") == 4


async def test_malformed_and_other_frames_are_skipped(clock, session, token):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(5), clock, faults)) as server:
        hub = server.app["instance"]
        collector = streaming_collector(make_config(server.url, token=True), clock, session)

        async def driver():
            hub.inject_raw("event: update\ndata: {\"id\": \"1\", \"content\": \"<p>trunc\n\n")
            hub.inject_raw("event: update\ndata: [1, 2]\n\n")
            hub.inject_raw("event: delete\ndata: 109999\n\n")
            hub.inject_raw("event: announcement\ndata: {\"id\": \"3\"}\n\n:thump\n")
            release(server.app, clock, live_post("fine", 121))

        pages = await follow(collector, driver)
    assert [m.text for p in pages if p.note.endswith("stream") for m in p.mentions] == [
        "#parcelly live post fine"]
    assert collector.stats["malformed"] == 2 and collector.stats["deletes"] == 1
    assert collector.stats["connections"] == 1 and collector.stats["reconnects"] == 0


async def test_stream_401_names_the_setting(server, clock, session, token):
    server.faults.add("/api/v1/streaming/", status=401, body='{"error":"Invalid access token"}')
    with pytest.raises(AuthFailed) as err:
        await collect(streaming_collector(make_config(server.url, token=True), clock, session))
    assert err.value.setting == "sources.mastodon.access_token" and "streaming" in str(err.value)
    assert token not in str(err.value)


async def test_unknown_channel_is_polled_over_rest(server, clock, session, token):
    server.faults.add("/api/v1/streaming/", status=400, body='{"error":"Unknown channel requested"}', times=None)
    conf = make_config(server.url, token=True)
    collector = streaming_collector(conf, clock, session)
    pages = await collect(collector)
    assert "#Parcelly post number 3 where is my parcel" in [m.text for p in pages for m in p.mentions]
    assert collector.stats["connections"] == 0
    server.app["extra_posts"].append(live_post("later", 130))
    clock.advance(15 * 60)
    again = await collect(collector, pages[-1].cursor)
    assert [m.text for p in again for m in p.mentions] == ["#parcelly live post later"]
    assert server.faults.count("/api/v1/streaming/") == 1  # refused once: not asked again


async def test_heartbeat_only_stream_returns_caught_up(clock, session, token):
    app = sandbox.make_app(scenario(5), clock, heartbeat_seconds=0.01)
    async with SandboxServer(app) as server:
        collector = streaming_collector(make_config(server.url, token=True), clock, session, idle_seconds=0.15)
        pages = await asyncio.wait_for(collect(collector), 5)
    assert collector.stats["heartbeats"] >= 3  # ":)" and several ":thump" arrived, and did not keep it waiting
    assert collector.stats["events"] == 0 and not [p for p in pages if p.note.endswith("stream")]
    assert len(ids(pages)) == 7 and not collector.following  # 5 tagged, the brand's reply, 1 found by search


async def test_streaming_host_from_the_instance_endpoint(clock, session, token):
    sc = scenario(5)
    fa, fb = Faults(), Faults()
    app_a = sandbox.make_app(sc, clock, fa, instance_api=("v1",))  # an older instance: v2 answers 404
    app_b = sandbox.make_app(sc, clock, fb)
    async with SandboxServer(app_a) as a, SandboxServer(app_b) as b:
        app_a["instance"].streaming_url = f"ws://127.0.0.1:{b.port}"
        app_b["instance"].public_url = a.url  # both servers describe the same statuses
        collector = streaming_collector(make_config(a.url, token=True), clock, session)

        async def driver():
            release([app_a, app_b], clock, live_post("via-b", 121))

        pages = await follow(collector, driver)
    assert [p for _, p in fa.log if p.startswith("/api/v2/instance")] and fa.count("/api/v1/instance") == 1
    assert fa.count("/api/v1/streaming") == 0 and fb.count("/api/v1/streaming/hashtag") == 1
    [got] = [m for p in pages if p.note.endswith("stream") for m in p.mentions]
    assert got.text == "#parcelly live post via-b" and got.id.startswith("127.0.0.1:")


async def test_service_mode_follows_for_a_while_and_polls_the_rest(server, clock, session, token):
    collector = mastodon.create(make_config(server.url, token=True), clock, session, stream_seconds=0.4,
                                rest_seconds=0.1)[0]
    assert not collector.until_idle
    loop = asyncio.get_running_loop()
    started = loop.time()
    pages = await asyncio.wait_for(collect(collector), 5)
    assert 0.4 <= loop.time() - started < 3
    assert server.faults.count("/api/v1/accounts/lookup") == 1  # looked up once, then cached
    assert len([p for _, p in server.faults.log if "/api/v1/accounts/" in p and "/statuses" in p]) >= 3
    assert len(ids(pages)) == len(set(ids(pages)))


async def test_sandbox_streaming_wire_format(server, session):
    url = server.url + "/api/v1/streaming/"
    async with session.get(url + "hashtag", params={"tag": "parcelly"}) as resp:
        assert resp.status == 401 and await resp.json() == {"error": "Missing access token"}
    auth = {"Authorization": f"Bearer {sandbox.DEMO_TOKEN}"}
    async with session.get(url + "nonsense", headers=auth) as resp:
        assert resp.status == 400 and await resp.json() == {"error": "Unknown channel requested"}
    async with session.get(url + "hashtag", headers=auth) as resp:
        assert resp.status == 400 and await resp.json() == {"error": "No tag for stream provided"}
    async with session.get(url + "hashtag", params={"tag": "parcelly"}, headers=auth) as resp:
        assert resp.status == 200 and resp.content_type == "text/event-stream"
        assert await resp.content.readline() == b":)\n"
    async with session.get(server.url + "/api/v2/instance") as resp:
        info = await resp.json()
    assert info["configuration"]["urls"]["streaming"] == server.url.replace("http://", "ws://")
    assert mastodon.streaming_url(info) == info["configuration"]["urls"]["streaming"]


async def test_catch_up_rewinds_for_statuses_streamed_out_of_order(clock, session, token):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(10), clock, faults, newest_first=True)) as server:
        hub = server.app["instance"]
        hub.drop_after(1)  # sends the newer status, then closes before the older one
        collector = streaming_collector(make_config(server.url, token=True), clock, session)

        async def driver():
            release(server.app, clock, live_post("older", 124.5), live_post("newer", 125))

        pages = await follow(collector, driver)
    by_note = {m.text: p.note for p in pages for m in p.mentions if "live post" in m.text}
    assert by_note == {"#parcelly live post newer": "127.0.0.1 stream",
                       "#parcelly live post older": "127.0.0.1 tag:parcelly"}  # behind the cursor, yet found
    assert len(ids(pages)) == len(set(ids(pages)))
