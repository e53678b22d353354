"""Mastodon collector against the sandbox instance (real aiohttp client, real wire format)."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
import pytest

from earful import config as cfg
from earful.clock import ManualClock
from earful.collectors import mastodon
from earful.errors import AuthFailed, MalformedPayload, RateLimited, Unavailable
from earful.sandbox import mastodon as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer

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


async def collect(collector, cursor=None):
    pages = []
    async for page in collector.pages(cursor):
        pages.append(page)
    return pages


def ids(pages):
    return [m.id for p in pages for m in p.mentions]


@pytest.fixture
def clock():
    return ManualClock(START + timedelta(minutes=120))


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


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
    pages = await collect(mastodon.create(make_config(server.url, token=True), clock, session)[0])
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
