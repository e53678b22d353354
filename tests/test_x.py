"""X collector (tweepy AsyncClient) against the X sandbox on a free port, with a ManualClock."""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

import aiohttp
import pytest

from earful import config as config_mod
from earful.clock import ManualClock
from earful.collectors import x as xc
from earful.collectors.base import dump_cursor, load_cursor
from earful.config import Brand
from earful.errors import AuthFailed, MalformedPayload, RateLimited, SourceError, Unavailable
from earful.sandbox import scenario as scenario_mod
from earful.sandbox import x as xs
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import ScenarioPost
from earful.sandbox.server import SandboxServer
from earful.sandbox.xquery import QueryError, TweetView, parse

TOKEN = "test-x-bearer-0123456789"
START = datetime(2026, 11, 23, 0, 0, 0)
SEARCH = xs.PATH
N_COMPLAINTS = 150  # more than one page of 100

ODD_TEXTS = {
    "odd-emoji": "parcelly 📦🔥👩🏽‍💻 lost my parcel again 😡",
    "odd-rtl": ("parcelly \u05d4\u05d7\u05d1\u05d9\u05dc\u05d4 \u05dc\u05d0 \u05d4\u05d2\u05d9\u05e2\u05d4 "
                "\u202eevil\u202c \u0627\u0644\u0637\u0631\u062f"),
    "odd-zw": "par\u200bcelly parcelly\u200d never\ufeff came\u00ad",
    "odd-ctrl": "parcelly \x01\x07\x1b[31m bell and escape\ttab\r\nnewline \x7f",
    "odd-html": "parcelly &amp; <b>bold</b> & a > b < c &lt;literal&gt;",
    "odd-long": "parcelly " + ("long complaint text ünïcödé " * 400)[:10_000],
}


def scenario_dict() -> dict:
    posts = []
    for i in range(N_COMPLAINTS):
        posts.append({"id": f"c{i:03d}", "platform": "x", "minute": 1 + i * 0.5, "author": f"customer_{i % 40}",
                      "text": f"@Parcelly my parcel #{i} is late again, parcelly please help", "lang": "en",
                      "label": "complaint"})
    posts += [
        {"id": "noise", "platform": "x", "minute": 5, "author": "someone", "text": "nice weather today",
         "label": "other"},
        {"id": "excluded", "platform": "x", "minute": 6, "author": "trader", "text": "parcelly stock is up 5%",
         "label": "other"},
        {"id": "other-platform", "platform": "reddit", "minute": 7, "author": "redditor", "text": "parcelly",
         "label": "complaint"},
        {"id": "reply", "platform": "x", "minute": 100, "author": "ParcellyHelp",
         "text": "Sorry about that! Please DM us your tracking number.", "label": "brand_reply", "reply_to": "c003"},
        {"id": "followup", "platform": "x", "minute": 110, "author": "customer_3", "text": "sent you a DM",
         "label": "followup", "reply_to": "reply"},
        {"id": "ru", "platform": "x", "minute": 111, "author": "ivan",
         "text": "Parcelly опять потеряли посылку",
         "lang": "ru", "label": "complaint"},
    ]
    for n, (sid, text) in enumerate(ODD_TEXTS.items()):
        posts.append({"id": sid, "platform": "x", "minute": 120 + n, "author": "oddity", "text": text,
                      "label": "complaint", "lang": "und"})
    posts.append({"id": "later", "platform": "x", "minute": 300, "author": "late_customer",
                  "text": "parcelly where is my order", "label": "complaint"})
    return {"name": "x-test", "start": "2026-11-23T00:00:00Z", "duration_minutes": 600,
            "brand": {"name": "Parcelly"}, "posts": posts}


SCENARIO = scenario_mod.parse(scenario_dict())
ALL_MATCHING_BY = {  # visible at START + 4h (minute 240): every x post but noise, excluded, later
    p.id for p in SCENARIO.for_platform("x") if p.id not in ("noise", "excluded", "later")}


