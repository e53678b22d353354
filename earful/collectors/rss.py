"""RSS/Atom collector: every entry of the configured feeds (the pipeline keeps those that name a brand).

Endpoints: the URLs in sources.rss.feeds (RSS 0.9x/1.0/2.0 and Atom, anything feedparser reads), fetched with
aiohttp as conditional GETs: the ETag and Last-Modified of the previous 200 are kept in the cursor and sent
back as If-None-Match / If-Modified-Since; 304 Not Modified costs nothing and yields nothing. The body is
parsed by feedparser from a byte stream (never from a string, which feedparser could take for a file name).
Entries: id = Atom id / RSS guid, else the link (else a hash of feed, title and summary); text = title, a
blank line, the summary (HTML stripped); time = published, else updated, else when first seen. A first run
keeps entries from the last source.backfill_hours (undated ones too); later runs yield only entries not seen
before (ids of recent entries live in the cursor). One page per feed (large feeds in pages of 100).
Malformed XML: feedparser's lenient mode ("bozo") still yields what it can; broken entries are skipped and
MalformedPayload is raised only when nothing parses. A failing feed does not stop the others: its error is
raised after the other feeds were read.
Limits: none beyond politeness (poll_seconds). 429 -> RateLimited (Retry-After or 300 s, at most 900 s);
401/403 -> AuthFailed naming sources.rss.feeds[<n>]; 5xx, timeouts -> Unavailable. Credentials: none.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import feedparser

from earful import httppolicy
from earful.clock import Clock
from earful.collectors.base import dump_cursor, load_cursor
from earful.collectors.htmltext import html_to_text
from earful.collectors.httpget import Reply, get, safe_url
from earful.config import Config, RssSource
from earful.errors import (
    AuthFailed,
    MalformedPayload,
    RateLimited,
    SourceError,
    Unavailable,
)
from earful.model import Mention, Page

log = logging.getLogger(__name__)

PLATFORM = "rss"
PAGE_SIZE = 100
SEEN_KEEP = 1000
DEFAULT_RETRY_AFTER = 300.0
MAX_RETRY_AFTER = 900.0
USER_AGENT = "earful/0.1 (self-hosted brand monitor; feed reader)"
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).replace(tzinfo=None) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def _detail_text(value: Any, detail: Any) -> str:
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "text/html") if isinstance(detail, dict) else "text/html"
    return value.strip(" \t\r\n") if kind == "text/plain" else html_to_text(value)


class RssCollector:
    platform = PLATFORM

    def __init__(self, config: Config, source: RssSource, clock: Clock, session: aiohttp.ClientSession):
        self.key = PLATFORM
        self.source, self.clock, self.session = source, clock, session
        self.poll_interval = float(source.poll_seconds)
        self.feeds = list(dict.fromkeys(u.strip() for u in source.feeds if u.strip()))
        self.state: dict[str, Any] = {}

    async def aclose(self) -> None:
        return None

    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        self.state = load_cursor(cursor)
        errors: list[SourceError] = []
        for index, url in enumerate(self.feeds):
            try:
                pages = await self._feed(index, url)
            except SourceError as exc:  # one broken feed must not starve the others
                log.warning("rss %s: %s", safe_url(url), exc)
                errors.append(exc)
                continue
            for page in pages:
                yield page
        if errors:
            raise next((e for e in errors if isinstance(e, AuthFailed)), errors[0])

    async def _feed(self, index: int, url: str) -> list[Page]:
        st = dict(self.state.get(url) or {})
        floor = None
        if st.get("floor"):
            try:
                floor = datetime.fromisoformat(st["floor"])
            except ValueError:
                floor = None
        floor = floor or self.clock.now() - timedelta(hours=self.source.backfill_hours)
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
        if st.get("etag"):
            headers["If-None-Match"] = st["etag"]
        if st.get("modified"):
            headers["If-Modified-Since"] = st["modified"]
        reply = await get(self.session, url, headers=headers, timeout=self.source.timeout_seconds)
        if reply.status == 304:
            log.info("rss %s: not modified", safe_url(url))
            return []
        self._check(index, url, reply)
        parsed = feedparser.parse(io.BytesIO(reply.body), response_headers={
            "content-type": reply.headers.get("Content-Type", "application/xml"),
            "content-location": str(reply.url), "content-language": reply.headers.get("Content-Language", "")})
        entries = list(parsed.get("entries") or [])
        if parsed.get("bozo") and not entries:
            problem = type(parsed.get("bozo_exception")).__name__
            raise MalformedPayload(f"rss {safe_url(url)}: not a readable feed ({problem})")
        if parsed.get("bozo"):
            log.warning("rss %s: feed is not well-formed; read leniently", safe_url(url))
        seen = list(st.get("seen") or [])
        known = set(seen)
        feed_info = parsed.get("feed") or {}
        mentions: list[Mention] = []
        skipped = 0
        for entry in reversed(entries):  # feeds list newest first; store oldest first
            mention = self._mention(url, entry, feed_info)
            if mention is None:
                skipped += 1
                continue
            if mention.id in known:
                continue
            known.add(mention.id)
            seen.append(mention.id)
            dated = mention.raw.get("dated") if mention.raw else False
            if dated and mention.created_at < floor:
                continue
            mentions.append(mention)
        log.info("rss %s: %d entries, %d new, %d broken (HTTP %s)", safe_url(url), len(entries), len(mentions),
                 skipped, reply.status)
        keep = max(SEEN_KEEP, 3 * len(entries))
        final = {"floor": floor.isoformat(), "seen": seen[-keep:], "etag": reply.headers.get("ETag"),
                 "modified": reply.headers.get("Last-Modified")}
        pages = []
        chunks = [mentions[i:i + PAGE_SIZE] for i in range(0, len(mentions), PAGE_SIZE)] or [[]]
        done: list[str] = list(st.get("seen") or [])
        for n, chunk in enumerate(chunks):
            if n == len(chunks) - 1:
                self.state[url] = {k: v for k, v in final.items() if v}
            else:  # until the last chunk is stored, the next run must fetch the feed again
                done += [m.id for m in chunk]
                self.state[url] = {k: v for k, v in {**st, "floor": floor.isoformat(), "seen": done[-keep:],
                                                     "etag": st.get("etag"), "modified": st.get("modified")}.items()
                                   if v}
            pages.append(Page(chunk, dump_cursor(self.state), note=safe_url(url)))
        return pages

    def _check(self, index: int, url: str, reply: Reply) -> None:
        if 200 <= reply.status < 300:
            return
        where = f"rss {safe_url(url)}"
        if reply.status == 429:
            raise RateLimited(f"{where}: rate limited", retry_after=self._retry_after(reply))
        if reply.status in (401, 403):
            raise AuthFailed(f"{where}: access refused (HTTP {reply.status})", setting=f"sources.rss.feeds[{index}]")
        if reply.status >= 500:
            raise Unavailable(f"{where}: HTTP {reply.status}")
        raise SourceError(f"{where}: HTTP {reply.status}")

    def _retry_after(self, reply: Reply) -> float:
        return httppolicy.retry_after(reply.headers, self.clock.now(), default=DEFAULT_RETRY_AFTER,
                                      maximum=MAX_RETRY_AFTER)

    def _mention(self, url: str, entry: Any, feed: Any) -> Mention | None:
        title = _detail_text(entry.get("title"), entry.get("title_detail"))
        summary = _detail_text(entry.get("summary"), entry.get("summary_detail"))
        if not summary and entry.get("content"):
            first = entry["content"][0]
            summary = _detail_text(first.get("value"), first)
        link = entry.get("link") if isinstance(entry.get("link"), str) else None
        ident = entry.get("id") if isinstance(entry.get("id"), str) and entry.get("id").strip() else None
        if not (title or summary):
            return None  # nothing to read: a broken or empty entry
        key = ident or link or "sha1:" + hashlib.sha1(f"{url}\n{title}\n{summary}".encode()).hexdigest()
        text = title if not summary or summary == title else (f"{title}\n\n{summary}" if title else summary)
        # dict.get: FeedParserDict maps a missing "updated" to "published" with a DeprecationWarning
        when = _time(dict.get(entry, "published_parsed")) or _time(dict.get(entry, "updated_parsed"))
        author = entry.get("author") if isinstance(entry.get("author"), str) and entry.get("author").strip() else None
        author = author or (feed.get("title") if isinstance(feed.get("title"), str) else None) or \
            (urlsplit(url).hostname or url)
        lang = None
        for detail in (entry.get("summary_detail"), entry.get("title_detail")):
            if isinstance(detail, dict) and detail.get("language"):
                lang = detail["language"]
                break
        lang = lang or (feed.get("language") if isinstance(feed.get("language"), str) else None)
        raw = {"feed": url, "id": ident, "link": link, "title": entry.get("title"), "summary": entry.get("summary"),
               "author": entry.get("author"), "published": dict.get(entry, "published"),
               "updated": dict.get(entry, "updated"),
               "tags": [t.get("term") for t in entry.get("tags") or [] if isinstance(t, dict)],
               "dated": when is not None}
        return Mention(platform=PLATFORM, id=key, author=author, text=text, created_at=when or self.clock.now(),
                       url=link, author_id=None, reply_to_id=None, thread_id=None, lang_hint=lang or None, raw=raw)


def create(config: Config, clock: Clock, session: aiohttp.ClientSession) -> list[RssCollector]:
    source = config.sources.rss
    if source is None or not source.enabled or not source.feeds:
        return []
    return [RssCollector(config, source, clock, session)]
