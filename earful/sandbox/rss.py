"""Sandbox news/blog feeds (PLATFORMS.md section 6), serving the scenario's rss posts.

Posts are grouped into feeds by `community` (default "news"); each feed is served twice:
    GET /feeds/<name>.xml    RSS 2.0 (guid isPermaLink="false", pubDate RFC 822, dc:creator, HTML description)
    GET /feeds/<name>.atom   Atom 1.0 (id, published, updated, author/name, summary type="html", xml:lang)
and /feeds/all.xml|.atom holds every rss post. Newest first, at most `max_items` entries (real feeds keep
only the latest ones). Every 200 carries an ETag (a hash of the body) and Last-Modified (the newest entry's
time); a request whose If-None-Match matches, or (without If-None-Match) whose If-Modified-Since is not
older, gets an empty 304. Unknown feeds: 404.
Entry ids are "urn:earful-sandbox:<scenario>:<post id>"; links are <server>/posts/<post id>.
Text is written as it is (control characters included, as sloppy real feeds do; parsers must cope).
Tests can add posts at run time: app["extra_posts"] (ScenarioPosts or scenario-format dicts).
"""

from __future__ import annotations

import hashlib
import html
import warnings
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from aiohttp import web

from earful.clock import Clock
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost
from earful.sandbox.scenario import parse as parse_scenario
from earful.sandbox.server import application

PLATFORM = "rss"
DEFAULT_FEED = "news"
ALL_FEED = "all"  # every rss post of the scenario in one feed
DEMO_ENV: dict[str, str] = {}


def feed_names(scenario: Scenario) -> list[str]:
    return sorted({p.community or DEFAULT_FEED for p in scenario.for_platform(PLATFORM)}) or [DEFAULT_FEED]


def demo_source(url: str, scenario: Scenario | None = None) -> dict[str, Any]:
    """Without a scenario: the one feed of every rss post; with one: each community feed, RSS and Atom alternating."""
    if scenario is None:
        return {"feeds": [f"{url.rstrip('/')}/feeds/{ALL_FEED}.xml"], "poll_seconds": 120}
    names = feed_names(scenario)
    feeds = []
    for i, name in enumerate(names):  # both formats in use, like the real web
        feeds.append(f"{url.rstrip('/')}/feeds/{name}.{'atom' if i % 2 else 'xml'}")
    return {"feeds": feeds, "poll_seconds": 120}


def as_post(item: ScenarioPost | dict[str, Any], scenario: Scenario) -> ScenarioPost:
    if isinstance(item, ScenarioPost):
        return item
    return parse_scenario({"start": scenario.start.isoformat() + "Z", "posts": [item]}).posts[0]


def entry_id(scenario: Scenario, post: ScenarioPost) -> str:
    return f"urn:earful-sandbox:{scenario.name}:{post.id}"


def _x(text: str) -> str:
    return html.escape(text, quote=True)


def _html(text: str) -> str:
    return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br/>") + "</p>" for p in text.split("\n\n"))


def _rss(scenario: Scenario, name: str, posts: list[ScenarioPost], base: str, updated: datetime) -> str:
    items = []
    for post in posts:
        at = post.at.replace(tzinfo=UTC)
        title = f"<title>{_x(post.title)}</title>" if post.title else ""
        lang = f' xml:lang="{_x(post.lang)}"' if post.lang and post.lang != "und" else ""
        items.append(
            f"<item{lang}>{title}<link>{base}/posts/{_x(post.id)}</link>"
            f'<guid isPermaLink="false">{_x(entry_id(scenario, post))}</guid>'
            f"<dc:creator>{_x(post.author)}</dc:creator><pubDate>{format_datetime(at, usegmt=True)}</pubDate>"
            f"<description>{_x(_html(post.text))}</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{_x(name)}</title><link>{base}/</link><description>Sandbox feed {_x(name)}</description>"
            f"<lastBuildDate>{format_datetime(updated.replace(tzinfo=UTC), usegmt=True)}</lastBuildDate>"
            + "".join(items) + "</channel></rss>\n")


def _atom(scenario: Scenario, name: str, posts: list[ScenarioPost], base: str, updated: datetime) -> str:
    entries = []
    for post in posts:
        stamp = post.at.isoformat(timespec="seconds") + "Z"
        lang = f' xml:lang="{_x(post.lang)}"' if post.lang and post.lang != "und" else ""
        title = _x(post.title) if post.title else ""
        entries.append(
            f"<entry{lang}><id>{_x(entry_id(scenario, post))}</id><title type=\"text\">{title}</title>"
            f'<link rel="alternate" href="{base}/posts/{_x(post.id)}"/>'
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f"<author><name>{_x(post.author)}</name></author>"
            f'<summary type="html">{_x(_html(post.text))}</summary></entry>')
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{_x(name)}</title><id>urn:earful-sandbox:{_x(scenario.name)}:feed:{_x(name)}</id>"
            f"<updated>{updated.isoformat(timespec='seconds')}Z</updated>"
            f'<link rel="self" href="{base}/feeds/{_x(name)}.atom"/>' + "".join(entries) + "</feed>\n")


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, *, max_items: int = 50,
             **_: Any) -> web.Application:
    app = application(clock, faults)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["extra_posts"] = []

    def posts_of(name: str) -> list[ScenarioPost] | None:
        extra = [as_post(p, scenario) for p in app["extra_posts"]]
        everything = [p for p in scenario.for_platform(PLATFORM) + extra if p.platform == PLATFORM]
        if name not in {p.community or DEFAULT_FEED for p in everything} | {DEFAULT_FEED, ALL_FEED}:
            return None
        now = clock.now()
        mine = [p for p in everything if name in (ALL_FEED, p.community or DEFAULT_FEED) and p.at <= now]
        mine.sort(key=lambda p: (p.at, p.id), reverse=True)
        return mine[:max_items]

    async def feed(request: web.Request) -> web.Response:
        name, kind = request.match_info["name"], request.match_info["kind"]
        posts = posts_of(name)
        if posts is None:
            return web.Response(status=404, text="<html><body>Not Found</body></html>", content_type="text/html")
        updated = posts[0].at if posts else scenario.start
        base = f"{request.scheme}://{request.host}"
        if kind == "atom":
            body, ctype = _atom(scenario, name, posts, base, updated), "application/atom+xml"
        else:
            body, ctype = _rss(scenario, name, posts, base, updated), "application/rss+xml"
        data = body.encode("utf-8")
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        modified = format_datetime(updated.replace(tzinfo=UTC, microsecond=0), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "max-age=60"}
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            if etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*":
                return web.Response(status=304, headers=headers)
        elif request.headers.get("If-Modified-Since"):
            try:
                since = parsedate_to_datetime(request.headers["If-Modified-Since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and \
                    since >= updated.replace(tzinfo=UTC, microsecond=0):
                return web.Response(status=304, headers=headers)
        return web.Response(body=data, headers=headers, content_type=ctype, charset="utf-8")

    app.router.add_get(r"/feeds/{name}.{kind:xml|atom}", feed)
    return app
