"""Reddit collector: brand mentions in submissions and comments, through praw.

Endpoints (oauth.reddit.com, or ``oauth_url``; all listings newest first, 100 things a page,
paged with ``after``; Reddit serves about 1,000 things per listing at most):

    POST {reddit_url}/api/v1/access_token          token (prawcore: grant_type=password for a script
                                                    app with username/password, else client_credentials)
    GET  /search?q=...&sort=new&t=all&type=link    new submissions anywhere matching a brand's terms
    GET  /r/{a+b}/new                              every new submission in the configured subreddits
    GET  /r/{a+b}/comments                         every new comment there (the pipeline's matcher
                                                    filters them; Reddit search does not cover comments)
    GET  /user/{account}/comments?sort=new         the brand accounts' replies (they answer cases)

Search queries OR the terms from earful.matcher.search_terms (handles without "@", each query at
most 512 characters). Exclusions are applied only by the pipeline's matcher: Reddit's search stems
words, so ``NOT "pay"`` would also drop posts about "paying", which would under-fetch.

Cursor: per listing, the newest created_utc seen plus the names seen in an overlap window below it
(search results are indexed late), and while a walk down a listing is under way, its ``after``
anchor, so a restart resumes exactly where the last saved page ended. First run: back to
``backfill_hours`` before the clock's now.

Limits: 100 requests per minute per OAuth client (X-Ratelimit-Used / -Remaining / -Reset, reset in
seconds). prawcore would sleep in its worker thread to spread requests over the window and retry
5xx/timeouts with real sleeps; instead the requestor here takes the rate-limit headers for itself
(prawcore never sees them, so it never sleeps), keeps the budget on the injected clock, and turns
429, 5xx and transport failures straight into RateLimited/Unavailable for the pipeline to back off.
prawcore still handles an expired token (401 invalid_token: fetch a new token, retry once, at once).

Why praw's request() and not its listing generators (``subreddit.new()``, ``subreddit.search()``): those
walk a listing from the top with an ``after`` they keep to themselves, and stop at a count; this collector
must stop at its own cursor (created_utc plus an overlap window for late-indexed search results) and save
the ``after`` anchor with every stored page, so that a killed process resumes mid-walk without losing or
repeating anything. praw still does the OAuth flow, token refresh, the Reddit URL scheme and error mapping;
the listing JSON is read here (to_mention), and tests/test_conformance.py checks the sandbox with praw's own
listing generators.

Credentials: sources.reddit.client_id and client_secret (a "script" app from
https://www.reddit.com/prefs/apps), optionally username + password (the app developer's account).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import praw
import prawcore
import requests
from prawcore.sessions import FiniteRetryStrategy

from earful import httppolicy
from earful.clock import Clock
from earful.collectors.base import dump_cursor, load_cursor
from earful.config import Brand, Config, RedditSource
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

logger = logging.getLogger(__name__)

PATHS = {
    "search": "search/",
    "subreddit_new": "r/{subreddits}/new/",
    "subreddit_comments": "r/{subreddits}/comments/",
    "user_comments": "user/{user}/comments/",
}
PAGE_LIMIT = 100
MAX_QUERY = 512
MAX_SUBREDDITS_PER_LISTING = 50
MAX_RETRY_AFTER = 900.0
DEFAULT_RETRY_AFTER = 60.0
MAX_SEEN = 2000
PUBLIC_URL = "https://www.reddit.com"
RATE_HEADERS = ("x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset")
SETTING_SECRET = "sources.reddit.client_secret"
SETTING_PASSWORD = "sources.reddit.password"


def retry_after(headers: Any, now: datetime) -> float:
    """Seconds to wait from X-Ratelimit-Reset (seconds left in the window) and/or Retry-After, in [1, 900]."""
    return httppolicy.retry_after(headers, now, names=("x-ratelimit-reset", "retry-after"),
                                  default=DEFAULT_RETRY_AFTER, maximum=MAX_RETRY_AFTER)


class _Budget:
    """Reddit's rate-limit headers, kept on the injected clock (the requestor runs in a thread)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.remaining: float | None = None
        self.reset_at: datetime | None = None
        self._lock = threading.Lock()

    def observe(self, headers: Any) -> None:
        try:
            remaining = float(headers["x-ratelimit-remaining"])
            reset = float(headers["x-ratelimit-reset"])
        except (KeyError, TypeError, ValueError):
            return
        with self._lock:
            self.remaining = remaining
            self.reset_at = self.clock.now() + timedelta(seconds=max(0.0, reset))

    def check(self) -> None:
        with self._lock:
            if self.remaining is None or self.remaining >= 1 or self.reset_at is None:
                return
            wait = (self.reset_at - self.clock.now()).total_seconds()
            if wait <= 0:
                self.remaining = None
                return
        raise RateLimited("reddit: request budget used up for this window",
                          retry_after=min(MAX_RETRY_AFTER, max(1.0, wait)))


