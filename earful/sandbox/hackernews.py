"""Sandbox Hacker News search (hn.algolia.com/api/v1, PLATFORMS.md section 5), serving the scenario's hackernews posts.

Endpoints: GET /api/v1/search_by_date (newest first) and GET /api/v1/search (same order here), no auth.
Parameters: query (every word must appear, case-insensitive), tags (comma = AND, "(a,b)" = OR; story, comment,
author_<name>, story_<id>), numericFilters (comma = AND; created_at_i / points / num_comments with < <= = >= >),
hitsPerPage (default 20, max 1000), page (0-based). Only the first `pagination_limit` hits (1,000 like Algolia's
paginationLimitedTo) are reachable: nbPages is capped and later pages are empty.
Posts with a title are stories (story_text = text), replies are comments (parent_id, story_id = thread root),
posts without either are comments on a story of their community. Text is HN-style HTML: paragraphs joined
with <p>, entities escaped. objectIDs grow with time and are the same every run.
Tests can add posts at run time: app["extra_posts"] (ScenarioPosts or scenario-format dicts).
"""

from __future__ import annotations

import html
import math
import re
import warnings
import zlib
from datetime import UTC
from typing import Any

from aiohttp import web

from earful.clock import Clock
from earful.matcher import fold
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost
from earful.sandbox.scenario import parse as parse_scenario
from earful.sandbox.server import application

PLATFORM = "hackernews"
DEMO_ENV: dict[str, str] = {}
_NUMERIC = re.compile(r"^\s*(created_at_i|points|num_comments)\s*(<=|>=|<|>|=|!=)\s*(-?\d+)\s*$")


def demo_source(url: str) -> dict[str, Any]:
    return {"api_url": url.rstrip("/") + "/api/v1", "poll_seconds": 60}


def as_post(item: ScenarioPost | dict[str, Any], scenario: Scenario) -> ScenarioPost:
    if isinstance(item, ScenarioPost):
        return item
    return parse_scenario({"start": scenario.start.isoformat() + "Z", "posts": [item]}).posts[0]


def object_id(post: ScenarioPost, scenario: Scenario) -> int:
    seconds = int((post.at - scenario.start).total_seconds())
    return 40_000_000 + (seconds + 10_000_000) * 100 + zlib.crc32(post.id.encode()) % 100


def hn_html(text: str) -> str:
    return "<p>".join(html.escape(para, quote=True).replace("/", "&#x2F;") for para in text.split("\n\n"))


def _tags_match(expr: str, tags: set[str]) -> bool:
    """Algolia tag filters: top-level commas are AND, a parenthesised group is OR."""
    parts, depth, cur = [], 0, ""
    for ch in expr:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if part.startswith("("):
            options = {o.strip() for o in part.strip("()").split(",") if o.strip()}
            if not options & tags:
                return False
        elif part not in tags:
            return False
    return True


def _numeric_match(expr: str, hit: dict[str, Any]) -> bool | None:
    """None = the filter is malformed (Algolia answers 400)."""
    for part in (p for p in expr.split(",") if p.strip()):
        m = _NUMERIC.match(part)
        if m is None:
            return None
        field, op, value = m.group(1), m.group(2), int(m.group(3))
        have = hit.get(field)
        if have is None:
            return False
        ok = {"<": have < value, "<=": have <= value, "=": have == value, "!=": have != value,
              ">=": have >= value, ">": have > value}[op]
        if not ok:
            return False
    return True


