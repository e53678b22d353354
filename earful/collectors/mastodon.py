"""Mastodon collector: hashtag timelines, full-text search (with a token) and the brand's own statuses.

Endpoints (per instance in sources.mastodon.instances):
    GET /api/v1/timelines/tag/:hashtag          public (unless the instance disabled public preview);
                                                 one per tag in sources.mastodon.hashtags plus each brand keyword
                                                 written as a hashtag ("Acme Corp" -> #acmecorp)
    GET /api/v1/accounts/lookup?acct=            resolves each brand account (brand.accounts["mastodon"])
    GET /api/v1/accounts/:id/statuses            the brand's posts and replies (marks cases answered)
    GET /api/v2/search?q=&type=statuses          only with sources.mastodon.access_token, on the first instance
Paging: newest first, limit 40; `Link` rel="next" (older, max_id) / rel="prev" (newer, min_id). A first run
backfills backwards to source.backfill_hours before now, later runs walk forwards with min_id, so every
yielded page's cursor is safe to resume from. Boosts (reblog wrappers) are skipped.
Limits: 300 requests / 5 min per IP or token by default (instances differ). Headers X-RateLimit-Limit,
-Remaining, -Reset (ISO 8601); 429 {"error":"Too many requests"} -> RateLimited until the reset (<= 900 s).
Credentials: none for hashtag timelines; sources.mastodon.access_token = a user token (scope read:search,
read:statuses) from the FIRST instance for full-text search (needs Elasticsearch on that instance).
401 {"error":"The access token is invalid"} -> AuthFailed(setting="sources.mastodon.access_token").

Ids are "<instance host>:<status id>" (status ids are local to the instance that served them, so the same
federated post seen on two instances gets two ids; within one run the second copy is dropped by its uri).
Content is HTML and is reduced to plain text; a content warning (spoiler_text) is kept before the text.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from earful.clock import Clock, to_utc_naive
from earful.collectors.base import dump_cursor, load_cursor
from earful.collectors.htmltext import html_to_text
from earful.collectors.httpget import Reply, get, safe_url
from earful.config import Config, MastodonSource
from earful.errors import AuthFailed, MalformedPayload, RateLimited, SourceError, Unavailable
from earful.matcher import search_terms
from earful.model import Mention, Page

log = logging.getLogger(__name__)

PLATFORM = "mastodon"
TOKEN_SETTING = "sources.mastodon.access_token"
LIMIT = 40
MAX_RETRY_AFTER = 900.0
DEFAULT_RETRY_AFTER = 60.0
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([\w-]+)"?')


def _id_key(value: str) -> tuple[int, str]:
    return (len(value), value)  # numeric strings (and ULIDs) compare correctly this way


def hashtag(keyword: str) -> str:
    return re.sub(r"[\W]", "", keyword.lstrip("#"), flags=re.UNICODE).lower()


def parse_links(value: str | None) -> dict[str, dict[str, str]]:
    """Link header -> {rel: {query param: value}}."""
    out: dict[str, dict[str, str]] = {}
    for url, rel in _LINK.findall(value or ""):
        out[rel] = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    return out


def _newer(links: dict[str, dict[str, str]]) -> str | None:
    prev = links.get("prev", {})
    return prev.get("min_id") or prev.get("since_id")  # older servers page forwards with since_id


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return to_utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


class _Instance:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        parts = urlsplit(self.url if "://" in self.url else "https://" + self.url)
        if "://" not in self.url:
            self.url = "https://" + self.url
        self.host = parts.netloc.lower()
        self.hostname = (parts.hostname or "").lower()


class MastodonCollector:
    platform = PLATFORM

    def __init__(self, config: Config, source: MastodonSource, clock: Clock, session: aiohttp.ClientSession):
        self.key = PLATFORM
        self.source, self.clock, self.session = source, clock, session
        self.poll_interval = float(source.poll_seconds)
        self.instances = [_Instance(u) for u in source.instances]
        names = [inst.hostname for inst in self.instances]
        if len(set(names)) == len(names):
            # ids and cursors are keyed by host name alone, so a port change (a restarted sandbox, a proxy)
            # neither duplicates posts nor forgets where collection stopped
            for inst in self.instances:
                inst.host = inst.hostname
        self.token = config.secret(TOKEN_SETTING)
        tags = [hashtag(t) for t in source.hashtags]
        tags += [hashtag(k) for b in config.brands for k in b.keywords]
        self.tags = list(dict.fromkeys(t for t in tags if t))
        self.terms = list(dict.fromkeys(t for b in config.brands for t in search_terms(b, PLATFORM)))
        # brand accounts: how each configured handle is written (lower-case, no @)
        self.accounts = list(dict.fromkeys(h.lower().lstrip("@") for b in config.brands
                                           for h in b.accounts.get(PLATFORM, []) if h.strip("@ ")))
        self._account_ids: dict[tuple[str, str], str] = {}
        self._seen_uris: OrderedDict[str, None] = OrderedDict()
        self._threads: OrderedDict[str, str] = OrderedDict()
        self.state: dict[str, Any] = {}

    async def aclose(self) -> None:
        return None

    # -- the generator --------------------------------------------------------------------------
    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        self.state = load_cursor(cursor)
        errors: list[SourceError] = []
        for inst in self.instances:
            try:
                async for page in self._instance_pages(inst):
                    yield page
            except SourceError as exc:  # one instance failing must not starve the others
                log.warning("mastodon %s: %s", inst.host, exc)
                errors.append(exc)
        if errors:
            raise next((e for e in errors if isinstance(e, AuthFailed)), errors[0])

    async def _instance_pages(self, inst: _Instance) -> AsyncIterator[Page]:
        token = self.token if inst is self.instances[0] else None
        for tag in self.tags:
            async for page in self._stream(inst, f"tag:{tag}", f"/api/v1/timelines/tag/{tag}", {}, token):
                yield page
        for acct in self.accounts:
            home = self._home(acct)
            if home is not inst:
                continue
            account_id = await self._lookup(inst, acct, token)
            if account_id is None:
                continue
            async for page in self._stream(inst, f"account:{acct}", f"/api/v1/accounts/{account_id}/statuses",
                                           {}, token):
                yield page
        if token:
            for term in self.terms:
                async for page in self._stream(inst, f"search:{term}", "/api/v2/search",
                                               {"q": term, "type": "statuses"}, token, search=True):
                    yield page

    def _home(self, acct: str) -> _Instance:
        """The configured instance that holds an account: its own domain if configured, else the first."""
        domain = acct.split("@")[1] if "@" in acct else ""
        for inst in self.instances:
            if domain and domain in (inst.hostname, inst.host):
                return inst
        return self.instances[0]

    # -- one stream: backfill backwards once, then forwards ---------------------------------------
    async def _stream(self, inst: _Instance, name: str, path: str, params: dict[str, str], token: str | None,
                      search: bool = False) -> AsyncIterator[Page]:
        streams = self.state.setdefault(inst.host, {})
        st = dict(streams.get(name) or {})
        floor = _parse_time(st.get("floor")) or self.clock.now() - timedelta(hours=self.source.backfill_hours)
        st["floor"] = floor.isoformat()
        if not st.get("top"):
            statuses, links = await self._fetch(inst, name, path, params, token, search)
            if statuses is None:
                return
            ids = [s["id"] for s in statuses]
            kept = self._keep(statuses, floor)
            if ids:
                st["top"] = _newer(links) or max(ids, key=_id_key)
                reached_floor = len(kept) < len(statuses)
                st["low"] = None if reached_floor else (links.get("next", {}).get("max_id") or min(ids, key=_id_key))
            yield self._page(inst, name, st, kept)
        while st.get("low"):
            statuses, links = await self._fetch(inst, name, path, {**params, "max_id": st["low"]}, token, search)
            statuses = statuses or []
            kept = self._keep(statuses, floor)
            ids = [s["id"] for s in statuses]
            if not ids or len(kept) < len(statuses):
                st["low"] = None
            else:
                st["low"] = links.get("next", {}).get("max_id") or min(ids, key=_id_key)
            yield self._page(inst, name, st, kept)
        while st.get("top"):
            statuses, links = await self._fetch(inst, name, path, {**params, "min_id": st["top"]}, token, search)
            if not statuses:
                return
            ids = [s["id"] for s in statuses]
            newest = _newer(links) or max(ids, key=_id_key)
            if _id_key(newest) <= _id_key(st["top"]):
                return  # a server that ignores min_id must not loop us forever
            st["top"] = newest
            yield self._page(inst, name, st, self._keep(statuses, floor))
            if len(statuses) < LIMIT:
                return  # a short page going forwards means caught up (nothing is lost by stopping early)

    def _keep(self, statuses: list[dict[str, Any]], floor: datetime) -> list[dict[str, Any]]:
        return [s for s in statuses if (_parse_time(s.get("created_at")) or floor) >= floor]

    def _page(self, inst: _Instance, name: str, st: dict[str, Any], statuses: list[dict[str, Any]]) -> Page:
        self.state.setdefault(inst.host, {})[name] = {k: v for k, v in st.items() if v is not None}
        mentions = []
        for status in sorted(statuses, key=lambda s: _id_key(s["id"])):  # parents before replies
            mention = self._mention(inst, status)
            if mention is not None:
                mentions.append(mention)
        return Page(mentions, dump_cursor(self.state), note=f"{inst.host} {name}")

    # -- HTTP ------------------------------------------------------------------------------------
    async def _fetch(self, inst: _Instance, name: str, path: str, params: dict[str, str], token: str | None,
                     search: bool) -> tuple[list[dict[str, Any]] | None, dict[str, dict[str, str]]]:
        query = {**params, "limit": str(LIMIT)}
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        reply = await get(self.session, inst.url + path, params=query, headers=headers,
                          timeout=self.source.timeout_seconds)
        if reply.status == 404 and not search:
            log.info("mastodon %s %s: not found (no posts yet)", inst.host, name)
            return None, {}
        self._check(inst, reply, sent_token=bool(token))
        data = reply.json()
        if search:
            data = data.get("statuses") if isinstance(data, dict) else None
        if not isinstance(data, list):
            raise MalformedPayload(f"mastodon {inst.host} {name}: expected a list of statuses")
        statuses = [s for s in data if isinstance(s, dict) and isinstance(s.get("id"), str) and s["id"]]
        if len(statuses) < len(data):
            log.warning("mastodon %s %s: skipped %d malformed statuses", inst.host, name, len(data) - len(statuses))
        log.info("mastodon %s %s: %d statuses (rate remaining %s)", inst.host, name, len(statuses),
                 reply.headers.get("X-RateLimit-Remaining", "?"))
        return statuses, parse_links(reply.headers.get("Link"))

    def _check(self, inst: _Instance, reply: Reply, sent_token: bool) -> None:
        if reply.status < 300:
            return
        where = f"mastodon {safe_url(reply.url)}"
        if reply.status == 429:
            raise RateLimited(f"{where}: rate limited", retry_after=self._retry_after(reply))
        if reply.status in (401, 403):
            if sent_token:
                raise AuthFailed(f"{where}: the access token was rejected (HTTP {reply.status})", setting=TOKEN_SETTING)
            raise AuthFailed(f"{where}: the instance requires a user token (HTTP {reply.status})",
                             setting=TOKEN_SETTING)
        if reply.status >= 500:
            raise Unavailable(f"{where}: HTTP {reply.status}")
        raise SourceError(f"{where}: HTTP {reply.status}")

    def _retry_after(self, reply: Reply) -> float:
        reset = _parse_time(reply.headers.get("X-RateLimit-Reset"))
        if reset is None:
            return DEFAULT_RETRY_AFTER
        return min(MAX_RETRY_AFTER, max(1.0, (reset - self.clock.now()).total_seconds()))

    async def _lookup(self, inst: _Instance, acct: str, token: str | None) -> str | None:
        key = (inst.host, acct)
        if key in self._account_ids:
            return self._account_ids[key]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reply = await get(self.session, inst.url + "/api/v1/accounts/lookup", params={"acct": acct},
                          headers=headers, timeout=self.source.timeout_seconds)
        if reply.status == 404:
            log.warning("mastodon %s: brand account %s not found", inst.host, acct)
            return None
        self._check(inst, reply, sent_token=bool(token))
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise MalformedPayload(f"mastodon {inst.host}: account lookup without an id")
        log.info("mastodon %s: brand account %s is id %s", inst.host, acct, data["id"])
        self._account_ids[key] = data["id"]
        return data["id"]

    # -- records ---------------------------------------------------------------------------------
    def _author(self, inst: _Instance, acct: str) -> str:
        """The acct as the instance wrote it, unless it is one of the brand's accounts: then as configured."""
        acct = acct.lstrip("@")
        lower = acct.lower()
        forms = {lower}
        if "@" not in lower:
            forms |= {f"{lower}@{inst.hostname}", f"{lower}@{inst.host}"}
        elif lower.split("@", 1)[1] in (inst.hostname, inst.host):
            forms.add(lower.split("@", 1)[0])
        for handle in self.accounts:
            if handle in forms:
                return handle
        return acct

    def _mention(self, inst: _Instance, status: dict[str, Any]) -> Mention | None:
        if status.get("reblog"):
            return None  # a boost: the original is collected on its own
        created = _parse_time(status.get("created_at"))
        account = status.get("account") if isinstance(status.get("account"), dict) else {}
        acct = account.get("acct") or account.get("username")
        if created is None or not isinstance(acct, str) or not acct:
            log.warning("mastodon %s: skipped status %s without time or author", inst.host, status.get("id"))
            return None
        uri = status.get("uri")
        if isinstance(uri, str) and uri:
            if uri in self._seen_uris:
                return None
            self._remember(self._seen_uris, uri, None)
        sid = f"{inst.host}:{status['id']}"
        parent = status.get("in_reply_to_id")
        reply_to = f"{inst.host}:{parent}" if isinstance(parent, str) and parent else None
        thread = self._threads.get(reply_to) if reply_to else sid
        if thread is not None:
            self._remember(self._threads, sid, thread)
        text = html_to_text(status.get("content") if isinstance(status.get("content"), str) else "")
        spoiler = status.get("spoiler_text")
        if isinstance(spoiler, str) and spoiler.strip():
            text = f"{spoiler.strip()}\n\n{text}" if text else spoiler.strip()
        url = status.get("url") or uri
        lang = status.get("language")
        return Mention(
            platform=PLATFORM, id=sid, author=self._author(inst, acct),
            author_id=f"{inst.host}:{account['id']}" if account.get("id") else None,
            text=text, created_at=created, url=url if isinstance(url, str) else None,
            reply_to_id=reply_to, thread_id=thread, lang_hint=lang if isinstance(lang, str) and lang else None,
            raw=status)

    @staticmethod
    def _remember(cache: OrderedDict[str, Any], key: str, value: Any, bound: int = 20_000) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > bound:
            cache.popitem(last=False)


def create(config: Config, clock: Clock, session: aiohttp.ClientSession) -> list[MastodonCollector]:
    source = config.sources.mastodon
    if source is None or not source.enabled or not source.instances:
        return []
    return [MastodonCollector(config, source, clock, session)]