def brand_dict() -> dict:
    return {"name": "Parcelly", "keywords": ["parcelly"], "exclusions": ["parcelly stock"],
            "accounts": {"x": ["@ParcellyHelp"]}}


class Env:
    def __init__(self, server: SandboxServer, app, faults: Faults, clock: ManualClock,
                 session: aiohttp.ClientSession):
        self.server, self.app, self.faults, self.clock, self.session = server, app, faults, clock, session

    def config(self, **source: object) -> config_mod.Config:
        src = {"bearer_token": {"env": "TEST_X_TOKEN"}, "api_url": self.server.url, "timeout_seconds": 5,
               "backfill_hours": 24}
        src.update(source)
        return config_mod.parse({"brands": [brand_dict()], "sources": {"x": src}})

    def collector(self, **source: object) -> xc.XCollector:
        [collector] = xc.create(self.config(**source), self.clock, self.session)
        return collector

    def epoch(self) -> int:
        return xs.epoch_seconds(self.clock.now())

    def requests(self) -> list[str]:
        return [unquote_plus(p) for _, p in self.faults.log if p.startswith(SEARCH)]


@contextlib.asynccontextmanager
async def running(monkeypatch, at: datetime = START + timedelta(hours=4), **options):
    monkeypatch.setenv("TEST_X_TOKEN", options.pop("token", TOKEN))
    clock = ManualClock(at)
    faults = Faults()
    app = xs.make_app(SCENARIO, clock, faults, bearer_token=TOKEN, **options)
    async with SandboxServer(app) as server, aiohttp.ClientSession() as session:
        yield Env(server, app, faults, clock, session)


async def collect(collector, cursor=None, limit=None):
    pages = []
    async for page in collector.pages(cursor):
        pages.append(page)
        if limit is not None and len(pages) >= limit:
            break
    return pages


def ids_of(pages) -> list[str]:
    return [m.id for p in pages for m in p.mentions]


def scenario_ids(*names: str) -> set[str]:
    return {xs.tweet_id(SCENARIO.by_id[n]) for n in names}


# ---- the happy path --------------------------------------------------------------------------------

async def test_backfill_pages_fields_and_thread_links(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)  # tweepy logs request headers at DEBUG
    async with running(monkeypatch) as env:
        collector = env.collector()
        pages = await collect(collector)
        ids = ids_of(pages)
        assert len(ids) == len(set(ids))
        assert set(ids) == scenario_ids(*ALL_MATCHING_BY)
        # the mention query needed two pages of 100, the brand-account query one
        reqs = env.requests()
        assert len(reqs) == 3 == len(pages)
        assert "max_results=100" in reqs[0] and "start_time=2026-11-22T04:00:00Z" in reqs[0]
        assert "next_token=" in reqs[1] and "start_time=2026-11-22T04:00:00Z" in reqs[1]
        assert "from:ParcellyHelp" in reqs[2]
        assert len(pages[0].mentions) == 100
        by_id = {m.id: m for p in pages for m in p.mentions}
        reply = by_id[xs.tweet_id(SCENARIO.by_id["reply"])]
        root_id = xs.tweet_id(SCENARIO.by_id["c003"])
        assert reply.author == "ParcellyHelp" and reply.reply_to_id == root_id and reply.thread_id == root_id
        assert reply.author_id == xs.user_id("ParcellyHelp") and reply.author_id.isdigit()
        assert reply.text == "@customer_3 Sorry about that! Please DM us your tracking number."
        assert reply.url == f"https://x.com/ParcellyHelp/status/{reply.id}"
        followup = by_id[xs.tweet_id(SCENARIO.by_id["followup"])]
        assert followup.reply_to_id == reply.id and followup.thread_id == root_id
        ru = by_id[xs.tweet_id(SCENARIO.by_id["ru"])]
        assert ru.lang_hint == "ru" and ru.created_at == START + timedelta(minutes=111)
        assert by_id[xs.tweet_id(SCENARIO.by_id["odd-emoji"])].lang_hint is None  # "und"
        assert ru.raw["data"]["public_metrics"]["like_count"] >= 0
        assert reply.raw["includes"]["tweets"][0]["id"] == root_id
        assert all(m.brand is None and not m.is_brand for m in by_id.values())
        # ids increase with time
        c = [int(xs.tweet_id(SCENARIO.by_id[f"c{i:03d}"])) for i in range(N_COMPLAINTS)]
        assert c == sorted(c)
        assert [p.meta["x_posts_read_month"] for p in pages] == [100, len(ids) - 1, len(ids)]
        assert pages[-1].meta == {"x_posts_read_month": len(ids), "x_cap": 2_000_000}
        await collector.aclose()
    info = [r for r in caplog.records if r.levelno == logging.INFO and r.name == "earful.collectors.x"]
    assert len(info) == len(pages)
    assert any("[redacted]" in r.getMessage() for r in caplog.records)
    assert not any(TOKEN in r.getMessage() for r in caplog.records)