class _Requestor(prawcore.Requestor):
    """prawcore's HTTP layer with our timeout, our budget and no retries that sleep."""

    def __init__(self, *, budget: _Budget, **kwargs: Any):
        super().__init__(**kwargs)
        self._budget = budget

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        # prawcore passes its own 16 s default for API calls: the configured timeout wins
        self._budget.check()
        path = _path_of(args[1] if len(args) > 1 else kwargs.get("url", ""))
        try:
            response = super().request(*args, timeout=self.timeout, **kwargs)
        except prawcore.RequestException as exc:
            kind = type(exc.original_exception).__name__
            raise Unavailable(f"reddit {path}: {kind} (timeout {self.timeout:g} s)") from None
        self._budget.observe(response.headers)
        status = response.status_code
        if status == 429:
            raise RateLimited(f"reddit {path}: HTTP 429 Too Many Requests", retry_after=retry_after(response.headers, self._budget.clock.now()))
        for name in RATE_HEADERS:  # prawcore's RateLimiter would sleep on them
            response.headers.pop(name, None)
        if status >= 500 or status == 408:
            raise Unavailable(f"reddit {path}: HTTP {status}")
        return response


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0] if url else "?"


@dataclass(frozen=True)
class _ImmediateRetry(FiniteRetryStrategy):
    """One retry (used by prawcore after a 401 to fetch a new token), without sleeping."""

    retries: int = 1

    def _sleep_seconds(self) -> float | None:
        return None


class _ListingGone(Exception):
    """403/404/redirect for one listing (private, banned or missing subreddit or user)."""


@dataclass(frozen=True)
class Listing:
    key: str  # cursor key
    label: str  # for logs
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    overlap: float = 120.0  # seconds re-read below the newest seen (late indexing)


def _epoch(at: datetime) -> float:
    return at.replace(tzinfo=UTC).timestamp()


def _queries(brands: list[Brand]) -> list[str]:
    """OR-queries of every brand's terms, each at most 512 characters."""
    terms: list[str] = []
    for brand in brands:
        for term in search_terms(brand, "reddit"):
            term = term.lstrip("@").replace('"', " ").strip()
            if term and term.casefold() not in {t.casefold() for t in terms}:
                terms.append(term)
    queries, current = [], ""
    for term in terms:
        quoted = f'"{term[:MAX_QUERY - 2]}"'
        candidate = f"{current} OR {quoted}" if current else quoted
        if len(candidate) > MAX_QUERY:
            queries.append(current)
            candidate = quoted
        current = candidate
    if current:
        queries.append(current)
    return queries


def _clean_name(name: str, prefixes: tuple[str, ...]) -> str:
    name = name.strip().lstrip("@/")
    for prefix in prefixes:
        if name.lower().startswith(prefix):
            name = name[len(prefix):]
    return name.strip("/")


