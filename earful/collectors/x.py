"""X (Twitter) collector: API v2 recent search through tweepy's AsyncClient.

Endpoint: ``GET {api_url}/2/tweets/search/recent`` (tweepy always builds https://api.twitter.com URLs;
a per-request aiohttp client middleware rewrites that origin to ``sources.x.api_url``).

Credentials: an app-only Bearer token, ``sources.x.bearer_token`` (X developer App attached to a
Project with read access to recent search; pay-per-use credits today).

Queries, per brand (each <= 512 characters, split when longer):
  ``(kw OR "two words" OR @handle) -is:retweet -"exclusion"`` for mentions (exclusions are dropped
  rather than the keywords when space runs out: the pipeline's Matcher re-applies them), and
  ``(from:handle OR ...) -is:retweet`` for the brand's own posts and replies (they mark cases answered).
Fields: ``tweet.fields=author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang,
public_metrics,note_tweet``, ``expansions=author_id,referenced_tweets.id``,
``user.fields=username,name,verified``; ``max_results=100``.

Polling: newest first; the first run backfills ``start_time = now - backfill_hours`` (at most the 7
days recent search covers); later runs use ``since_id`` = ``meta.newest_id`` of the first page of the
previous run, kept fixed while following ``next_token`` (which never expires), so the cursor after
every page resumes exactly there. A 400 about a stale since_id/start_time/next_token (older than 7
days) restarts that query from a fresh backfill.

Limits: 450 requests per 15 min per app (x-rate-limit-* headers). A 429 becomes RateLimited with
``retry_after`` from ``x-rate-limit-reset`` (<= 900 s; 60 s if the header is missing); a reset a few
seconds away is waited for once with clock.sleep. Posts read are counted per UTC month against
``sources.x.monthly_post_cap`` in the cursor (Page.meta ``x_posts_read_month`` / ``x_cap``); at the
cap, and on X's own ``UsageCapExceeded``, collection stops with RateLimited ("budget exhausted").
401 -> AuthFailed(setting="sources.x.bearer_token"); 403 client-not-enrolled -> AuthFailed about the
App's project/access level; 5xx, timeouts (``timeout_seconds``), connection errors -> Unavailable;
unreadable bodies -> MalformedPayload.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import tweepy.errors
from tweepy.asynchronous import AsyncClient
from yarl import URL

from earful import httppolicy
from earful.clock import Clock, to_utc_naive
from earful.collectors.base import dump_cursor, load_cursor
from earful.config import Brand, Config, XSource
from earful.errors import (
    AuthFailed,
    ConfigError,
    MalformedPayload,
    RateLimited,
    SourceError,
    Unavailable,
)
from earful.matcher import search_terms
from earful.model import Mention, Page

log = logging.getLogger(__name__)

TWEEPY_ORIGIN = URL("https://api.twitter.com")
SETTING = "sources.x.bearer_token"
MAX_QUERY = 512
MAX_RESULTS = 100
MIN_RESULTS = 10
MAX_RETRY_AFTER = 900.0
DEFAULT_RETRY_AFTER = 60.0  # 429 without x-rate-limit-reset
SHORT_WAIT = 5.0            # a reset this close is waited for (once) instead of raising
RECENT_WINDOW = timedelta(days=7) - timedelta(minutes=5)
TWEET_FIELDS = ["author_id", "created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang",
                "public_metrics", "note_tweet"]
EXPANSIONS = ["author_id", "referenced_tweets.id"]
USER_FIELDS = ["username", "name", "verified"]
NO_LANG = {"und", "zxx", "qme", "qht", "qam", "qct", "qst"}
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SIMPLE_TERM = re.compile(r"^\w+$")
_BEARER = re.compile(r"(Bearer\s+)[^'\"\s,}]+")


class _RedactBearer(logging.Filter):
    """tweepy logs request headers at DEBUG, Authorization included: blank the token out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "Bearer" in record.msg:
            record.msg = _BEARER.sub(r"\1[redacted]", record.msg)
        return True


logging.getLogger("tweepy.asynchronous.client").addFilter(_RedactBearer())


# ---- queries ---------------------------------------------------------------------------------------

def _term(term: str) -> str | None:
    """One search term in X syntax: @handle, a bare word, or a "quoted phrase"."""
    term = term.strip()
    if re.fullmatch(r"@[A-Za-z0-9_]{1,50}|#\w+", term):
        return term
    term = " ".join(term.replace('"', " ").split())
    if not re.search(r"\w", term):
        return None
    if _SIMPLE_TERM.match(term) and term.upper() != "OR" and not term.startswith("_"):
        return term
    return f'"{term}"'