async def test_collecting_twice_yields_no_new_ids_then_only_newer(monkeypatch):
    async with running(monkeypatch) as env:
        collector = env.collector()
        first = await collect(collector)
        second = await collect(collector, first[-1].cursor)
        assert ids_of(second) == []
        assert all("since_id=" in r and "start_time" not in r for r in env.requests()[3:])
        env.clock.advance(2 * 3600)  # "later" (minute 300) appears
        third = await collect(collector, second[-1].cursor)
        assert ids_of(third) == [xs.tweet_id(SCENARIO.by_id["later"])]


async def test_restart_mid_paging_resumes_exactly(monkeypatch):
    async with running(monkeypatch) as env:
        full = ids_of(await collect(env.collector()))
        env.faults.log.clear()
        first = await collect(env.collector(), limit=1)
        assert len(first[0].mentions) == 100
        state = load_cursor(first[0].cursor)
        [pending] = [s for s in state["q"].values() if s.get("next_token")]
        assert pending["start_time"] and pending["newest_id"]
        # the process dies; a new collector instance continues from the saved cursor
        rest = await collect(env.collector(), first[0].cursor)
        assert "next_token=" in env.requests()[1]
        got = ids_of(first) + ids_of(rest)
        assert len(got) == len(set(got)) and set(got) == set(full)
        # and the cursor after that run polls with since_id = newest of the first page
        final = load_cursor(rest[-1].cursor)
        newest = max(int(i) for i in ids_of(first))
        assert str(newest) in [s.get("since_id") for s in final["q"].values()]


# ---- errors ----------------------------------------------------------------------------------------

async def test_429_uses_reset_header(monkeypatch):
    async with running(monkeypatch) as env:
        reset = env.epoch() + 300
        env.faults.add(SEARCH, status=429, content_type="application/problem+json",
                       body=json.dumps(xs.TOO_MANY),
                       headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                                "x-rate-limit-reset": str(reset)})
        with pytest.raises(RateLimited) as info:
            await collect(env.collector())
        assert 300 <= info.value.retry_after <= 301


async def test_429_from_sandbox_window_counter_both_shapes(monkeypatch):
    for shape in ("problem", "v1"):
        async with running(monkeypatch, at=START + timedelta(hours=4, minutes=7), rate_limit=2,
                           rate_limit_shape=shape) as env:
            collector = env.collector()
            pages = []
            with pytest.raises(RateLimited) as info:
                async for page in collector.pages(None):
                    pages.append(page)
            # two requests allowed (two pages), the third is over the 15-minute window's limit
            assert len(pages) == 2
            window_end = env.epoch() // 900 * 900 + 900
            assert window_end - env.epoch() == 8 * 60
            assert info.value.retry_after == 8 * 60 + 1
            assert len(env.requests()) == 3
            # once the window resets, the saved cursor continues
            env.clock.set(datetime(1970, 1, 1) + timedelta(seconds=window_end))
            rest = await collect(env.collector(), pages[-1].cursor)
            assert len(ids_of(pages) + ids_of(rest)) == len(ALL_MATCHING_BY)


