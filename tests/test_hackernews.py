"""Hacker News collector against the sandbox Algolia search (real aiohttp client, real wire format)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from earful import config as cfg
from earful.clock import ManualClock
from earful.collectors import hackernews
from earful.errors import AuthFailed, MalformedPayload, RateLimited, Unavailable
from earful.sandbox import hackernews as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer
from tests.conftest import collect, ids

START = datetime(2026, 11, 23)
ODD = ("Parcelly 📦🔥 lost it \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth ctl\x01\x07\x1b "
       "<i>not markup</i> & \"q\" 'a/b'\nline\n\npara " + "y" * 10_000)
SEARCH = "/api/v1/search_by_date"


def scenario(n: int = 35, extra: list[dict] | None = None):
    posts = [{"id": "story", "platform": "hackernews", "minute": 1, "author": "founder", "title": "Ask HN: Parcelly?",
              "text": "Is <Parcelly> any good?\n\nAsking for a friend", "label": "question"}]
    posts += [{"id": f"c{i:03d}", "platform": "hackernews", "minute": 2 + i, "author": f"hn{i % 5}",
               "text": f"Parcelly lost package {i}", "label": "complaint", "reply_to": "story"} for i in range(n)]
    posts += [
        {"id": "brand", "platform": "hackernews", "minute": n + 5, "author": "parcelly_team",
         "text": "Sorry, we are looking into it", "label": "brand_reply", "reply_to": "c003"},
        {"id": "old", "platform": "hackernews", "minute": -2000, "author": "x", "text": "Parcelly back then",
         "label": "other"},
        {"id": "noise", "platform": "hackernews", "minute": 3, "author": "y", "text": "unrelated rust talk",
         "label": "other"},
    ]
    posts += extra or []
    return parse({"name": "t", "start": START.isoformat() + "Z", "posts": posts})


def make_config(url: str, **source) -> cfg.Config:
    return cfg.parse({"brands": [{"name": "Parcelly", "keywords": ["Parcelly"],
                                  "accounts": {"hackernews": ["parcelly_team"]}}],
                      "sources": {"hackernews": {"api_url": url + "/api/v1", "backfill_hours": 24,
                                                 "timeout_seconds": 2, **source}}})


def collector(conf, clock, session, per_page: int = 10):
    c, = hackernews.create(conf, clock, session)
    c.hits_per_page = per_page
    return c


@pytest.fixture
def clock():
    return ManualClock(START + timedelta(hours=2))


@pytest.fixture
async def server(clock):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(), clock, faults)) as srv:
        srv.faults = faults
        yield srv


async def test_pages_fields_and_threads(server, clock, session):
    pages = await collect(collector(make_config(server.url), clock, session))
    got = ids(pages)
    assert len(got) == len(set(got)) == 37  # story + 35 comments + the brand reply; not "old", not "noise"
    assert len([p for p in pages if p.mentions]) >= 4
    assert any("page=1" in path for _, path in server.faults.log)
    by_text = {m.text: m for p in pages for m in p.mentions}
    story = by_text["Ask HN: Parcelly?\n\nIs <Parcelly> any good?\n\nAsking for a friend"]
    assert story.thread_id == story.id and story.reply_to_id is None
    assert story.url == f"https://news.ycombinator.com/item?id={story.id}"
    c3 = by_text["Parcelly lost package 3"]
    assert c3.reply_to_id == story.id and c3.thread_id == story.id and c3.author == "hn3"
    assert c3.created_at == START + timedelta(minutes=5)
    brand = by_text["Sorry, we are looking into it"]  # found through tags=author_parcelly_team
    assert brand.author == "parcelly_team" and brand.reply_to_id == c3.id and brand.thread_id == story.id
    assert "_highlightResult" not in brand.raw


async def test_thousand_hit_limit_slices_by_time(clock, session):
    faults = Faults()
    async with SandboxServer(sandbox.make_app(scenario(), clock, faults, pagination_limit=12)) as srv:
        pages = await collect(collector(make_config(srv.url), clock, session))
    assert len(set(ids(pages))) == 37
    windows = {path.split("numericFilters=")[1].split("&")[0] for _, path in faults.log if "query=Parcelly" in path}
    assert len(windows) >= 3  # the upper bound moved down at least twice


async def test_collect_twice_and_restart(server, clock, session):
    conf = make_config(server.url)
    first = await collect(collector(conf, clock, session))
    cursor = first[-1].cursor
    assert ids(await collect(collector(conf, clock, session), cursor)) == []
    server.app["extra_posts"].append({"id": "late", "platform": "hackernews", "minute": 125, "author": "late",
                                      "text": "Parcelly late again", "label": "complaint", "reply_to": "story"})
    clock.advance(600)
    resumed = await collect(collector(conf, clock, session), cursor)
    assert [m.text for p in resumed for m in p.mentions] == ["Parcelly late again"]


async def test_resume_mid_pass_loses_nothing(server, clock, session):
    conf = make_config(server.url)
    full = set(ids(await collect(collector(conf, clock, session))))
    gen = collector(conf, clock, session).pages(None)
    first = await gen.__anext__()
    second = await gen.__anext__()
    await gen.aclose()
    rest = await collect(collector(conf, clock, session), second.cursor)
    assert set(ids([first, second])) | set(ids(rest)) == full
    same_stream = [p for p in rest if p.note == first.note]  # another stream may see a post again: harmless
    assert not set(ids([first, second])) & set(ids(same_stream))


async def test_429_any_body_and_retry_after(server, clock, session):
    conf = make_config(server.url)
    server.faults.add(SEARCH, status=429, body="<html>slow down</html>", content_type="text/html")
    with pytest.raises(RateLimited) as err:
        await collect(collector(conf, clock, session))
    assert err.value.retry_after == 60
    server.faults.add(SEARCH, status=429, body='{"message":"Too many requests","status":429}',
                      headers={"Retry-After": "7200"})
    with pytest.raises(RateLimited) as err:
        await collect(collector(conf, clock, session))
    assert err.value.retry_after == 900


async def test_5xx_timeout_malformed(server, clock, session):
    conf = make_config(server.url, timeout_seconds=0.3)
    server.faults.add(SEARCH, status=502, body="bad gateway")
    with pytest.raises(Unavailable):
        await collect(collector(conf, clock, session))
    server.faults.add(SEARCH, kind="hang")
    with pytest.raises(Unavailable, match="no answer"):
        await collect(collector(conf, clock, session))
    server.faults.add(SEARCH, status=200, body='{"hits": [{"objectID": "1", "crea')
    with pytest.raises(MalformedPayload):
        await collect(collector(conf, clock, session))
    server.faults.add(SEARCH, status=200, body='{"message": "no hits here"}')
    with pytest.raises(MalformedPayload):
        await collect(collector(conf, clock, session))


async def test_broken_hits_are_skipped(server, clock, session):
    body = ('{"hits": [{"objectID": "5", "created_at_i": 1795400000, "author": "ok", "comment_text": "fine",'
            ' "_tags": ["comment"], "parent_id": 4, "story_id": 4}, {"objectID": "6"}, "junk"],'
            ' "nbHits": 3, "nbPages": 1, "page": 0, "hitsPerPage": 10}')
    server.faults.add(SEARCH, status=200, body=body)
    pages = await collect(collector(make_config(server.url), clock, session))
    assert "5" in ids(pages) and "6" not in ids(pages)


async def test_empty_result(clock, session):
    async with SandboxServer(sandbox.make_app(scenario(0), clock)) as srv:
        clock.set(START - timedelta(days=5))
        pages = await collect(collector(make_config(srv.url), clock, session))
    assert pages and ids(pages) == []  # one empty page per stream records the finished pass


async def test_auth_failure_names_setting(server, clock, session):
    server.faults.add(SEARCH, status=403, body='{"message":"Invalid Application-ID or API key","status":403}')
    with pytest.raises(AuthFailed) as err:
        await collect(collector(make_config(server.url), clock, session))
    assert err.value.setting == "sources.hackernews.api_url"


async def test_odd_text_survives(clock, session):
    sc = scenario(1, extra=[{"id": "odd", "platform": "hackernews", "minute": 9, "author": "odd", "text": ODD,
                             "label": "complaint", "reply_to": "story"}])
    async with SandboxServer(sandbox.make_app(sc, clock)) as srv:
        pages = await collect(collector(make_config(srv.url), clock, session))
    [got] = [m for p in pages for m in p.mentions if m.author == "odd"]
    assert got.text == ODD


def test_create_and_demo_source():
    clock = ManualClock(START)
    assert hackernews.create(cfg.parse({}), clock, None) == []
    assert hackernews.create(cfg.parse({"sources": {"hackernews": {"enabled": False}}}), clock, None) == []
    assert sandbox.demo_source("http://127.0.0.1:9/") == {"api_url": "http://127.0.0.1:9/api/v1", "poll_seconds": 60}
