"""Each sandbox driven by the platform's most used third-party client, as a user of that library would:
tweepy (X), praw (Reddit), atproto (Bluesky), Mastodon.py (Mastodon), feedparser (RSS/Atom), slack_sdk
(Slack webhooks). The clients make real HTTP to the sandboxes on loopback; nothing reaches the internet
(atproto, Mastodon.py, praw and feedparser take the sandbox's URL; tweepy's session rewrites its fixed host).

Real clients compare times in the server's answers with their own clock, as they do against the real
platforms, whose clocks agree with everyone's: so these sandboxes run on a clock that starts at the real now,
and every sandbox's `Date` header comes from that same clock (checked here for each of them).
"""

from __future__ import annotations

import asyncio
import types
import warnings
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import aiohttp
import feedparser
import praw
import prawcore
import pytest
import tweepy.asynchronous.client
from atproto import AsyncClient as AtprotoClient
from mastodon import Mastodon
from slack_sdk.webhook.async_client import AsyncWebhookClient
from yarl import URL

from earful.clock import ManualClock, utcnow
from earful.sandbox import bluesky, hackernews, mastodon, reddit, rss, slack, x
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import parse
from earful.sandbox.server import SandboxServer

PLATFORMS = ("x", "reddit", "bluesky", "mastodon", "rss")


def scenario(start: datetime):
    """Two posts per platform an hour before ``start``'s end; a federated Mastodon post; a reply on X."""
    posts = []
    for platform in PLATFORMS:
        for i in range(2):
            posts.append({"id": f"{platform}-{i}", "platform": platform, "minute": 10 + i, "author": f"cust{i}",
                          "text": f"parcelly lost my parcel {platform} {i} #parcelly", "lang": "en",
                          "label": "complaint", "community": "parcelly", "title": f"parcelly problem {i}"})
    posts.append({"id": "fed", "platform": "mastodon", "minute": 12, "author": "remote@social.example",
                  "text": "parcelly from another instance #parcelly", "lang": "en", "label": "complaint"})
    return parse({"name": "conformance", "start": start.isoformat() + "Z", "duration_minutes": 120,
                  "brand": {"name": "Parcelly"}, "posts": posts})


@pytest.fixture
def clock():
    """The sandbox clock, at the real now (to the second) like a real platform's."""
    return ManualClock(utcnow().replace(microsecond=0))


@pytest.fixture
def sc(clock):
    return scenario(clock.now() - timedelta(hours=1))


# -- the Date header --------------------------------------------------------------------------------------
PROBES = {x: x.PATH, reddit: "/r/parcelly/new", bluesky: "/xrpc/com.atproto.identity.resolveHandle?handle=x",
          mastodon: "/api/v1/instance", hackernews: "/api/v1/search_by_date?query=parcelly",
          rss: "/feeds/parcelly.xml"}