async def test_rate_limit_used_up_while_paging_stops_before_the_next_request(monkeypatch):
    async with running(monkeypatch, at=START + timedelta(hours=4, minutes=7), rate_limit=1) as env:
        pages = []
        with pytest.raises(RateLimited) as info:
            async for page in env.collector().pages(None):
                pages.append(page)
        assert len(pages) == 1 and len(env.requests()) == 1  # remaining was 0: no request wasted on a 429
        assert info.value.retry_after == 8 * 60 + 1


async def test_429_without_or_with_far_reset_is_bounded(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=429, body='{"errors":[{"code":88,"message":"Rate limit exceeded"}]}')
        with pytest.raises(RateLimited) as info:
            await collect(env.collector())
        assert info.value.retry_after == xc.DEFAULT_RETRY_AFTER
        env.faults.add(SEARCH, status=429, body='{"title":"Too Many Requests","detail":"Too Many Requests"}',
                       headers={"x-rate-limit-reset": str(env.epoch() + 10 * 3600)})
        with pytest.raises(RateLimited) as info:
            await collect(env.collector())
        assert info.value.retry_after == 900


async def test_429_reset_seconds_away_is_waited_for_once(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=429, body='{"title":"Too Many Requests","detail":"Too Many Requests"}',
                       headers={"x-rate-limit-reset": str(env.epoch() + 2)})
        pages = await collect(env.collector())
        assert env.clock.slept == [3.0]
        assert set(ids_of(pages)) == scenario_ids(*ALL_MATCHING_BY)


async def test_5xx_and_non_json_error_are_unavailable(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=503, content_type="application/problem+json",
                       body='{"title":"Service Unavailable","type":"about:blank","status":503}')
        with pytest.raises(Unavailable, match="503"):
            await collect(env.collector())
        env.faults.add(SEARCH, status=502, content_type="text/html", body="<html>Bad gateway</html>")
        with pytest.raises(Unavailable, match="502"):
            await collect(env.collector())
        env.faults.add(SEARCH, kind="disconnect", times=2)  # aiohttp retries a dropped keep-alive once
        with pytest.raises(Unavailable):
            await collect(env.collector())
        # the source recovers: nothing was lost
        assert set(ids_of(await collect(env.collector()))) == scenario_ids(*ALL_MATCHING_BY)


async def test_timeout_is_unavailable(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, kind="hang")
        with pytest.raises(Unavailable, match="0.3 s"):
            await collect(env.collector(timeout_seconds=0.3))


@pytest.mark.parametrize("body", ['{"data": [{"id": "1", "text": "parcelly"', "<html>oops</html>", "[1, 2]",
                                  '{"data": {"id": "1"}, "meta": {}}', ""])
async def test_malformed_or_truncated_json(monkeypatch, body):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=200, body=body)
        with pytest.raises(MalformedPayload):
            await collect(env.collector())


async def test_one_bad_post_is_skipped_not_fatal(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=200, body=json.dumps({
            "data": [{"id": "2", "text": "parcelly ok", "author_id": "9", "created_at": "2026-11-23T01:00:00.000Z"},
                     {"id": "1", "text": "parcelly bad", "created_at": "yesterday"}],
            "meta": {"result_count": 2, "newest_id": "2", "oldest_id": "1"}}))
        pages = await collect(env.collector(), limit=1)
        assert [(m.id, m.text, m.author) for m in pages[0].mentions] == [("2", "parcelly ok", "9")]


