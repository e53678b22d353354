"""Reddit: the real praw/prawcore client against the sandbox Reddit on a free port, on a ManualClock."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import timedelta

import aiohttp
import prawcore
import pytest

from earful import config as config_module
from earful.clock import ManualClock
from earful.collectors import reddit as collector_module
from earful.collectors.base import load_cursor
from earful.errors import AuthFailed, ConfigError, MalformedPayload, RateLimited, Unavailable
from earful.sandbox import reddit as sandbox
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer

CLIENT_ID, SECRET, PASSWORD = "test-client", "s3cr3t-value-xyz", "hunter2-pass-value"
ODD = ("Parcelly 😡📦 لم يصل الطرد \u202eRTL\u202c zero\u200bwidth\u200d ctrl\x00\x01\x1f\x7f tab\t "
       "nl\n quote\" back\\slash &amp; <b>not html</b> ") * 40  # about 4 kB
BIG = "Parcelly " + "ä" * 10_000

SCENARIO = {
    "name": "reddit-test", "start": "2026-11-23T00:00:00Z", "duration_minutes": 600,
    "brand": {"name": "Parcelly"},
    "posts": [
        {"id": "old", "platform": "reddit", "minute": -60 * 30, "author": "ancient", "label": "complaint",
         "text": "parcelly lost it last month", "community": "parcelly"},
        {"id": "p1", "platform": "reddit", "minute": 10, "author": "sad_sam", "label": "complaint",
         "title": "Parcelly lost my parcel", "text": "Tracking says delivered & <nothing> here",
         "community": "parcelly"},
        {"id": "p2", "platform": "reddit", "minute": 20, "author": "lena", "label": "question",
         "text": "does anyone use parcelly for returns?", "community": "logistics"},
        {"id": "c1", "platform": "reddit", "minute": 30, "author": "bob", "label": "followup",
         "text": "same here, third time", "reply_to": "p1"},
        {"id": "r1", "platform": "reddit", "minute": 40, "author": "parcelly_support", "label": "brand_reply",
         "text": "Sorry Bob, please DM us your tracking number", "reply_to": "c1"},
        {"id": "noise", "platform": "reddit", "minute": 45, "author": "chef", "label": "other",
         "text": "best pasta recipe", "community": "cooking"},
        {"id": "later", "platform": "reddit", "minute": 300, "author": "late_larry", "label": "complaint",
         "text": "parcelly still has not refunded me", "community": "logistics"},
        {"id": "x1", "platform": "x", "minute": 12, "author": "someone", "label": "complaint",
         "text": "parcelly on another platform"},
    ],
}
NOW = 120  # minutes after the start when most tests run


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    """prawcore sleeps with time.sleep (rate limiter, retries): any such call fails the test."""
    slept: list[float] = []
    monkeypatch.setattr(prawcore.sessions.time, "sleep", slept.append)
    yield slept
    assert [s for s in slept if s > 0] == [], f"prawcore slept for real: {slept}"


@pytest.fixture
def scenario():
    return parse(SCENARIO)


@pytest.fixture
def clock(scenario):
    return ManualClock(scenario.start + timedelta(minutes=NOW))


@pytest.fixture
def faults():
    return Faults()


@pytest.fixture
def sandbox_options():
    return {"client_id": CLIENT_ID, "client_secret": SECRET, "username": "earful_bot", "password": PASSWORD}


@pytest.fixture
async def server(scenario, clock, faults, sandbox_options):
    app = sandbox.make_app(scenario, clock, faults, **sandbox_options)
    async with SandboxServer(app) as srv:
        yield srv


def make_config(monkeypatch, url, secret=SECRET, password=PASSWORD, **source):
    monkeypatch.setenv("T_REDDIT_ID", CLIENT_ID)
    monkeypatch.setenv("T_REDDIT_SECRET", secret)
    monkeypatch.setenv("T_REDDIT_PASSWORD", password)
    table = {"client_id": {"env": "T_REDDIT_ID"}, "client_secret": {"env": "T_REDDIT_SECRET"},
             "username": "earful_bot", "password": {"env": "T_REDDIT_PASSWORD"},
             "oauth_url": url, "reddit_url": url, "subreddits": ["r/parcelly"], "backfill_hours": 24,
             "timeout_seconds": 5}
    table.update(source)
    return config_module.parse({
        "brands": [{"name": "Parcelly", "keywords": ["parcelly"], "accounts": {"reddit": ["parcelly_support"]}}],
        "sources": {"reddit": table}})


@pytest.fixture
def make_collector(monkeypatch, server, clock):
    made = []

    def make(page_limit=None, **kwargs):
        [collector] = collector_module.create(make_config(monkeypatch, server.url, **kwargs), clock, None)
        if page_limit:
            collector.page_limit = page_limit
        made.append(collector)
        return collector

    yield make
    for collector in made:
        collector._http.close()


async def collect(collector, cursor=None, max_pages=None):
    pages = []
    gen = collector.pages(cursor)
    try:
        async for page in gen:
            pages.append(page)
            if max_pages is not None and len(pages) >= max_pages:
                break
    finally:
        await gen.aclose()
    return pages


def ids(pages):
    return [m.id for page in pages for m in page.mentions]


def fn(scenario, post_id):
    return sandbox.fullname(scenario, post_id)


# -- mapping -------------------------------------------------------------------------------------------

async def test_collects_submissions_comments_and_brand_replies(make_collector, scenario, faults):
    pages = await collect(make_collector())
    by_id = {m.id: m for page in pages for m in page.mentions}
    assert sorted(by_id) == sorted(fn(scenario, p) for p in ("p1", "p2", "c1", "r1"))
    assert len(ids(pages)) == len(by_id)  # nothing yielded twice in one run

    p1 = by_id[fn(scenario, "p1")]
    assert p1.id.startswith("t3_") and p1.platform == "reddit" and p1.author == "sad_sam"
    assert p1.text == "Parcelly lost my parcel\n\nTracking says delivered & <nothing> here"  # raw_json=1
    assert p1.created_at == scenario.start + timedelta(minutes=10) and p1.created_at.tzinfo is None
    assert p1.url == f"https://www.reddit.com/r/parcelly/comments/{p1.id[3:]}/parcelly_lost_my_parcel/"
    assert p1.reply_to_id is None and p1.thread_id == p1.id
    assert p1.author_id and p1.author_id.startswith("t2_")
    assert p1.raw["kind"] == "t3" and p1.raw["data"]["name"] == p1.id

    c1, r1 = by_id[fn(scenario, "c1")], by_id[fn(scenario, "r1")]
    assert c1.id.startswith("t1_") and c1.reply_to_id == p1.id and c1.thread_id == p1.id
    assert r1.author == "parcelly_support" and r1.reply_to_id == c1.id and r1.thread_id == p1.id
    assert r1.text == "Sorry Bob, please DM us your tracking number"
    assert r1.url.startswith(p1.url) and r1.raw["data"]["link_id"] == p1.id

    sent = [path for method, path in faults.log if method == "GET"]
    assert any(p.startswith("/search/?q=%22parcelly%22") and "sort=new" in p for p in sent)
    assert any(p.startswith("/r/parcelly/new/") for p in sent)
    assert any(p.startswith("/r/parcelly/comments/") for p in sent)
    assert any(p.startswith("/user/parcelly_support/comments/") for p in sent)
    assert all("raw_json=1" in p for p in sent)


async def test_first_run_backfills_only_backfill_hours(make_collector, scenario):
    got = ids(await collect(make_collector(backfill_hours=24)))
    assert fn(scenario, "old") not in got  # 30 hours old
    got = ids(await collect(make_collector(backfill_hours=48)))
    assert fn(scenario, "old") in got


async def test_posts_appear_as_the_clock_moves(make_collector, scenario, clock):
    collector = make_collector()
    pages = await collect(collector)
    assert fn(scenario, "later") not in ids(pages)
    clock.set(scenario.start + timedelta(minutes=301))  # also past the token's hour: prawcore re-authenticates
    later = await collect(make_collector(), pages[-1].cursor)
    assert ids(later) == [fn(scenario, "later")]


# -- paging and cursors ------------------------------------------------------------------------------

@pytest.fixture
def busy(server):
    """25 submissions and 25 comments in r/parcelly, a minute apart."""
    extra = server.app["extra_posts"]
    for i in range(25):
        extra.append({"id": f"busy{i}", "platform": "reddit", "minute": 50 + i, "author": f"user{i}",
                      "label": "complaint", "text": f"parcelly issue number {i}", "community": "parcelly"})
        extra.append({"id": f"reply{i}", "platform": "reddit", "minute": 50.5 + i, "author": f"helper{i}",
                      "label": "other", "text": f"answer {i}", "reply_to": f"busy{i}"})
    return extra


async def test_two_or_more_pages(make_collector, busy, faults, caplog):
    caplog.set_level(logging.INFO, logger="earful.collectors.reddit")
    collector = make_collector(page_limit=10)
    pages = await collect(collector)
    got = ids(pages)
    assert len(got) == len(set(got)) == 4 + 50
    search_calls = [p for _, p in faults.log if p.startswith("/search/")]
    assert len(search_calls) >= 3 and "after=t3_" in search_calls[1] and "limit=10" in search_calls[0]
    fetches = [p for _, p in faults.log if not p.startswith("/api/v1/access_token")]
    page_logs = [r for r in caplog.records if r.levelno == logging.INFO and "things" in r.getMessage()]
    assert len(page_logs) == len(fetches)  # one INFO line per fetched page


async def test_restart_mid_walk_resumes_exactly(make_collector, busy, clock, scenario, faults):
    full = ids(await collect(make_collector(page_limit=10)))
    first = await collect(make_collector(page_limit=10), max_pages=2)  # the process dies after two pages
    assert load_cursor(first[-1].cursor)["listings"]
    faults.log.clear()
    rest = await collect(make_collector(page_limit=10), first[-1].cursor)
    search_label = first[0].note
    resumed_search = [m.id for page in rest if page.note == search_label for m in page.mentions]
    assert resumed_search and set(ids(first)).isdisjoint(resumed_search)  # exactly after the second page
    first_search = next(p for _, p in faults.log if p.startswith("/search/"))
    assert f"after={first[-1].mentions[-1].id}" in first_search
    assert set(ids(first)) | set(ids(rest)) == set(full)

    clock.advance(60 * 60 * 3)  # "later" appears; the token expired on the sandbox clock meanwhile
    busy.append({"id": "fresh", "platform": "reddit", "minute": NOW + 100, "author": "newbie",
                 "label": "complaint", "text": "parcelly broke my lamp", "community": "parcelly"})
    newer = await collect(make_collector(page_limit=10), rest[-1].cursor)
    fresh = sandbox.fullname(scenario, "fresh", busy)
    assert sorted(ids(newer)) == sorted([fresh, fn(scenario, "later")])


async def test_collecting_twice_yields_no_new_ids(make_collector, busy):
    collector = make_collector(page_limit=7)
    pages = await collect(collector)
    assert len(ids(pages)) == 54
    again = await collect(collector, pages[-1].cursor)
    assert ids(again) == []
    assert again == []  # nothing changed, so not even an empty page


async def test_same_second_and_late_indexed_posts_are_not_lost(make_collector, server, scenario):
    collector = make_collector()
    pages = await collect(collector)
    newest = max(m.created_at for page in pages for m in page.mentions if m.id == fn(scenario, "p2"))
    assert newest == scenario.start + timedelta(minutes=20)
    # search results show up late: one created in the same second as the newest seen, one 5 min older
    for post_id, minute in (("twin", 20), ("late", 15)):
        server.app["extra_posts"].append({"id": post_id, "platform": "reddit", "minute": minute, "author": post_id,
                                          "label": "complaint", "text": f"parcelly {post_id}",
                                          "community": "logistics"})
    later = await collect(collector, pages[-1].cursor)
    assert sorted(m.author for page in later for m in page.mentions) == ["late", "twin"]
    assert await collect(collector, later[-1].cursor) == []


# -- errors ------------------------------------------------------------------------------------------

TOO_MANY = json.dumps({"message": "Too Many Requests", "error": 429})


async def test_429_with_reset_header(make_collector, faults):
    faults.add("/search/", status=429, body=TOO_MANY, headers={
        "X-Ratelimit-Used": "1000", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "37"})
    with pytest.raises(RateLimited) as info:
        await collect(make_collector())
    assert info.value.retry_after == 37


async def test_429_retry_after_is_bounded(make_collector, faults):
    faults.add("/search/", status=429, body=TOO_MANY, headers={"Retry-After": "86400"})
    with pytest.raises(RateLimited) as info:
        await collect(make_collector())
    assert info.value.retry_after == 900


async def test_budget_spent_raises_before_sending(monkeypatch, scenario, clock, faults):
    app = sandbox.make_app(scenario, clock, faults, client_id=CLIENT_ID, client_secret=SECRET,
                           password=PASSWORD, ratelimit=2, ratelimit_window=600)
    async with SandboxServer(app) as srv:
        [collector] = collector_module.create(make_config(monkeypatch, srv.url), clock, None)
        try:
            with pytest.raises(RateLimited) as info:
                await collect(collector)
            # the window started at minute 120 (a multiple of 10 minutes): 600 s to go
            assert info.value.retry_after == 600
            assert len([p for _, p in faults.log if not p.startswith("/api/")]) == 2  # did not send a third
            clock.advance(info.value.retry_after)
            app["sandbox"].ratelimit = 1000
            assert len(ids(await collect(collector))) == 4
        finally:
            await collector.aclose()


async def test_5xx_is_unavailable_without_sleeping_retries(make_collector, faults):
    faults.add("/search/", status=503, body="<html>upstream down</html>", content_type="text/html", times=None)
    with pytest.raises(Unavailable, match="503"):
        await collect(make_collector())
    assert faults.count("/search/") == 1  # failed fast: the pipeline backs off, not prawcore


async def test_timeout_is_unavailable(make_collector, faults):
    faults.add("/r/parcelly/new/", kind="hang", times=None)
    collector = make_collector(timeout_seconds=0.3)
    started = time.monotonic()
    pages = []
    with pytest.raises(Unavailable, match="Timeout"):
        async for page in collector.pages(None):
            pages.append(page)
    assert time.monotonic() - started < 3
    assert ids(pages)  # the search listing before it was stored with its cursor


async def test_token_endpoint_timeout_is_unavailable(make_collector, faults):
    faults.add("/api/v1/access_token", kind="hang", times=None)
    with pytest.raises(Unavailable):
        await collect(make_collector(timeout_seconds=0.3))


@pytest.mark.parametrize("body", [
    '{"kind": "Listing", "data": {"after": null, "children": [{"kind": "t3", "da',  # truncated
    "<html>cloudflare says hi</html>",
    '["not", "a", "listing"]',
    '{"kind": "Listing", "data": {"children": "nope"}}',
])
async def test_malformed_payload(make_collector, faults, body):
    faults.add("/search/", status=200, body=body)
    with pytest.raises(MalformedPayload):
        await collect(make_collector())


async def test_429_body_with_status_200(make_collector, faults):
    faults.add("/search/", status=200, body=TOO_MANY)
    with pytest.raises(RateLimited) as info:
        await collect(make_collector())
    assert 0 < info.value.retry_after <= 900


async def test_malformed_token_answer(make_collector, faults):
    faults.add("/api/v1/access_token", status=200, body='{"access_token": "abc", "expi')
    with pytest.raises(MalformedPayload):
        await collect(make_collector())


async def test_empty_pages(monkeypatch, clock, faults):
    empty = parse({"start": "2026-11-23T00:00:00Z", "posts": []})
    app = sandbox.make_app(empty, clock, faults, client_id=CLIENT_ID, client_secret=SECRET, password=PASSWORD,
                           subreddits=["parcelly"])  # r/parcelly exists, nobody has posted there yet
    async with SandboxServer(app) as srv:
        [collector] = collector_module.create(make_config(monkeypatch, srv.url), clock, None)
        try:
            pages = await collect(collector)
            assert pages and all(page.mentions == [] for page in pages)
            state = load_cursor(pages[-1].cursor)["listings"]
            assert len(state) == 4 and all(s["seen"] == {} for s in state.values())
            assert await collect(collector, pages[-1].cursor) == []
        finally:
            await collector.aclose()


async def test_forbidden_subreddit_is_skipped(make_collector, faults, scenario, caplog):
    faults.add("/r/parcelly/new/", status=403, body='{"message": "Forbidden", "error": 403}')
    got = ids(await collect(make_collector()))
    assert fn(scenario, "c1") in got and fn(scenario, "r1") in got  # the other listings still ran
    assert any("skipped" in r.getMessage() for r in caplog.records)


async def test_bad_client_secret_is_auth_failed(make_collector):
    with pytest.raises(AuthFailed) as info:
        await collect(make_collector(secret="wrong-secret-value"))
    assert info.value.setting == "sources.reddit.client_secret"
    assert not info.value.retryable
    assert "wrong-secret-value" not in str(info.value) and SECRET not in str(info.value)


async def test_bad_password_is_auth_failed(make_collector):
    with pytest.raises(AuthFailed) as info:
        await collect(make_collector(password="not-the-password"))
    assert info.value.setting == "sources.reddit.password"
    assert "not-the-password" not in str(info.value)


async def test_expired_token_is_renewed_by_prawcore(make_collector, server, faults, scenario, no_real_sleep):
    collector = make_collector()
    pages = await collect(collector)
    tokens_before = faults.count("/api/v1/access_token")
    sandbox.expire_tokens(server.app)
    server.app["extra_posts"].append({"id": "after_expiry", "platform": "reddit", "minute": 100,
                                      "author": "zed", "label": "complaint", "text": "parcelly again",
                                      "community": "parcelly"})
    more = await collect(collector, pages[-1].cursor)
    assert len(ids(more)) == 1
    assert faults.count("/api/v1/access_token") == tokens_before + 1
    first_call = [p for _, p in faults.log][-(len(collector.listings) + 2):]
    assert first_call[0] == first_call[2] and first_call[1] == "/api/v1/access_token"  # 401, new token, retry
    assert no_real_sleep == []


async def test_rejected_fresh_token_is_auth_failed(make_collector, faults):
    headers = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
    faults.add("/search/", status=401, body='{"message": "Unauthorized", "error": 401}', headers=headers, times=2)
    with pytest.raises(AuthFailed) as info:
        await collect(make_collector())
    assert info.value.setting == "sources.reddit.client_secret"


async def test_odd_text_survives(make_collector, server, scenario):
    server.app["extra_posts"].extend([
        {"id": "odd", "platform": "reddit", "minute": 60, "author": "odd_one", "label": "complaint",
         "title": "Parcelly ‮weird‬ title 🙃", "text": ODD, "community": "parcelly"},
        {"id": "big", "platform": "reddit", "minute": 61, "author": "big_one", "label": "followup",
         "text": BIG, "reply_to": "odd"},
    ])
    by_author = {m.author: m for page in await collect(make_collector()) for m in page.mentions}
    assert by_author["odd_one"].text == "Parcelly ‮weird‬ title 🙃\n\n" + ODD
    assert by_author["big_one"].text == BIG and len(BIG) > 10_000


# -- factory -----------------------------------------------------------------------------------------

def test_create_disabled_and_missing(monkeypatch, clock):
    assert collector_module.create(config_module.parse({}), clock, None) == []
    cfg = make_config(monkeypatch, "http://127.0.0.1:9", enabled=False)
    assert collector_module.create(cfg, clock, None) == []
    cfg = make_config(monkeypatch, "http://127.0.0.1:9", username=None)
    with pytest.raises(ConfigError, match="sources.reddit.username"):
        collector_module.create(cfg, clock, None)


def test_search_queries_stay_under_512_characters():
    brand = config_module.Brand(name="B", keywords=[f"keyword{i:03d}" for i in range(80)],
                                accounts={"reddit": ["@b_support"]})
    queries = collector_module._queries([brand])
    assert len(queries) >= 2 and all(len(q) <= 512 for q in queries)
    joined = " ".join(queries)
    assert all(f'"keyword{i:03d}"' in joined for i in range(80)) and '"b_support"' in joined


# -- the sandbox's own wire format -------------------------------------------------------------------

def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_sandbox_token_endpoint_and_errors(server):
    url = server.url + "/api/v1/access_token"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data={"grant_type": "client_credentials"},
                             headers={"Authorization": basic("nope", SECRET)}) as resp:
            assert resp.status == 401 and await resp.json() == {"message": "Unauthorized", "error": 401}
        async with http.post(url, data={"grant_type": "password", "username": "earful_bot", "password": "x"},
                             headers={"Authorization": basic(CLIENT_ID, SECRET)}) as resp:
            assert resp.status == 200 and await resp.json() == {"error": "invalid_grant"}
        async with http.post(url, data={"grant_type": "client_credentials"},
                             headers={"Authorization": basic(CLIENT_ID, SECRET)}) as resp:
            token = await resp.json()
            assert token["token_type"] == "bearer" and token["expires_in"] == 3600 and token["scope"] == "*"
        async with http.get(server.url + "/r/parcelly/new") as resp:
            assert resp.status == 401
            assert resp.headers["www-authenticate"] == 'Bearer realm="reddit", error="invalid_token"'
            assert all(h in resp.headers for h in ("x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset"))
        auth = {"Authorization": "bearer " + token["access_token"]}
        async with http.get(server.url + "/r/parcelly/new", headers=auth) as resp:
            listing = await resp.json()
            assert resp.headers["X-Ratelimit-Remaining"].endswith(".0")
        thing = listing["data"]["children"][0]  # p1, then the 30-hour-old post
        assert listing["kind"] == "Listing" and listing["data"]["after"] is None and listing["data"]["dist"] == 2
        assert thing["kind"] == "t3" and isinstance(thing["data"]["created_utc"], float)
        assert thing["data"]["selftext"] == "Tracking says delivered &amp; &lt;nothing&gt; here"  # no raw_json
        async with http.get(server.url + "/r/parcelly/new?raw_json=1", headers=auth) as resp:
            raw = (await resp.json())["data"]["children"][0]["data"]
        assert raw["selftext"] == "Tracking says delivered & <nothing> here"
        async with http.get(server.url + f"/api/info?id={raw['name']},t3_missing&raw_json=1", headers=auth) as resp:
            assert [c["data"]["name"] for c in (await resp.json())["data"]["children"]] == [raw["name"]]
        async with http.get(server.url + "/r/parcelly/comments?limit=1", headers=auth) as resp:
            page1 = (await resp.json())["data"]
        async with http.get(server.url + f"/r/parcelly/comments?limit=1&after={page1['after']}",
                            headers=auth) as resp:
            page2 = (await resp.json())["data"]
        assert page1["children"][0]["data"]["parent_id"] == page2["children"][0]["data"]["name"]
        assert page2["before"] == page2["children"][0]["data"]["name"] and page2["after"] is None


def test_demo_source_is_a_valid_config(monkeypatch):
    for name, value in sandbox.DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    cfg = config_module.parse({"sources": {"reddit": sandbox.demo_source("http://127.0.0.1:1", ["parcelly"])}})
    assert cfg.sources.reddit.oauth_url == "http://127.0.0.1:1"
    assert cfg.secret("sources.reddit.client_secret") == sandbox.DEMO_ENV["EARFUL_DEMO_REDDIT_SECRET"]