@pytest.mark.parametrize("module", list(PROBES), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
async def test_date_header_is_the_sandbox_clock(module):
    """Also on a simulated clock far from real time: the Date header says what the sandbox's tokens and
    rate-limit resets are computed from."""
    clock = ManualClock(datetime(2026, 3, 1, 9, 5, 7))
    async with SandboxServer(module.make_app(scenario(clock.now()), clock)) as srv, aiohttp.ClientSession() as s:
        for step in (0, 3600):
            clock.advance(step)
            async with s.get(srv.url + PROBES[module]) as resp:
                assert parsedate_to_datetime(resp.headers["Date"]).replace(tzinfo=None) == clock.now()


async def test_x_rate_limit_reset_agrees_with_the_date_header():
    clock = ManualClock(datetime(2026, 3, 1, 9, 5, 7))
    app = x.make_app(scenario(clock.now()), clock, rate_limit=1)
    auth = {"Authorization": f"Bearer {x.DEMO_BEARER}"}
    async with SandboxServer(app) as srv, aiohttp.ClientSession() as s:
        for _ in range(2):
            async with s.get(srv.url + x.PATH, params={"query": "parcelly"}, headers=auth) as resp:
                status, headers = resp.status, resp.headers
    assert status == 429
    date = parsedate_to_datetime(headers["Date"]).timestamp()
    assert 0 < int(headers["x-rate-limit-reset"]) - date <= 15 * 60  # the window ends after "now", within 15 min


# -- tweepy --------------------------------------------------------------------------------------------------
def routed_session(base: str) -> aiohttp.ClientSession:
    """An aiohttp session that sends tweepy's fixed https://api.twitter.com to the sandbox."""
    target = URL(base)

    async def rewrite(req: aiohttp.ClientRequest, handler):
        if req.url.host == "api.twitter.com":
            req.url = req.url.with_scheme(target.scheme).with_host(target.host).with_port(target.port)
            req.headers["Host"] = f"{target.host}:{target.port}"
        return await handler(req)

    return aiohttp.ClientSession(middlewares=(rewrite,))


async def test_tweepy_searches_and_waits_for_the_rate_limit_window(clock, sc, monkeypatch):
    """wait_on_rate_limit sleeps until x-rate-limit-reset once, then succeeds (it used to spin: 770 requests in
    3 s, because the reset was on the simulated clock). tweepy's sleep is recorded and moves the sandbox clock."""
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(tweepy.asynchronous.client, "asyncio", types.SimpleNamespace(sleep=sleep))
    faults = Faults()
    app = x.make_app(sc, clock, faults, rate_limit=2)
    async with SandboxServer(app) as srv, routed_session(srv.url) as session:
        client = tweepy.asynchronous.AsyncClient(x.DEMO_BEARER, wait_on_rate_limit=True)
        client.session = session  # tweepy uses the session it is given (and then does not close it)
        pages = [await asyncio.wait_for(client.search_recent_tweets("parcelly", max_results=10,
                                                                    expansions=["author_id"]), 10)
                 for _ in range(3)]
    assert [len(p.data) for p in pages] == [2, 2, 2] and pages[0].data[0].text.startswith("parcelly lost")
    assert pages[0].includes["users"][0].username.startswith("cust")
    assert faults.count(x.PATH) == 4  # two answered, one 429, the retry after the one sleep
    assert len(slept) == 1 and 1 <= slept[0] <= 15 * 60 + 1


# -- praw ----------------------------------------------------------------------------------------------------
async def test_praw_reads_listings_and_an_unknown_subreddit_redirects(sc):
    # a clock in the middle of the sandbox's 600 s rate-limit window: prawcore then has no reason to pause
    now = utcnow().replace(microsecond=0)
    clock = ManualClock(now - timedelta(seconds=now.timestamp() % 600) + timedelta(seconds=300))
    app = reddit.make_app(scenario(clock.now() - timedelta(hours=1)), clock)
    async with SandboxServer(app) as srv:
        def use_praw():
            r = praw.Reddit(client_id=reddit.DEMO_ENV["EARFUL_DEMO_REDDIT_CLIENT_ID"],
                            client_secret=reddit.DEMO_ENV["EARFUL_DEMO_REDDIT_SECRET"],
                            user_agent="earful-conformance/1", oauth_url=srv.url, reddit_url=srv.url,
                            check_for_updates=False, check_for_async=False)
            new = [(s.id, s.title, s.subreddit.display_name, s.author.name) for s in r.subreddit("parcelly").new()]
            found = [s.title for s in r.subreddit("all").search("parcelly", sort="new")]
            with pytest.raises(prawcore.Redirect) as gone:
                list(r.subreddit("nosuchsubreddit").new(limit=5))
            return new, found, gone.value.path

        new, found, path = await asyncio.to_thread(use_praw)
    assert sorted(t for _, t, _, _ in new) == ["parcelly problem 0", "parcelly problem 1"]
    assert {sub for _, _, sub, _ in new} == {"parcelly"} and {a for *_, a in new} == {"cust0", "cust1"}
    assert sorted(found) == ["parcelly problem 0", "parcelly problem 1"]
    assert path == "/subreddits/search"


# -- atproto -------------------------------------------------------------------------------------------------
async def test_atproto_logs_in_and_searches(clock, sc):
    app = bluesky.make_app(sc, clock)
    async with SandboxServer(app) as srv:
        client = AtprotoClient(base_url=srv.url + "/xrpc")
        profile = await client.login(bluesky.DEMO_IDENTIFIER, bluesky.DEMO_PASSWORD)
        found = await client.app.bsky.feed.search_posts({"q": "parcelly", "limit": 10})
    assert profile.handle == bluesky.DEMO_IDENTIFIER
    assert sorted(p.record.text for p in found.posts) == ["parcelly lost my parcel bluesky 0 #parcelly",
                                                          "parcelly lost my parcel bluesky 1 #parcelly"]


async def test_atproto_refreshes_a_session_near_its_expiry(clock, sc):
    """atproto refreshes an access token within 15 minutes of its exp (by its own clock, which agrees with the
    sandbox's): with 10-minute tokens every call refreshes first, through com.atproto.server.refreshSession."""
    faults = Faults()
    app = bluesky.make_app(sc, clock, faults, access_ttl_seconds=600)
    async with SandboxServer(app) as srv:
        client = AtprotoClient(base_url=srv.url + "/xrpc")
        await client.login(bluesky.DEMO_IDENTIFIER, bluesky.DEMO_PASSWORD)
        first = await client.app.bsky.feed.search_posts({"q": "parcelly"})
        clock.advance(601)  # the first access token has expired on the sandbox clock
        second = await client.app.bsky.feed.search_posts({"q": "parcelly"})
    assert len(first.posts) == len(second.posts) == 2
    assert faults.count("/xrpc/com.atproto.server.refreshSession") >= 2


async def test_sandbox_refuses_an_expired_refresh_token(clock, sc):
    app = bluesky.make_app(sc, clock)
    async with SandboxServer(app) as srv:
        client = AtprotoClient(base_url=srv.url + "/xrpc")
        await client.login(bluesky.DEMO_IDENTIFIER, bluesky.DEMO_PASSWORD)
        refresh = client._session.refresh_jwt
        async with aiohttp.ClientSession() as s:
            url = srv.url + "/xrpc/com.atproto.server.refreshSession"
            async with s.post(url, headers={"Authorization": f"Bearer {client._session.access_jwt}"}) as resp:
                assert resp.status == 400 and (await resp.json())["error"] == "InvalidToken"  # not a refresh token
            clock.advance(91 * 86400)
            async with s.post(url, headers={"Authorization": f"Bearer {refresh}"}) as resp:
                assert resp.status == 400 and (await resp.json())["error"] == "ExpiredToken"


# -- Mastodon.py ---------------------------------------------------------------------------------------------
async def test_mastodon_py_reads_hashtags_pages_and_federated_uris(clock, sc):
    app = mastodon.make_app(sc, clock)
    async with SandboxServer(app) as srv:
        def use_mastodon_py():
            api = Mastodon(api_base_url=srv.url, access_token=mastodon.DEMO_TOKEN)  # asks /api/v1/instance/
            first = api.timeline_hashtag("parcelly", limit=2)
            rest = api.fetch_next(first)
            return api.retrieve_mastodon_version(), first, rest, api.timeline_hashtag("nobodyusesthistag")

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Mastodon.py warns when it cannot read the version
            version, first, rest, unknown = await asyncio.to_thread(use_mastodon_py)
    assert str(version).startswith("4.")
    statuses = list(first) + list(rest)
    assert len(statuses) == 3 and len({s.id for s in statuses}) == 3
    assert unknown == []  # a tag nobody used: 200 [] as Mastodon answers, not 404
    [fed] = [s for s in statuses if s.account.acct == "remote@social.example"]
    assert fed.uri == f"https://social.example/users/remote/statuses/{fed.id}"
    assert fed.url.startswith("https://social.example/@remote/")
    local = next(s for s in statuses if s.account.acct == "cust0")
    assert local.uri.startswith(srv.url + "/users/cust0/statuses/")


async def test_a_federated_status_has_one_uri_on_every_instance(clock, sc):
    async with SandboxServer(mastodon.make_app(sc, clock)) as a, SandboxServer(mastodon.make_app(sc, clock)) as b:
        def uris(url):
            api = Mastodon(api_base_url=url)
            return {s.uri for s in api.timeline_hashtag("parcelly") if "@" in s.account.acct}

        assert await asyncio.to_thread(uris, a.url) == await asyncio.to_thread(uris, b.url) != set()


# -- feedparser ----------------------------------------------------------------------------------------------
async def test_feedparser_reads_both_formats_and_revalidates(clock, sc):
    async with SandboxServer(rss.make_app(sc, clock)) as srv:
        def use_feedparser():
            out = {}
            for kind in ("xml", "atom"):
                d = feedparser.parse(f"{srv.url}/feeds/parcelly.{kind}")
                again = feedparser.parse(f"{srv.url}/feeds/parcelly.{kind}", etag=d.etag)
                out[kind] = (d, again)
            return out

        out = await asyncio.to_thread(use_feedparser)
    for d, again in out.values():
        assert not d.bozo and d.status == 200
        assert sorted(e.title for e in d.entries) == ["parcelly problem 0", "parcelly problem 1"]
        assert all(e.published_parsed and e.id.startswith("urn:earful-sandbox:") for e in d.entries)
        assert again.status == 304 and again.entries == []


# -- slack_sdk -----------------------------------------------------------------------------------------------
async def test_slack_sdk_webhook_client_delivers():
    path = "/services/T000/B000/conformance"
    async with SandboxServer(slack.make_app()) as srv:
        client = AsyncWebhookClient(srv.url + path)
        resp = await client.send(text="parcelly: a complaint needs a reply",
                                 blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}])
        missing = await AsyncWebhookClient(srv.url + "/services/T000/B000").send(text="x")
    assert resp.status_code == 200 and resp.body == "ok"
    assert missing.status_code >= 400


async def test_slack_sandbox_dates_its_answers_by_its_clock():
    clock = ManualClock(datetime(2026, 3, 1, 9, 5, 7))
    async with SandboxServer(slack.make_app(clock=clock)) as srv:
        resp = await AsyncWebhookClient(srv.url + "/services/T000/B000/conformance").send(text="x")
    assert parsedate_to_datetime(resp.headers["Date"]).replace(tzinfo=None) == clock.now()