class _Index:
    def __init__(self, scenario: Scenario, clock: Clock, app: web.Application):
        self.scenario, self.clock, self.app = scenario, clock, app

    def posts(self) -> list[ScenarioPost]:
        extra = [as_post(p, self.scenario) for p in self.app["extra_posts"]]
        return [p for p in self.scenario.for_platform(PLATFORM) + extra if p.platform == PLATFORM]

    def hits(self) -> list[dict[str, Any]]:
        posts = self.posts()
        known = {p.id: p for p in posts}
        now = self.clock.now()
        out = []
        for post in posts:
            if post.at > now:
                continue
            oid = object_id(post, self.scenario)
            ts = int(post.at.replace(tzinfo=UTC).timestamp())
            base = {"objectID": str(oid), "created_at": post.at.isoformat(timespec="milliseconds") + "Z",
                    "created_at_i": ts, "updated_at": post.at.isoformat(timespec="milliseconds") + "Z",
                    "author": post.author, "children": [], "_highlightResult": {}}
            parent = known.get(post.reply_to) if post.reply_to else None
            if post.title and parent is None:
                hit = {**base, "title": post.title, "url": None, "story_text": hn_html(post.text), "points": 3,
                       "num_comments": 0, "comment_text": None, "story_id": oid, "parent_id": None,
                       "_tags": ["story", f"author_{post.author}", f"story_{oid}"]}
                if post.title.lower().startswith("ask hn"):
                    hit["_tags"].append("ask_hn")
            else:
                if parent is not None:
                    root = post
                    seen = set()
                    while root.reply_to in known and root.id not in seen:
                        seen.add(root.id)
                        root = known[root.reply_to]
                    story_id = object_id(root, self.scenario)
                    parent_id = object_id(parent, self.scenario)
                    story_title = root.title or root.text[:80]
                else:
                    story_id = parent_id = 39_000_000 + zlib.crc32((post.community or "news").encode()) % 999_999
                    story_title = f"Discussion: {post.community or 'news'}"
                hit = {**base, "title": None, "url": None, "story_text": None, "comment_text": hn_html(post.text),
                       "points": None, "num_comments": None, "story_id": story_id, "parent_id": parent_id,
                       "story_title": story_title, "story_url": None,
                       "_tags": ["comment", f"author_{post.author}", f"story_{story_id}"]}
            out.append(hit)
        out.sort(key=lambda h: (h["created_at_i"], int(h["objectID"])), reverse=True)
        return out


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, *,
             pagination_limit: int = 1000, **_: Any) -> web.Application:
    app = application(clock, faults)
    index = _Index(scenario, clock, app)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["extra_posts"] = []

    async def search(request: web.Request) -> web.Response:
        q = request.query
        try:
            per_page = max(0, min(1000, int(q.get("hitsPerPage", 20))))
            page = max(0, int(q.get("page", 0)))
        except ValueError:
            return web.json_response({"message": "Invalid value for hitsPerPage or page", "status": 400}, status=400)
        words = fold(q.get("query", "")).split()
        hits = []
        for hit in index.hits():
            if q.get("tags") and not _tags_match(q["tags"], set(hit["_tags"])):
                continue
            if q.get("numericFilters"):
                ok = _numeric_match(q["numericFilters"], hit)
                if ok is None:
                    return web.json_response({"message": "invalid numericFilters", "status": 400}, status=400)
                if not ok:
                    continue
            haystack = fold(" ".join(str(hit.get(k) or "") for k in ("title", "story_text", "comment_text",
                                                                       "url", "author")))
            if all(w in haystack for w in words):
                hits.append(hit)
        reachable = hits[:pagination_limit]
        nb_pages = min(math.ceil(len(hits) / per_page), math.ceil(pagination_limit / per_page)) if per_page else 0
        chunk = reachable[page * per_page:(page + 1) * per_page] if per_page else []
        params = request.query_string
        return web.json_response({"hits": chunk, "nbHits": len(hits), "page": page, "nbPages": nb_pages,
                                  "hitsPerPage": per_page, "exhaustiveNbHits": True, "exhaustiveTypo": True,
                                  "query": q.get("query", ""), "params": params, "processingTimeMS": 1})

    app.router.add_get("/api/v1/search_by_date", search)
    app.router.add_get("/api/v1/search", search)
    return app
