"""Hacker News collector through the Algolia HN Search API (no credentials).

Endpoint: GET {sources.hackernews.api_url}/search_by_date (default https://hn.algolia.com/api/v1), newest first:
    query=<brand keyword>&tags=(story,comment)                      one stream per keyword of every brand
    tags=author_<name>,(story,comment)                               one stream per brand.accounts["hackernews"]
    numericFilters=created_at_i>=LO,created_at_i<=HI&hitsPerPage=100&page=N
Each poll is a pass over a closed time window [LO, HI] (HI = now; LO = the previous pass's HI minus a 5-minute
overlap for late indexing, or source.backfill_hours before now on the first run), read with page/nbPages.
Algolia serves only the first 1,000 hits of a query (paginationLimitedTo): when nbHits is larger than what the
pages reached, the window is sliced by time (continue with created_at_i <= the oldest hit seen) until done.
The cursor holds the pass position (slice and page) and the recent ids, so a restart resumes exactly there.
Limits: about 10,000 requests per hour per IP; no rate headers. A throttled answer is HTTP 429 with a body we
do not rely on: RateLimited with Retry-After if sent, else 60 s. 401/403 -> AuthFailed naming
sources.hackernews.api_url (a proxy or wrong URL that wants credentials). 5xx, timeouts -> Unavailable.
Records: objectID as id; comments' comment_text and stories' story_text are HTML (made plain); a story's text
is its title, then its text and URL. parent_id -> reply_to_id, story_id -> thread_id,
link https://news.ycombinator.com/item?id=<objectID>.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp

from earful import httppolicy
from earful.clock import Clock
from earful.collectors.base import dump_cursor, load_cursor
from earful.collectors.htmltext import html_to_text
from earful.collectors.httpget import Reply, get, safe_url
from earful.config import Config, HackerNewsSource
from earful.errors import (
    AuthFailed,
    MalformedPayload,
    RateLimited,
    SourceError,
    Unavailable,
)
from earful.model import Mention, Page

log = logging.getLogger(__name__)

PLATFORM = "hackernews"
URL_SETTING = "sources.hackernews.api_url"
ITEM_URL = "https://news.ycombinator.com/item?id="
OVERLAP = 300  # seconds re-read at the start of each pass: Algolia indexes with a delay
DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 900.0


def _epoch(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())


class HackerNewsCollector:
    platform = PLATFORM

    def __init__(self, config: Config, source: HackerNewsSource, clock: Clock, session: aiohttp.ClientSession):
        self.key = PLATFORM
        self.source, self.clock, self.session = source, clock, session
        self.poll_interval = float(source.poll_seconds)
        self.api_url = source.api_url.rstrip("/")
        self.hits_per_page = 100
        keywords = [k.strip() for b in config.brands for k in b.keywords if k.strip()]
        authors = [a.strip().lstrip("@") for b in config.brands for a in b.accounts.get(PLATFORM, []) if a.strip("@ ")]
        self.streams: list[tuple[str, dict[str, str]]] = []
        for kw in dict.fromkeys(keywords):
            self.streams.append((f"q:{kw}", {"query": kw, "tags": "(story,comment)"}))
        for author in dict.fromkeys(authors):
            self.streams.append((f"author:{author}", {"query": "", "tags": f"author_{author},(story,comment)"}))
        self.state: dict[str, Any] = {}

    async def aclose(self) -> None:
        return None

    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        self.state = load_cursor(cursor)
        seen_this_run: set[str] = set()
        for name, params in self.streams:
            async for page in self._stream(name, params, seen_this_run):
                yield page

    async def _stream(self, name: str, params: dict[str, str], seen_this_run: set[str]) -> AsyncIterator[Page]:
        st = dict(self.state.get(name) or {})
        recent: dict[str, int] = {k: int(v) for k, v in (st.get("recent") or {}).items()}
        if "pass" not in st:
            now = _epoch(self.clock.now())
            lo = int(st["done"]) - OVERLAP if "done" in st else now - int(self.source.backfill_hours * 3600)
            st["pass"] = {"lo": lo, "hi": now, "slice": now, "page": 0}
        while True:
            p = st["pass"]
            lo, hi, top, page_no = int(p["lo"]), int(p["hi"]), int(p["slice"]), int(p["page"])
            query = {**params, "numericFilters": f"created_at_i>={lo},created_at_i<={top}",
                     "hitsPerPage": str(self.hits_per_page), "page": str(page_no)}
            data = await self._fetch(name, query)
            hits = [h for h in data["hits"] if isinstance(h, dict) and h.get("objectID") is not None
                    and isinstance(h.get("created_at_i"), int)]
            if len(hits) < len(data["hits"]):
                log.warning("hackernews %s: skipped %d malformed hits", name, len(data["hits"]) - len(hits))
            fresh = []
            for hit in hits:
                oid = str(hit["objectID"])
                if oid in recent or oid in seen_this_run:
                    continue
                recent[oid] = hit["created_at_i"]
                seen_this_run.add(oid)
                fresh.append(hit)
            nb_pages, nb_hits = int(data.get("nbPages") or 0), int(data.get("nbHits") or 0)
            done = False
            if hits and page_no + 1 < nb_pages:
                p = {**p, "page": page_no + 1}
            elif hits and nb_hits > page_no * self.hits_per_page + len(hits):
                oldest = min(h["created_at_i"] for h in hits)  # Algolia stops here: slice by time
                p = {**p, "slice": oldest if oldest < top else top - 1, "page": 0}
                if p["slice"] < lo:
                    done = True
            else:
                done = True
            # keep only ids that can be served again: next pass's overlap, this pass's slice edge,
            # and the previous pass's overlap that this window still covers
            edge = int(p["slice"])
            recent = {k: v for k, v in recent.items() if v >= hi - OVERLAP or v == edge or v <= lo + OVERLAP}
            if done:
                recent = {k: v for k, v in recent.items() if v >= hi - OVERLAP}
                st = {"done": hi, "recent": recent}
            else:
                st = {"pass": p, "recent": recent}
            self.state[name] = st
            mentions = [m for m in (self._mention(h) for h in sorted(fresh, key=lambda h: h["created_at_i"]))
                        if m is not None]
            if mentions or done:
                yield Page(mentions, dump_cursor(self.state), note=name)
            if done:
                return

    async def _fetch(self, name: str, query: dict[str, str]) -> dict[str, Any]:
        reply = await get(self.session, f"{self.api_url}/search_by_date", params=query,
                          timeout=self.source.timeout_seconds)
        self._check(reply)
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
            raise MalformedPayload(f"hackernews {safe_url(reply.url)}: no hits list in the answer")
        log.info("hackernews %s: page %s of %s, %d hits (window %s)", name, data.get("page"), data.get("nbPages"),
                 len(data["hits"]), query["numericFilters"])
        return data

    def _check(self, reply: Reply) -> None:
        if reply.status < 300:
            return
        where = f"hackernews {safe_url(reply.url)}"
        if reply.status == 429:
            raise RateLimited(f"{where}: rate limited", retry_after=self._retry_after(reply))
        if reply.status in (401, 403):
            raise AuthFailed(f"{where}: access refused (HTTP {reply.status}); is the API URL right?",
                             setting=URL_SETTING)
        if reply.status >= 500:
            raise Unavailable(f"{where}: HTTP {reply.status}")
        raise SourceError(f"{where}: HTTP {reply.status}")

    def _retry_after(self, reply: Reply) -> float:
        return httppolicy.retry_after(reply.headers, self.clock.now(), default=DEFAULT_RETRY_AFTER,
                                      maximum=MAX_RETRY_AFTER)

    def _mention(self, hit: dict[str, Any]) -> Mention | None:
        oid = str(hit["objectID"])
        author = hit.get("author")
        if not isinstance(author, str) or not author:
            return None
        tags = hit.get("_tags") if isinstance(hit.get("_tags"), list) else []
        is_comment = "comment" in tags or (hit.get("comment_text") is not None and not hit.get("title"))
        created = datetime.fromtimestamp(hit["created_at_i"], UTC).replace(tzinfo=None)
        raw = {k: v for k, v in hit.items() if k not in ("_highlightResult", "_snippetResult")}
        if is_comment:
            text = html_to_text(hit.get("comment_text") if isinstance(hit.get("comment_text"), str) else "")
            parent, story = hit.get("parent_id"), hit.get("story_id")
            reply_to = str(parent) if parent is not None else None
            thread = str(story) if story is not None else reply_to
        else:
            parts = [hit.get("title"), html_to_text(hit.get("story_text") or ""), hit.get("url")]
            text = "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
            reply_to, thread = None, oid
        return Mention(platform=PLATFORM, id=oid, author=author, author_id=author, text=text, created_at=created,
                       url=ITEM_URL + oid, reply_to_id=reply_to, thread_id=thread, lang_hint=None, raw=raw)


def create(config: Config, clock: Clock, session: aiohttp.ClientSession) -> list[HackerNewsCollector]:
    source = config.sources.hackernews
    if source is None or not source.enabled:
        return []
    collector = HackerNewsCollector(config, source, clock, session)
    return [collector] if collector.streams else []