def _or_group(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def brand_queries(brand: Brand) -> list[str]:
    """Mention queries (keywords and @handles, exclusions) and the brand-accounts query, each <= 512 chars."""
    terms = [t for t in dict.fromkeys(_term(t) for t in search_terms(brand, "x")) if t]
    exclusions = [t for t in dict.fromkeys(_term(e) for e in brand.exclusions) if t and not t.startswith("@")]
    suffix_all = " -is:retweet" + "".join(f" -{e}" if e.startswith('"') else f' -"{e}"' for e in exclusions)
    queries: list[str] = []
    chunk: list[str] = []

    def build(items: list[str], suffix: str) -> str:
        return _or_group(items) + suffix

    def flush() -> None:
        if not chunk:
            return
        suffix = suffix_all
        while len(build(chunk, suffix)) > MAX_QUERY and suffix != " -is:retweet":
            suffix = suffix[:suffix.rindex(" -")]  # drop the last exclusion: the Matcher re-applies it
        queries.append(build(chunk, suffix))

    for term in terms:
        if len(build([term], " -is:retweet")) > MAX_QUERY:
            log.warning("x: brand %s: search term longer than X allows, skipped: %.40s...", brand.name, term)
            continue
        if chunk and len(build(chunk + [term], " -is:retweet")) > MAX_QUERY:
            flush()
            chunk = []
        chunk.append(term)
    flush()
    handles = [h.lstrip("@").split("@")[0] for h in brand.accounts.get("x", [])]
    froms = [f"from:{h}" for h in dict.fromkeys(handles) if re.fullmatch(r"[A-Za-z0-9_]{1,50}", h)]
    chunk = []
    for item in froms:
        if chunk and len(build(chunk + [item], " -is:retweet")) > MAX_QUERY:
            queries.append(build(chunk, " -is:retweet"))
            chunk = []
        chunk.append(item)
    if chunk:
        queries.append(build(chunk, " -is:retweet"))
    return queries


def _query_key(query: str) -> str:
    return hashlib.sha1(query.encode("utf-8")).hexdigest()[:16]


# ---- transport -----------------------------------------------------------------------------------

class _RoutedSession:
    """What tweepy sees as its session: the shared aiohttp session, with every request sent to api_url
    (via a client middleware) and given the source's timeout."""

    def __init__(self, session: aiohttp.ClientSession, api_url: str, timeout: float):
        self._session = session
        base = URL(api_url.rstrip("/"))
        if not base.is_absolute():
            raise ConfigError("sources.x.api_url", f"not an absolute URL: {api_url!r}", "use e.g. https://api.x.com")
        self._base = base
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # per-request middlewares replace the session's own: keep those first
        self._middlewares = (*tuple(getattr(session, "_middlewares", ()) or ()), self._rewrite)

    async def _rewrite(self, req: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        if req.url.origin() == TWEEPY_ORIGIN and self._base.origin() != TWEEPY_ORIGIN:
            path = self._base.path.rstrip("/") + req.url.path
            new = self._base.with_path(path, encoded=False).with_query(req.url.query)
            req.url = new
            req.headers["Host"] = new.host_port_subcomponent or ""
        return await handler(req)

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        kwargs.setdefault("raise_for_status", False)  # tweepy maps the statuses itself
        return self._session.request(method, url, middlewares=self._middlewares, **kwargs)


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _month(now: datetime) -> str:
    return now.strftime("%Y-%m")


def _next_month(now: datetime) -> datetime:
    return datetime(now.year + (now.month == 12), now.month % 12 + 1, 1)


def _unescape(text: str) -> str:
    """X escapes &, < and > in post text; undo exactly that (one pass, so "&amp;lt;" stays "&lt;")."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _created(value: Any) -> datetime:
    if not isinstance(value, str):
        raise MalformedPayload("x: post without created_at")
    try:
        return to_utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise MalformedPayload(f"x: unreadable created_at {value[:40]!r}") from None


def _clean(text: Any, limit: int = 200) -> str:
    """Platform text for our messages: one line, printable, short."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return text[:limit]


class XCollector:
    platform = "x"

    def __init__(self, source: XSource, bearer_token: str, queries: list[tuple[str, str]], clock: Clock,
                 session: aiohttp.ClientSession, *, key: str = "x"):
        self.key = key
        self.source = source
        self.poll_interval = float(source.poll_seconds)
        self.queries = queries  # (brand name, query)
        self.clock = clock
        self.cap = int(source.monthly_post_cap)
        self.client = AsyncClient(bearer_token=bearer_token, return_type=aiohttp.ClientResponse,
                                  wait_on_rate_limit=False)
        self.client.session = _RoutedSession(session, source.api_url, source.timeout_seconds)

    async def aclose(self) -> None:
        self.client.session = None  # the session belongs to the pipeline

    # ---- state ---------------------------------------------------------------------------------
    def _state(self, cursor: str | None) -> dict[str, Any]:
        raw = load_cursor(cursor)
        now = self.clock.now()
        month = _month(now)
        reads = raw.get("reads") if raw.get("month") == month else 0
        states = raw.get("q") if isinstance(raw.get("q"), dict) else {}
        keys = {_query_key(q) for _, q in self.queries}
        return {"v": 1, "month": month, "reads": reads if isinstance(reads, int) and reads >= 0 else 0,
                "q": {k: v for k, v in states.items() if k in keys and isinstance(v, dict)}}

    def _meta(self, state: dict[str, Any]) -> dict[str, Any]:
        return {"x_posts_read_month": state["reads"], "x_cap": self.cap}

    def _check_budget(self, state: dict[str, Any]) -> None:
        now = self.clock.now()
        if _month(now) != state["month"]:
            state["month"], state["reads"] = _month(now), 0
        if state["reads"] >= self.cap:
            wait = (_next_month(now) - now).total_seconds()
            raise RateLimited(
                f"x: monthly post budget exhausted: read {state['reads']} of {self.cap} posts in {state['month']} "
                f"(sources.x.monthly_post_cap); collection resumes {_next_month(now):%Y-%m-%d} UTC",
                retry_after=min(MAX_RETRY_AFTER, wait))

    # ---- pages ---------------------------------------------------------------------------------
    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        state = self._state(cursor)
        seen: set[str] = set()
        for brand, query in self.queries:
            key = _query_key(query)
            async for page in self._query_pages(brand, query, key, state, seen):
                yield page

    async def _query_pages(self, brand: str, query: str, key: str, state: dict[str, Any],
                           seen: set[str]) -> AsyncIterator[Page]:
        reset_once = False
        page_no = 0
        while True:
            qs = dict(state["q"].get(key) or {})
            params: dict[str, Any] = {}
            if qs.get("since_id"):
                params["since_id"] = str(qs["since_id"])
            else:
                params["start_time"] = self._start_time(qs.get("start_time"))
            if qs.get("next_token"):
                params["next_token"] = str(qs["next_token"])
            self._check_budget(state)
            try:
                body, headers = await self._search(query, params, state)
            except _StaleCursor as exc:
                if reset_once:
                    raise SourceError(f"x: search rejected twice for brand {brand}: {exc}") from None
                reset_once = True
                log.warning("x: brand %s: %s; restarting this query from a fresh backfill", brand, exc)
                state["q"][key] = {}
                continue
            data = body.get("data") or []
            meta = body.get("meta") or {}
            if not isinstance(data, list) or not isinstance(meta, dict):
                raise MalformedPayload("x: search answer without a data list / meta object")
            mentions = self._mentions(data, body.get("includes") or {}, seen)
            state["reads"] += len(data)
            next_token = meta.get("next_token")
            first_newest = qs.get("newest_id") if qs.get("next_token") else meta.get("newest_id")
            if next_token:
                new_qs = {"next_token": str(next_token), "newest_id": first_newest}
                new_qs.update({k: v for k, v in params.items() if k in ("since_id", "start_time")})
            elif first_newest:
                new_qs = {"since_id": str(first_newest)}
            else:  # nothing new at all: keep where we were
                new_qs = {k: v for k, v in params.items() if k in ("since_id", "start_time")}
            state["q"][key] = new_qs
            page_no += 1
            log.info("x: brand %s query %s page %d: %d posts (%d new), rate remaining %s, month reads %d/%d",
                     brand, key[:8], page_no, len(data), len(mentions),
                     headers.get("x-rate-limit-remaining", "?"), state["reads"], self.cap)
            yield Page(mentions, dump_cursor(state), note=f"{brand}: {len(mentions)} posts", meta=self._meta(state))
            if not next_token:
                return
            if headers.get("x-rate-limit-remaining") == "0":
                raise self._rate_limited(headers, "x: rate limit used up while paging")

    def _start_time(self, stored: Any) -> str:
        now = self.clock.now()
        earliest = now - RECENT_WINDOW
        start = now - timedelta(hours=self.source.backfill_hours)
        if isinstance(stored, str):
            try:
                start = to_utc_naive(datetime.fromisoformat(stored.replace("Z", "+00:00")))
            except ValueError:
                pass
        return max(start, earliest).strftime("%Y-%m-%dT%H:%M:%SZ")

    # ---- one request ---------------------------------------------------------------------------
    async def _search(self, query: str, params: dict[str, Any], state: dict[str, Any]
                      ) -> tuple[dict[str, Any], dict[str, str]]:
        max_results = max(MIN_RESULTS, min(MAX_RESULTS, self.cap - state["reads"]))
        waited = False
        while True:
            try:
                response = await self.client.search_recent_tweets(
                    query, max_results=max_results, tweet_fields=TWEET_FIELDS, expansions=EXPANSIONS,
                    user_fields=USER_FIELDS, **params)
            except tweepy.errors.TooManyRequests as exc:
                headers = _lower(exc.response.headers)
                problem = await _problem(exc)
                if problem.get("title") == "UsageCapExceeded" or "usage-capped" in str(problem.get("type", "")):
                    raise RateLimited(
                        f"x: monthly post budget exhausted: X answered UsageCapExceeded "
                        f"({_clean(problem.get('detail', 'usage cap exceeded'))}); "
                        f"raise the project's cap or wait for the next period", retry_after=MAX_RETRY_AFTER) from None
                limited = self._rate_limited(headers, "x: rate limited (429)")
                if not waited and limited.retry_after <= SHORT_WAIT and "x-rate-limit-reset" in headers:
                    waited = True
                    await self.clock.sleep(limited.retry_after)
                    continue
                raise limited from None
            except tweepy.errors.Unauthorized:
                raise AuthFailed("x: the bearer token was rejected (401 Unauthorized)", setting=SETTING) from None
            except tweepy.errors.Forbidden as exc:
                problem = await _problem(exc)
                if problem.get("reason") == "client-not-enrolled" or "client-forbidden" in str(problem.get("type", "")):
                    raise AuthFailed(
                        "x: 403 client-not-enrolled: the bearer token's App must belong to a Project with an access "
                        "level that includes recent search (X developer portal: attach the App to a Project and "
                        "buy pay-per-use credits or a tier with read access)", setting=SETTING) from None
                raise AuthFailed(f"x: access forbidden (403): {_clean(problem.get('detail', ''))}",
                                 setting=SETTING) from None
            except tweepy.errors.BadRequest as exc:
                problem = await _problem(exc)
                stale = {p for e in problem.get("errors", []) if isinstance(e, dict)
                         for p in (e.get("parameters") or {}) if isinstance(e.get("parameters"), dict)}
                detail = "; ".join(_clean(e.get("message", ""), 160) for e in problem.get("errors", [])
                                   if isinstance(e, dict)) or _clean(problem.get("detail", ""))
                if stale & {"since_id", "start_time", "next_token", "until_id", "end_time"}:
                    raise _StaleCursor(f"400 on {', '.join(sorted(stale))}: {detail}") from None
                err = SourceError(f"x: search request rejected (400 Invalid Request): {detail}; "
                                  f"check the brand keywords/exclusions that build the query")
                err.retryable = False
                raise err from None
            except tweepy.errors.TwitterServerError as exc:
                raise Unavailable(f"x: server error {exc.response.status}") from None
            except tweepy.errors.HTTPException as exc:
                raise Unavailable(f"x: unexpected HTTP status {exc.response.status}") from None
            except aiohttp.ContentTypeError as exc:  # an error answer that is not JSON
                if exc.status == 429:
                    raise self._rate_limited(_lower(exc.headers or {}), "x: rate limited (429)") from None
                if exc.status in (401, 403):
                    raise AuthFailed(f"x: credentials rejected ({exc.status})", setting=SETTING) from None
                raise Unavailable(f"x: HTTP {exc.status} with a non-JSON body") from None
            except aiohttp.ClientPayloadError as exc:
                raise MalformedPayload(f"x: truncated response ({exc.__class__.__name__})") from None
            except (asyncio.TimeoutError, TimeoutError):
                raise Unavailable(f"x: no answer within {self.source.timeout_seconds:g} s") from None
            except aiohttp.ClientError as exc:
                raise Unavailable(f"x: connection failed ({exc.__class__.__name__})") from None
            except (ValueError, AttributeError, TypeError) as exc:  # error bodies tweepy could not read
                raise MalformedPayload(f"x: unreadable error answer ({exc.__class__.__name__})") from None
            try:  # tweepy read the body inside its `async with`; json() reuses those bytes
                body = await response.json(content_type=None)
            except (ValueError, UnicodeDecodeError) as exc:
                raise MalformedPayload(f"x: bad JSON in search answer ({exc.__class__.__name__})") from None
            if not isinstance(body, dict):
                raise MalformedPayload("x: search answer is not a JSON object")
            return body, _lower(response.headers)

    def _rate_limited(self, headers: dict[str, str], message: str) -> RateLimited:
        wait = httppolicy.retry_after(headers, self.clock.now(), names=("x-rate-limit-reset",), extra=1.0,
                                      default=DEFAULT_RETRY_AFTER, maximum=MAX_RETRY_AFTER)
        return RateLimited(f"{message}; retry in {wait:.0f} s", retry_after=wait)

    # ---- records -------------------------------------------------------------------------------
    def _mentions(self, data: list[Any], includes: Any, seen: set[str]) -> list[Mention]:
        includes = includes if isinstance(includes, dict) else {}
        users = {u.get("id"): u for u in includes.get("users") or [] if isinstance(u, dict)}
        referenced = {t.get("id"): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
        out = []
        for tweet in data:
            if not isinstance(tweet, dict) or not isinstance(tweet.get("id"), str) or tweet["id"] in seen:
                continue
            seen.add(tweet["id"])
            try:
                out.append(_mention(tweet, users, referenced))
            except MalformedPayload as exc:  # one bad post must not block the source forever
                log.warning("x: skipped post %.25s: %s", tweet["id"], exc)
        return out


def _mention(tweet: dict[str, Any], users: dict[Any, Any], referenced: dict[Any, Any]) -> Mention:
    author_id = str(tweet["author_id"]) if tweet.get("author_id") is not None else None
    user = users.get(author_id) or {}
    username = str(user.get("username") or author_id or "").lstrip("@")
    note = tweet.get("note_tweet")  # posts over 280 characters: `text` is cut, the whole text is here
    text = note.get("text") if isinstance(note, dict) else None
    if not isinstance(text, str):
        text = tweet.get("text") if isinstance(tweet.get("text"), str) else ""
    refs = tweet.get("referenced_tweets") if isinstance(tweet.get("referenced_tweets"), list) else []
    reply_to = next((str(r.get("id")) for r in refs
                     if isinstance(r, dict) and r.get("type") == "replied_to" and r.get("id")), None)
    lang = tweet.get("lang")
    raw_includes: dict[str, Any] = {}
    if user:
        raw_includes["users"] = [user]
    if reply_to in referenced:
        raw_includes["tweets"] = [referenced[reply_to]]
    return Mention(
        platform="x", id=tweet["id"], author=username, author_id=author_id, text=_unescape(text),
        created_at=_created(tweet.get("created_at")), url=f"https://x.com/{username or 'i'}/status/{tweet['id']}",
        reply_to_id=reply_to, thread_id=str(tweet.get("conversation_id") or tweet["id"]),
        lang_hint=lang if isinstance(lang, str) and lang and lang not in NO_LANG else None,
        raw={"data": tweet, "includes": raw_includes})


class _StaleCursor(Exception):
    """X rejected since_id/start_time/next_token (e.g. older than 7 days)."""


async def _problem(exc: tweepy.errors.HTTPException) -> dict[str, Any]:
    """The JSON error body (tweepy read it already; aiohttp keeps the bytes)."""
    try:
        body = await exc.response.json(content_type=None)
    except (ValueError, UnicodeDecodeError, aiohttp.ClientError):
        return {}
    return body if isinstance(body, dict) else {}


def create(config: Config, clock: Clock, session: aiohttp.ClientSession) -> list[XCollector]:
    source = config.sources.x
    if source is None or not source.enabled:
        return []
    token = config.secret(SETTING)
    if not token:
        raise ConfigError(SETTING, "missing secret",
                          'add bearer_token = { env = "X_BEARER_TOKEN" } or set enabled = false')
    queries = [(brand.name, q) for brand in config.brands for q in brand_queries(brand)]
    if not queries:
        log.warning("x: no brand has keywords or X accounts; the X source collects nothing")
        return []
    return [XCollector(source, token, queries, clock, session)]
