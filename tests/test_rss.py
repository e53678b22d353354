"""RSS/Atom collector against the sandbox feeds (real aiohttp + feedparser, real RSS 2.0 and Atom)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from earful import config as cfg
from earful.clock import ManualClock
from earful.collectors import rss
from earful.errors import (
    AuthFailed,
    MalformedPayload,
    RateLimited,
    SourceError,
    Unavailable,
)
from earful.sandbox import rss as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer
from tests.conftest import collect, ids

START = datetime(2026, 11, 23)
ODD = ("Parcelly 📦🔥 lost it \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth ctl\x01\x07\x1b "
       "<b>not markup</b> & \"q\" 'a' ]]> \nline\n\npara " + "z" * 10_000)


def scenario(extra: list[dict] | None = None):
    posts = [{"id": f"t{i:02d}", "platform": "rss", "minute": i, "author": f"reporter{i % 3}",
              "title": f"Tech news {i}", "text": f"Parcelly outage report {i}", "lang": "en", "label": "complaint",
              "community": "tech"} for i in range(12)]
    posts += [{"id": f"b{i:02d}", "platform": "rss", "minute": 3 + i, "author": "blogger", "title": f"Blog {i}",
               "text": f"Un article sur Parcelly {i}", "lang": "fr", "label": "other", "community": "blog"}
              for i in range(5)]
    posts += [{"id": "old", "platform": "rss", "minute": -3000, "author": "x", "title": "Ancient", "text": "old",
               "label": "other", "community": "tech"}]
    posts += extra or []
    return parse({"name": "t", "start": START.isoformat() + "Z", "posts": posts})


def make_config(feeds: list[str], **source) -> cfg.Config:
    return cfg.parse({"brands": [{"name": "Parcelly", "keywords": ["Parcelly"]}],
                      "sources": {"rss": {"feeds": feeds, "backfill_hours": 24, "timeout_seconds": 2, **source}}})


@pytest.fixture
def clock():
    return ManualClock(START + timedelta(hours=1))


@pytest.fixture
async def server(clock):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(), clock, faults)) as srv:
        srv.faults = faults
        yield srv


def feeds(srv) -> list[str]:
    return [f"{srv.url}/feeds/tech.xml", f"{srv.url}/feeds/blog.atom"]


async def test_rss_and_atom_pages(server, clock, session):
    c, = rss.create(make_config(feeds(server)), clock, session)
    pages = await collect(c)
    assert len(pages) == 2 and [len(p.mentions) for p in pages] == [12, 5]  # "Ancient" is older than backfill
    tech, blog = pages[0].mentions, pages[1].mentions
    first = tech[0]
    assert first.id == "urn:earful-sandbox:t:t00" and first.text == "Tech news 0\n\nParcelly outage report 0"
    assert first.author == "reporter0" and first.created_at == START and first.url == f"{server.url}/posts/t00"
    assert [m.text for m in tech] == [f"Tech news {i}\n\nParcelly outage report {i}" for i in range(12)]
    atom = blog[-1]
    assert atom.id == "urn:earful-sandbox:t:b04" and atom.text == "Blog 4\n\nUn article sur Parcelly 4"
    assert atom.author == "blogger" and atom.created_at == START + timedelta(minutes=7) and atom.lang_hint == "fr"
    assert all(m.platform == "rss" and m.raw["feed"] for m in tech + blog)


async def test_conditional_get_304_and_restart(server, clock, session):
    conf = make_config(feeds(server))
    first = await collect(rss.create(conf, clock, session)[0])
    cursor = first[-1].cursor
    again = await collect(rss.create(conf, clock, session)[0], cursor)
    assert again == []  # both feeds answered 304 Not Modified
    assert [path for _, path in server.faults.log[-2:]] == ["/feeds/tech.xml", "/feeds/blog.atom"]
    server.app["extra_posts"].append({"id": "new", "platform": "rss", "minute": 61, "author": "late",
                                      "title": "Breaking", "text": "Parcelly down again", "label": "complaint",
                                      "community": "tech"})
    clock.advance(120)
    resumed = await collect(rss.create(conf, clock, session)[0], cursor)
    assert [m.id for p in resumed for m in p.mentions] == ["urn:earful-sandbox:t:new"]
    assert len(resumed) == 1  # the Atom feed is still unchanged: 304


async def test_if_modified_since_alone(server, clock, session):
    conf = make_config([f"{server.url}/feeds/tech.xml"])
    first = await collect(rss.create(conf, clock, session)[0])
    state = rss.load_cursor(first[-1].cursor)
    del state[f"{server.url}/feeds/tech.xml"]["etag"]
    again = await collect(rss.create(conf, clock, session)[0], rss.dump_cursor(state))
    assert again == []


async def test_changed_feed_with_nothing_new_saves_etag(server, clock, session):
    conf = make_config([f"{server.url}/feeds/tech.xml"])
    cursor = (await collect(rss.create(conf, clock, session)[0]))[-1].cursor
    body = await _body(session, server)
    server.faults.add("/feeds/tech.xml", status=200, body=body, headers={"ETag": '"other"'},
                      content_type="application/rss+xml")
    pages = await collect(rss.create(conf, clock, session)[0], cursor)
    assert body and len(pages) == 1 and pages[0].mentions == []
    assert rss.load_cursor(pages[0].cursor)[f"{server.url}/feeds/tech.xml"]["etag"] == '"other"'


async def _body(session, server) -> bytes:
    async with session.get(f"{server.url}/feeds/tech.xml") as resp:
        return await resp.read()


async def test_large_feed_is_split_and_resumes(clock, session):
    many = [{"id": f"n{i:03d}", "platform": "rss", "minute": 1 + i / 10, "author": "bulk", "title": f"Item {i}",
             "text": "Parcelly", "label": "other", "community": "bulk"} for i in range(230)]
    async with SandboxServer(sandbox.make_app(scenario(many), clock, max_items=500)) as srv:
        conf = make_config([f"{srv.url}/feeds/bulk.xml"])
        pages = await collect(rss.create(conf, clock, session)[0])
        assert [len(p.mentions) for p in pages] == [100, 100, 30]
        rest = await collect(rss.create(conf, clock, session)[0], pages[0].cursor)  # "killed" after page 1
    assert ids(rest) == ids(pages)[100:]


async def test_errors_429_5xx_timeout_auth(server, clock, session):
    conf = make_config(feeds(server), timeout_seconds=0.3)
    server.faults.add("/feeds/tech.xml", status=429, body="slow down", headers={"Retry-After": "120"},
                      content_type="text/plain")
    with pytest.raises(RateLimited) as err:
        pages = []
        async for page in rss.create(conf, clock, session)[0].pages(None):
            pages.append(page)
    assert err.value.retry_after == 120
    assert len(pages) == 1 and pages[0].note.endswith("blog.atom")  # the other feed was still read
    server.faults.add("/feeds/tech.xml", status=503, body="down", content_type="text/plain")
    with pytest.raises(Unavailable):
        await collect(rss.create(conf, clock, session)[0])
    server.faults.add("/feeds/tech.xml", kind="hang")
    with pytest.raises(Unavailable, match="no answer"):
        await collect(rss.create(conf, clock, session)[0])
    server.faults.add("/feeds/blog.atom", status=401, body="login", content_type="text/plain")
    with pytest.raises(AuthFailed) as auth:
        await collect(rss.create(conf, clock, session)[0])
    assert auth.value.setting == "sources.rss.feeds[1]"


async def test_malformed_feeds(server, clock, session):
    conf = make_config([f"{server.url}/feeds/tech.xml"])
    server.faults.add("/feeds/tech.xml", status=200, body="<html><body>{not a feed", content_type="text/html")
    with pytest.raises(MalformedPayload):
        await collect(rss.create(conf, clock, session)[0])
    broken = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
              '<item><title>Parcelly ok</title><guid isPermaLink="false">g1</guid>'
              '<description>fine &amp; dandy</description></item>'
              '<item></item><item><title>Parcelly cut off</title><guid isPermaLink="false">g2</guid><description>trunc')
    server.faults.add("/feeds/tech.xml", status=200, body=broken, content_type="application/rss+xml")
    pages = await collect(rss.create(conf, clock, session)[0])
    got = {m.id: m.text for p in pages for m in p.mentions}
    assert got["g1"] == "Parcelly ok\n\nfine & dandy" and len(got) <= 2 and "" not in got


async def test_empty_feed_and_unknown_feed(server, clock, session):
    clock.set(START - timedelta(days=1))
    pages = await collect(rss.create(make_config([f"{server.url}/feeds/tech.atom"]), clock, session)[0])
    assert len(pages) == 1 and pages[0].mentions == []
    with pytest.raises(SourceError) as err:
        await collect(rss.create(make_config([f"{server.url}/feeds/nope.xml"]), clock, session)[0])
    assert "404" in str(err.value)


async def test_odd_text_survives_rss_and_atom(clock, session):
    sc = scenario([{"id": "odd", "platform": "rss", "minute": 30, "author": "odd", "text": ODD, "label": "other",
                    "community": "weird"}])
    async with SandboxServer(sandbox.make_app(sc, clock)) as srv:
        for kind in ("xml", "atom"):
            pages = await collect(rss.create(make_config([f"{srv.url}/feeds/weird.{kind}"]), clock, session)[0])
            [got] = [m for p in pages for m in p.mentions]
            assert got.text == ODD, kind


def test_create_and_demo_source():
    clock = ManualClock(START)
    assert rss.create(cfg.parse({}), clock, None) == []
    assert rss.create(cfg.parse({"sources": {"rss": {"feeds": []}}}), clock, None) == []
    assert sandbox.demo_source("http://h:1") == {"feeds": ["http://h:1/feeds/all.xml"], "poll_seconds": 120}
    assert sandbox.demo_source("http://h:1", scenario())["feeds"] == ["http://h:1/feeds/blog.xml",
                                                                      "http://h:1/feeds/tech.atom"]


async def test_feed_credentials_stay_out_of_logs_and_errors(server, clock, session, caplog):
    caplog.set_level("DEBUG")
    base = server.url.replace("http://", "http://reader:hunter2-secret@")
    pages = await collect(rss.create(make_config([f"{base}/feeds/tech.xml"]), clock, session)[0])
    assert pages and pages[0].mentions
    with pytest.raises(SourceError) as err:
        await collect(rss.create(make_config([f"{base}/feeds/nope.xml?token=t0ken"]), clock, session)[0])
    assert "404" in str(err.value)
    for text in (str(err.value), caplog.text):
        assert "hunter2-secret" not in text and "reader:" not in text and "t0ken" not in text