def build_listings(source: RedditSource, brands: list[Brand]) -> list[Listing]:
    listings = []
    for query in _queries(brands):
        digest = hashlib.sha1(query.encode()).hexdigest()[:12]
        listings.append(Listing(f"search:{digest}", f"search {query[:60]!r}", PATHS["search"],
                                {"q": query, "sort": "new", "t": "all", "type": "link"}, overlap=900.0))
    subs = sorted({_clean_name(s, ("r/",)).lower() for s in source.subreddits} - {""})
    for i in range(0, len(subs), MAX_SUBREDDITS_PER_LISTING):
        joined = "+".join(subs[i:i + MAX_SUBREDDITS_PER_LISTING])
        listings.append(Listing(f"new:{joined}", f"r/{joined}/new",
                                PATHS["subreddit_new"].format(subreddits=joined)))
        listings.append(Listing(f"comments:{joined}", f"r/{joined}/comments",
                                PATHS["subreddit_comments"].format(subreddits=joined)))
    users = sorted({_clean_name(a, ("u/", "user/")) for b in brands for a in b.accounts.get("reddit", [])} - {""},
                   key=str.lower)
    for user in users:
        listings.append(Listing(f"user:{user.lower()}", f"u/{user} comments",
                                PATHS["user_comments"].format(user=user), {"sort": "new"}))
    return listings


def to_mention(thing: Any) -> Mention | None:
    """A t3 submission or t1 comment as a Mention; anything else (or unusable) is None."""
    if not isinstance(thing, dict) or thing.get("kind") not in ("t1", "t3"):
        return None
    kind, data = thing["kind"], thing.get("data")
    if not isinstance(data, dict):
        return None
    created = data.get("created_utc")
    name = data.get("name") or (f"{kind}_{data['id']}" if isinstance(data.get("id"), str) else None)
    if not isinstance(name, str) or not isinstance(created, int | float) or isinstance(created, bool):
        return None
    permalink = data.get("permalink")
    url = PUBLIC_URL + permalink if isinstance(permalink, str) and permalink.startswith("/") else data.get("url")
    author = data.get("author") if isinstance(data.get("author"), str) else "[deleted]"
    if kind == "t3":
        title, body = str(data.get("title") or ""), str(data.get("selftext") or "")
        text = f"{title}\n\n{body}" if title and body else title or body
        reply_to, thread = None, name
    else:
        text = str(data.get("body") or "")
        reply_to = data.get("parent_id") if isinstance(data.get("parent_id"), str) else None
        thread = data.get("link_id") if isinstance(data.get("link_id"), str) else None
    return Mention(
        platform="reddit", id=name, author=author,
        author_id=data.get("author_fullname") if isinstance(data.get("author_fullname"), str) else None,
        text=text, created_at=datetime.fromtimestamp(float(created), UTC).replace(tzinfo=None),
        url=url if isinstance(url, str) else None, reply_to_id=reply_to, thread_id=thread, raw=thing)


def _children(payload: Any, label: str) -> tuple[list[Any], str | None]:
    if isinstance(payload, dict) and payload.get("error") == 429:  # sometimes sent with status 200
        raise RateLimited(f"reddit {label}: Too Many Requests (in a 200 answer)", retry_after=DEFAULT_RETRY_AFTER)
    if not isinstance(payload, dict) or payload.get("kind") != "Listing" or not isinstance(payload.get("data"), dict):
        raise MalformedPayload(f"reddit {label}: the answer is not a Listing")
    data = payload["data"]
    children = data.get("children")
    if not isinstance(children, list):
        raise MalformedPayload(f"reddit {label}: Listing without children")
    after = data.get("after")
    return children, after if isinstance(after, str) and after else None