async def test_empty_result(monkeypatch):
    async with running(monkeypatch, at=START) as env:  # nothing posted yet
        async with env.session.get(env.server.url + SEARCH, params={"query": "parcelly"},
                                   headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
            assert resp.status == 200 and await resp.json() == {"meta": {"result_count": 0}}
            assert resp.headers["x-rate-limit-limit"] == "450"
            assert resp.headers["x-rate-limit-remaining"] == "449"
            assert int(resp.headers["x-rate-limit-reset"]) == env.epoch() + 900
        pages = await collect(env.collector())
        assert [len(p.mentions) for p in pages] == [0, 0]
        assert pages[-1].meta == {"x_posts_read_month": 0, "x_cap": 2_000_000}
        # with nothing found the next run still backfills from the same start
        env.clock.advance(3600)
        pages = await collect(env.collector(), pages[-1].cursor)
        assert "start_time=2026-11-22T00:00:00Z" in env.requests()[-3]
        assert len(ids_of(pages)) == 119  # c000..c118 posted by minute 60


async def test_auth_failures_name_the_setting(monkeypatch):
    async with running(monkeypatch, token="wrong-token-abcdef") as env:
        with pytest.raises(AuthFailed) as info:
            await collect(env.collector())
        assert info.value.setting == "sources.x.bearer_token"
        assert "wrong-token" not in str(info.value) and "401" in str(info.value)
    async with running(monkeypatch, enrolled=False) as env:
        with pytest.raises(AuthFailed) as info:
            await collect(env.collector())
        assert info.value.setting == "sources.x.bearer_token"
        assert "client-not-enrolled" in str(info.value) and "Project" in str(info.value)
        assert TOKEN not in str(info.value)


async def test_odd_text_survives_intact(monkeypatch):
    async with running(monkeypatch) as env:
        by_id = {m.id: m for p in await collect(env.collector()) for m in p.mentions}
        for sid, text in ODD_TEXTS.items():
            assert by_id[xs.tweet_id(SCENARIO.by_id[sid])].text == text, sid
        long = by_id[xs.tweet_id(SCENARIO.by_id["odd-long"])]
        assert len(long.raw["data"]["text"]) <= 280 and long.raw["data"]["note_tweet"]["text"]


# ---- budget: the monthly post cap ------------------------------------------------------------------

async def test_monthly_cap_in_cursor_stops_with_budget_exhausted(monkeypatch):
    async with running(monkeypatch) as env:
        collector = env.collector(monthly_post_cap=120)
        pages = []
        with pytest.raises(RateLimited, match="budget exhausted") as info:
            async for page in collector.pages(None):
                pages.append(page)
        assert [p.meta["x_posts_read_month"] for p in pages] == [100, 120]
        assert all(p.meta["x_cap"] == 120 for p in pages)
        assert "max_results=20" in env.requests()[1]
        assert len(env.requests()) == 2  # the third search was never sent
        assert 0 < info.value.retry_after <= 900
        # the cap holds across runs (it lives in the cursor) ...
        with pytest.raises(RateLimited, match="budget exhausted"):
            await collect(env.collector(monthly_post_cap=120), pages[-1].cursor)
        assert len(env.requests()) == 2
        # ... and resets with the UTC month
        state = load_cursor(pages[-1].cursor)
        state["month"] = "2026-10"
        more = await collect(env.collector(monthly_post_cap=120), dump_cursor(state))
        assert more[0].meta["x_posts_read_month"] == len(more[0].mentions) > 0


async def test_usage_cap_exceeded_from_x(monkeypatch):
    async with running(monkeypatch, monthly_cap=50) as env:
        collector = env.collector()
        pages = []
        with pytest.raises(RateLimited, match="budget exhausted") as info:
            async for page in collector.pages(None):
                pages.append(page)
        assert len(pages) == 1 and info.value.retry_after <= 900
        async with env.session.get(env.server.url + SEARCH, params={"query": "parcelly"},
                                   headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
            assert resp.status == 429 and resp.content_type == "application/problem+json"
            body = await resp.json()
            assert body["title"] == "UsageCapExceeded" and body["period"] == "Monthly"
            assert "x-rate-limit-remaining" in resp.headers


async def test_stale_since_id_restarts_with_backfill(monkeypatch):
    async with running(monkeypatch) as env:
        pages = await collect(env.collector())
        env.clock.advance(8 * 86400)  # the saved since_id is older than recent search allows
        env.app["extra_posts"].append(ScenarioPost(
            id="fresh", platform="x", minute=0, author="newbie", text="parcelly lost it", lang="en",
            label="complaint", at=env.clock.now() - timedelta(hours=1)))
        env.faults.log.clear()
        again = await collect(env.collector(), pages[-1].cursor)
        assert ids_of(again) == [xs.tweet_id(env.app["extra_posts"][0])]
        assert "since_id=" in env.requests()[0] and "start_time=" in env.requests()[1]


async def test_bad_query_is_not_retryable(monkeypatch):
    async with running(monkeypatch) as env:
        env.faults.add(SEARCH, status=400, content_type="application/problem+json", body=(
            '{"errors":[{"parameters":{"query":["x"]},"message":"There were errors processing your request"}],'
            '"title":"Invalid Request","detail":"One or more parameters to your request was invalid.",'
            '"type":"https://api.twitter.com/2/problems/invalid-request"}'))
        with pytest.raises(SourceError, match="400") as info:
            await collect(env.collector())
        assert info.value.retryable is False


# ---- queries ---------------------------------------------------------------------------------------

def test_brand_queries_shape_and_limits():
    brand = Brand(name="P", keywords=["parcelly", "parcel ly", 'say "hi"', "OR", "e-bike", "#parcelfail"],
                  exclusions=["parcelly stock", "jobs"], accounts={"x": ["@ParcellyHelp", "parcelly_es"]})
    mention, own = xc.brand_queries(brand)
    assert mention == ('(parcelly OR "parcel ly" OR "say hi" OR "OR" OR "e-bike" OR #parcelfail OR @ParcellyHelp '
                       'OR @parcelly_es)'
                       ' -is:retweet -"parcelly stock" -"jobs"')
    assert own == "(from:ParcellyHelp OR from:parcelly_es) -is:retweet"
    for q in (mention, own):
        parse(q)  # the sandbox accepts what the collector sends
    many = Brand(name="M", keywords=[f"keyword{i:03d}" for i in range(120)],
                 exclusions=[f"exclusion phrase {i}" for i in range(40)])
    queries = xc.brand_queries(many)
    assert len(queries) > 2 and all(len(q) <= 512 for q in queries)
    joined = " ".join(queries)
    assert all(f"keyword{i:03d}" in joined for i in range(120))  # keywords are never dropped
    assert all(q.count("-is:retweet") == 1 for q in queries)


def test_create_respects_config(monkeypatch):
    monkeypatch.setenv("TEST_X_TOKEN", TOKEN)
    session = object()
    none = config_mod.parse({"brands": [brand_dict()]})
    assert xc.create(none, ManualClock(START), session) == []  # type: ignore[arg-type]
    off = config_mod.parse({"brands": [brand_dict()], "sources": {"x": {"enabled": False}}})
    assert xc.create(off, ManualClock(START), session) == []  # type: ignore[arg-type]


def test_sandbox_query_language():
    def view(text, author="bob", reply_to="", conv="1", lang="en"):
        return TweetView(text=text, author=author, author_id="42", conversation_id=conv, lang=lang,
                         is_reply=bool(reply_to), reply_to_user=reply_to, reply_to_user_id="7" if reply_to else "")

    assert parse("parcelly late OR refund").matches(view("refund now"))           # AND binds tighter
    assert not parse("parcelly (late OR refund)").matches(view("refund now"))
    assert parse('"parcel ly" -is:retweet').matches(view("my Parcel-ly box"))
    assert not parse('parcelly -"parcelly stock"').matches(view("Parcelly stock rises"))
    assert parse("@ParcellyHelp").matches(view("hey @parcellyhelp!"))
    assert not parse("@ParcellyHelp").matches(view("hey @parcellyhelp_es"))
    assert parse("from:BOB").matches(view("x")) and parse("from:42").matches(view("x"))
    assert parse("to:alice").matches(view("x", reply_to="alice"))
    assert parse("conversation_id:1 lang:en").matches(view("x"))
    assert parse("посылку").matches(view("Parcelly опять потеряли посылку"))
    assert parse("包裹").matches(view("我的包裹丢了"))
    assert parse("parcelly").matches(view("Parcelly今天两个小时就送到了"))
    assert not parse("parcelly").matches(view("parcellyhelp rocks"))
    for bad in ("(parcelly", "parcelly)", "-parcelly", "is:reply", '"open', "from:bad-name!", "a OR"):
        with pytest.raises(QueryError):
            parse(bad)


async def test_sandbox_parameters_and_error_bodies(monkeypatch):
    async with running(monkeypatch) as env:
        auth = {"Authorization": f"Bearer {TOKEN}"}

        async def get(**params):
            async with env.session.get(env.server.url + SEARCH, params=params, headers=auth) as resp:
                return resp.status, resp.content_type, await resp.json()

        status, ctype, body = await get(query="parcelly", max_results="5")
        assert (status, ctype) == (400, "application/problem+json")
        assert body["errors"][0]["parameters"] == {"max_results": ["5"]}
        assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
        status, _, body = await get(query="parcelly", since_id=xs.tweet_id(SCENARIO.by_id["c001"]),
                                    start_time="2026-11-23T00:00:00Z")
        assert status == 400 and "conjunction" in body["errors"][0]["message"]
        status, _, body = await get(query="parcelly", max_results="10")
        token = body["meta"]["next_token"]
        assert body["meta"]["result_count"] == 10
        assert body["meta"]["newest_id"] == body["data"][0]["id"]
        assert body["meta"]["oldest_id"] == body["data"][-1]["id"]
        assert "includes" not in body and set(body["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
        status, _, body = await get(query="parcelly -is:retweet", next_token=token)  # query changed while paging
        assert status == 400 and "next_token" in body["errors"][0]["parameters"]
        status, _, body = await get(query="(parcelly")
        assert status == 400 and "query" in body["errors"][0]["parameters"]
        status, _, body = await get(query="parcelly", **{"tweet.fields": "bogus"})
        assert status == 400
        # id and time bounds: since_id/until_id exclusive, start_time inclusive, end_time exclusive
        c = {n: xs.tweet_id(SCENARIO.by_id[f"c{n:03d}"]) for n in (10, 11, 12, 13)}
        only = 'parcelly -"parcelly stock"'
        _, _, body = await get(query=only, since_id=c[10], until_id=c[13])
        assert [t["id"] for t in body["data"]] == [c[12], c[11]]
        _, _, body = await get(query=only, start_time="2026-11-23T00:06:00Z",  # c010 at 6:00, c013 at 7:30
                               end_time="2026-11-23T00:07:30Z")
        assert [t["id"] for t in body["data"]] == [c[12], c[11], c[10]]
        # 401 and 403 bodies as X sends them
        async with env.session.get(env.server.url + SEARCH, params={"query": "parcelly"},
                                   headers={"Authorization": "Bearer nope"}) as resp:
            assert resp.status == 401 and resp.content_type == "application/problem+json"
            assert await resp.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                         "detail": "Unauthorized"}
    async with running(monkeypatch, enrolled=False) as env:
        async with env.session.get(env.server.url + SEARCH, params={"query": "parcelly"},
                                   headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
            body = await resp.json()
            assert resp.status == 403 and body["reason"] == "client-not-enrolled"
            assert body["type"] == "https://api.twitter.com/2/problems/client-forbidden"