class RedditCollector:
    platform = "reddit"

    def __init__(self, source: RedditSource, brands: list[Brand], clock: Clock, *, client_id: str,
                 client_secret: str, password: str | None = None, key: str = "reddit"):
        self.key = key
        self.source = source
        self.clock = clock
        self.poll_interval = float(source.poll_seconds)
        self.page_limit = PAGE_LIMIT
        self.listings = build_listings(source, brands)
        self._budget = _Budget(clock)
        self._http = requests.Session()
        self._lock = threading.Lock()
        script = bool(source.username and password)
        self._reddit = praw.Reddit(
            requestor_class=_Requestor,
            requestor_kwargs={"session": self._http, "timeout": float(source.timeout_seconds),
                              "budget": self._budget},
            client_id=client_id, client_secret=client_secret,
            username=source.username if script else None, password=password if script else None,
            user_agent=source.user_agent,
            oauth_url=source.oauth_url.rstrip("/"), reddit_url=source.reddit_url.rstrip("/"),
            check_for_updates=False, check_for_async=False, ratelimit_seconds=0)
        # prawcore retries with real sleeps (0-2 s, then 2-4 s); our requestor already fails fast on
        # 5xx and transport errors, so what is left to retry is a 401 after a fresh token: do it at once.
        for core in (self._reddit._read_only_core, self._reddit._authorized_core):
            if core is not None:
                core._retry_strategy_class = _ImmediateRetry

    # -- one request ---------------------------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any]) -> Any:
        """Runs in a worker thread: one praw request, prawcore's errors turned into earful's.

        The lock keeps a call whose caller was cancelled (its thread runs on until the timeout) from
        overlapping the next one on the same praw instance.
        """
        try:
            with self._lock:
                return self._reddit.request(method="GET", path=path, params=params)
        except SourceError:
            raise
        except prawcore.OAuthException as exc:
            if exc.error == "invalid_grant":
                raise AuthFailed("reddit rejected the username or password (invalid_grant)",
                                 setting=SETTING_PASSWORD) from None
            raise AuthFailed(f"reddit refused a token: {exc.error}", setting=SETTING_SECRET) from None
        except (prawcore.InvalidToken, prawcore.InsufficientScope) as exc:
            raise AuthFailed(f"reddit rejected a fresh access token ({type(exc).__name__})",
                             setting=SETTING_SECRET) from None
        except (prawcore.Forbidden, prawcore.NotFound, prawcore.Redirect) as exc:
            raise _ListingGone(f"{type(exc).__name__} (HTTP {exc.response.status_code})") from None
        except prawcore.TooManyRequests as exc:
            raise RateLimited("reddit: HTTP 429", retry_after=retry_after(exc.response.headers, self.clock.now())) from None
        except prawcore.BadJSON:
            raise MalformedPayload(f"reddit /{path}: the answer is not valid JSON") from None
        except prawcore.ResponseException as exc:
            status = exc.response.status_code
            if status in (401, 403) and "access_token" in (exc.response.url or ""):
                raise AuthFailed(f"reddit rejected the client id or secret (HTTP {status})",
                                 setting=SETTING_SECRET) from None
            raise Unavailable(f"reddit /{path}: HTTP {status}") from None
        except prawcore.PrawcoreException as exc:
            raise Unavailable(f"reddit /{path}: {type(exc).__name__}") from None
        except (ValueError, KeyError, TypeError) as exc:  # e.g. an unreadable token answer
            raise MalformedPayload(f"reddit /{path}: unexpected answer ({type(exc).__name__})") from None

    # -- paging ----------------------------------------------------------------------------------------
    async def pages(self, cursor: str | None) -> AsyncIterator[Page]:
        state = load_cursor(cursor)
        saved = state.get("listings") if isinstance(state.get("listings"), dict) else {}
        keys = {listing.key for listing in self.listings}
        states: dict[str, Any] = {k: v for k, v in saved.items() if k in keys and isinstance(v, dict)}
        emitted: set[str] = set()
        last = dump_cursor({"v": 1, "listings": states}) if cursor else None
        for listing in self.listings:
            async for mentions, done in self._walk(listing, states, emitted):
                new_cursor = dump_cursor({"v": 1, "listings": states})
                # an empty page in the middle of a walk is not worth a transaction; its end is
                if mentions or (done and new_cursor != last):
                    last = new_cursor
                    yield Page(mentions, new_cursor, note=listing.label)

    async def _walk(self, listing: Listing, states: dict[str, Any],
                    emitted: set[str]) -> AsyncIterator[tuple[list[Mention], bool]]:
        """Walk one listing from the newest thing down to the cursor; yields after each page."""
        st = states.get(listing.key) or {}
        try:
            ts = float(st["ts"])
            seen = {str(k): float(v) for k, v in dict(st.get("seen") or {}).items()}
        except (KeyError, TypeError, ValueError):
            ts = _epoch(self.clock.now() - timedelta(hours=self.source.backfill_hours))
            seen = {}
        walk = st.get("walk") if isinstance(st.get("walk"), dict) else None
        after = walk.get("after") if walk else None
        top = walk.get("top") if walk else None
        top = float(top) if isinstance(top, int | float) and not isinstance(top, bool) else None
        after = after if isinstance(after, str) else None
        floor = ts - listing.overlap if st else ts
        resumed = bool(after)
        while True:
            params = dict(listing.params, limit=self.page_limit)
            if after:
                params["after"] = after
            try:
                payload = await asyncio.to_thread(self._get, listing.path, params)
            except _ListingGone as exc:
                logger.warning("reddit %s skipped: %s", listing.label, exc)
                return
            children, next_after = _children(payload, listing.label)
            if resumed and not children:
                # the anchor we stopped at is gone: walk again from the top (repeats are harmless)
                resumed, after = False, None
                continue
            resumed = False
            mentions, reached_floor = [], False
            for thing in children:
                mention = to_mention(thing)
                if mention is None:
                    continue
                raw_created = float(thing["data"]["created_utc"])
                if raw_created < floor:
                    reached_floor = True
                    break
                if mention.id in seen:
                    continue
                seen[mention.id] = raw_created
                top = raw_created if top is None else max(top, raw_created)
                if mention.id not in emitted:
                    emitted.add(mention.id)
                    mentions.append(mention)
            logger.info("reddit %s: %d things, %d new%s", listing.label, len(children), len(mentions),
                        f", next page after {next_after}" if next_after and not reached_floor else "")
            done = reached_floor or not next_after or not children
            if done:
                ts = max(ts, top) if top is not None else ts
                keep = sorted(((c, n) for n, c in seen.items() if c >= ts - listing.overlap), reverse=True)
                states[listing.key] = {"ts": ts, "seen": {n: c for c, n in keep[:MAX_SEEN]}}
            else:
                states[listing.key] = {"ts": ts, "seen": seen, "walk": {"after": next_after, "top": top}}
            yield mentions, done
            if done:
                return
            after = next_after

    async def aclose(self) -> None:
        await asyncio.to_thread(self._http.close)


def create(config: Config, clock: Clock, session: aiohttp.ClientSession | None = None) -> list[RedditCollector]:
    """The Reddit collector for config.sources.reddit (praw makes its own HTTP session)."""
    source = config.sources.reddit
    if source is None or not source.enabled:
        return []
    client_id = config.secret("sources.reddit.client_id")
    client_secret = config.secret("sources.reddit.client_secret")
    if not client_id or not client_secret:
        missing = "client_id" if not client_id else "client_secret"
        raise ConfigError(f"sources.reddit.{missing}", "missing secret",
                          f'add {missing} = {{ env = "REDDIT_{missing.upper()}" }} or set enabled = false')
    password = config.secret("sources.reddit.password")
    if password and not source.username:
        raise ConfigError("sources.reddit.username", "a password is set but no username",
                          "add username = \"<the Reddit account of the app's developer>\"")
    return [RedditCollector(source, config.brands, clock, client_id=client_id, client_secret=client_secret,
                            password=password)]
