"""Sandbox X API v2 recent search: ``GET /2/tweets/search/recent`` with app-only Bearer auth.

Speaks the wire format in ../shared/PLATFORMS.md section 1:

- auth: ``Authorization: Bearer <token>``; a wrong token is 401 (``about:blank`` problem), an app
  that is not enrolled (``enrolled=False``) is 403 ``client-not-enrolled``;
- parameters: ``query`` (<= 512 chars; see xquery.py for the operators), ``since_id`` / ``until_id``
  (exclusive), ``start_time`` (inclusive) / ``end_time`` (exclusive) as ``YYYY-MM-DDTHH:mm:ssZ``
  (IDs and times cannot be combined; both must be within the last 7 days), ``max_results`` 10..100
  (default 10), ``next_token``, ``tweet.fields``, ``expansions`` (``author_id``,
  ``referenced_tweets.id``, ``referenced_tweets.id.author_id``, ``in_reply_to_user_id``),
  ``user.fields``;
- 200 bodies: ``data`` newest first, ``includes.users`` / ``includes.tweets``, ``meta`` with
  ``newest_id``, ``oldest_id``, ``result_count`` and ``next_token`` (absent on the last page); an empty
  result is ``{"meta": {"result_count": 0}}`` with no ``data``;
- text as X sends it: ``&``, ``<``, ``>`` escaped as HTML entities, replies start with ``@parent``,
  posts over 280 characters are cut in ``text`` with the whole text in ``note_tweet.text``;
- ``x-rate-limit-limit`` / ``-remaining`` / ``-reset`` (epoch seconds of the sandbox clock) on every
  answer, counted per fixed 15-minute window; past the limit a 429 ``Too Many Requests`` problem
  (or, with ``rate_limit_shape="v1"``, ``{"errors":[{"code":88,...}]}``); ``monthly_cap`` posts
  served per UTC month, after which every search is 429 ``UsageCapExceeded``;
- 400 ``invalid-request`` problems naming the bad parameter.

Ids: tweet ids are snowflakes, ``(ms since 2010-11-04T01:42:54.657Z) << 22 | crc32(scenario id)``,
so they increase with time and are the same every run; user ids are numeric strings hashed from the
username. ``conversation_id`` is the thread root's id, replies carry ``referenced_tweets``
``replied_to`` and ``in_reply_to_user_id``.

    app = make_app(scenario, clock, faults, bearer_token="t", rate_limit=450, monthly_cap=None)
    app["extra_posts"].append(ScenarioPost(...))   # posts added at run time (tests)
    app["x_state"]                                  # counters: {"windows": {...}, "months": {...}}
"""

from __future__ import annotations

import hashlib
import html
import json
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from earful.clock import Clock, to_utc_naive
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost, base36
from earful.sandbox.server import application
from earful.sandbox.xquery import Node, QueryError, TweetView, parse

PATH = "/2/tweets/search/recent"
DEMO_BEARER = "sandbox-x-app-bearer-token"
DEMO_ENV = {"EARFUL_DEMO_X_BEARER_TOKEN": DEMO_BEARER}

EPOCH = datetime(1970, 1, 1)
TWEPOCH_MS = 1288834974657
WINDOW_SECONDS = 900
RECENT_DAYS = 7
MAX_TEXT = 280
CUT_TEXT = 270
PROBLEM = "application/problem+json"
TOO_MANY = {"title": "Too Many Requests", "type": "about:blank", "status": 429, "detail": "Too Many Requests"}

TWEET_FIELDS = {
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids",
    "entities", "geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics",
    "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
    "referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld"}
USER_FIELDS = {
    "affiliation", "connection_status", "created_at", "description", "entities", "id", "location",
    "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url", "profile_image_url",
    "protected", "public_metrics", "receives_your_dm", "subscription_type", "url", "username",
    "verified", "verified_type", "withheld"}
EXPANSIONS = {
    "attachments.poll_ids", "attachments.media_keys", "author_id", "edit_history_tweet_ids",
    "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "referenced_tweets.id",
    "referenced_tweets.id.author_id"}
KNOWN_PARAMS = {"query", "since_id", "until_id", "start_time", "end_time", "max_results", "next_token",
                "pagination_token", "sort_order", "tweet.fields", "user.fields", "expansions",
                "media.fields", "place.fields", "poll.fields"}


def epoch_seconds(when: datetime) -> int:
    return (when - EPOCH) // timedelta(seconds=1)


def tweet_id(post: ScenarioPost) -> str:
    """A snowflake id: increases with the post's time, low bits from the scenario id."""
    ms = (post.at - EPOCH) // timedelta(milliseconds=1) - TWEPOCH_MS
    return str((ms << 22) | (zlib.crc32(post.id.encode("utf-8")) & 0x3FFFFF))


def id_time(snowflake: int) -> datetime:
    return EPOCH + timedelta(milliseconds=(snowflake >> 22) + TWEPOCH_MS)


def user_id(username: str) -> str:
    digest = hashlib.sha256(("x-user:" + username.lower()).encode("utf-8")).digest()
    return str(10**15 + int.from_bytes(digest[:8], "big") % (9 * 10**17))


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _escape(text: str) -> str:
    return html.escape(text, quote=False)  # & < > only, as X does


def _problem(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type=PROBLEM, headers=headers or {})


def _invalid(parameter: str, value: str, message: str, headers: dict[str, str]) -> web.Response:
    return _problem(400, {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request"}, headers)


class _Post:
    """A scenario post rendered as an X post (ids, thread links, text as X sends it)."""

    def __init__(self, post: ScenarioPost, parent: ScenarioPost | None, root: ScenarioPost):
        self.post = post
        self.id = tweet_id(post)
        self.num = int(self.id)
        self.author = post.author.lstrip("@")
        self.author_id = user_id(self.author)
        self.parent = parent
        self.parent_id = tweet_id(parent) if parent else None
        self.parent_author = parent.author.lstrip("@") if parent else ""
        self.conversation_id = tweet_id(root)
        text = post.text
        if parent is not None and self.parent_author.lower() != self.author.lower() \
                and not text.lower().startswith("@" + self.parent_author.lower()):
            text = f"@{self.parent_author} {text}"  # X puts the replied-to handle in the text
        self.full_text = text
        self.view = TweetView(text=text, author=self.author, author_id=self.author_id,
                              conversation_id=self.conversation_id, lang=post.lang or "und",
                              is_reply=parent is not None, reply_to_user=self.parent_author,
                              reply_to_user_id=user_id(self.parent_author) if parent else "")

    def render(self, fields: set[str], replies: int) -> dict[str, Any]:
        text = self.full_text
        long = len(text) > MAX_TEXT
        if long:
            cut = text[:CUT_TEXT]
            space = cut.rfind(" ")
            text = cut[:space] if space > CUT_TEXT // 2 else cut
        out: dict[str, Any] = {"id": self.id, "text": _escape(text), "edit_history_tweet_ids": [self.id]}
        if "author_id" in fields:
            out["author_id"] = self.author_id
        if "created_at" in fields:
            out["created_at"] = _iso(self.post.at)
        if "conversation_id" in fields:
            out["conversation_id"] = self.conversation_id
        if "in_reply_to_user_id" in fields and self.parent is not None:
            out["in_reply_to_user_id"] = user_id(self.parent_author)
        if "referenced_tweets" in fields and self.parent_id is not None:
            out["referenced_tweets"] = [{"type": "replied_to", "id": self.parent_id}]
        if "lang" in fields:
            out["lang"] = self.post.lang or "und"
        if "public_metrics" in fields:
            h = zlib.crc32(("metrics:" + self.post.id).encode("utf-8"))
            out["public_metrics"] = {"retweet_count": h % 7, "reply_count": replies, "like_count": h % 53,
                                     "quote_count": h % 3, "bookmark_count": h % 5,
                                     "impression_count": 40 + h % 4000}
        if "possibly_sensitive" in fields:
            out["possibly_sensitive"] = False
        if "reply_settings" in fields:
            out["reply_settings"] = "everyone"
        if "note_tweet" in fields and long:
            out["note_tweet"] = {"text": _escape(self.full_text)}
        return out


def _user(username: str, fields: set[str], start: datetime) -> dict[str, Any]:
    uid = user_id(username)
    out: dict[str, Any] = {"id": uid, "name": username.replace("_", " ").title(), "username": username}
    h = int(uid)
    if "created_at" in fields:
        out["created_at"] = _iso(start - timedelta(days=30 + h % 3000))
    if "description" in fields:
        out["description"] = ""
    if "verified" in fields:
        out["verified"] = False
    if "protected" in fields:
        out["protected"] = False
    if "public_metrics" in fields:
        out["public_metrics"] = {"followers_count": h % 5000, "following_count": h % 700,
                                 "tweet_count": 1 + h % 20000, "listed_count": h % 30}
    if "profile_image_url" in fields:
        out["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg"
    return out


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _parse_time(value: str) -> datetime | None:
    """RFC 3339 (X documents YYYY-MM-DDTHH:mm:ssZ) to naive UTC; None if unreadable."""
    try:
        return to_utc_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


class _Invalid(Exception):
    def __init__(self, parameter: str, value: str, message: str):
        super().__init__(message)
        self.parameter, self.value, self.message = parameter, value, message


@dataclass
class _Search:
    """A validated search request."""

    expr: Node
    max_results: int
    fields: dict[str, set[str]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    times: dict[str, datetime] = field(default_factory=dict)
    fingerprint: int = 0
    below: int | None = None

    def admits(self, p: _Post) -> bool:
        if "since_id" in self.ids and p.num <= self.ids["since_id"]:
            return False
        if "until_id" in self.ids and p.num >= self.ids["until_id"]:
            return False
        if "start_time" in self.times and p.post.at < self.times["start_time"]:
            return False
        if "end_time" in self.times and p.post.at >= self.times["end_time"]:
            return False
        if self.below is not None and p.num >= self.below:
            return False
        return self.expr.matches(p.view)


class XSandbox:
    def __init__(self, scenario: Scenario, clock: Clock, *, bearer_token: str, enrolled: bool, rate_limit: int,
                 monthly_cap: int | None, rate_limit_shape: str, end_lag_seconds: float):
        self.scenario, self.clock = scenario, clock
        self.bearer_token, self.enrolled = bearer_token, enrolled
        self.rate_limit, self.monthly_cap = rate_limit, monthly_cap
        self.rate_limit_shape, self.end_lag = rate_limit_shape, end_lag_seconds
        self.extra: list[ScenarioPost] = []
        self.state: dict[str, Any] = {"windows": {}, "months": {}, "requests": 0}
        self._cache: dict[tuple[str, int], _Post] = {}

    # ---- posts -------------------------------------------------------------------------------
    def _posts(self, now: datetime) -> list[_Post]:
        extra = [p for p in self.extra if p.platform == "x"]
        everything = {p.id: p for p in self.scenario.for_platform("x") + extra}
        out = []
        for post in everything.values():
            if post.at > now:
                continue
            key = (post.id, id(post))
            rendered = self._cache.get(key)
            if rendered is None:
                parent = everything.get(post.reply_to) if post.reply_to else None
                rendered = self._cache[key] = _Post(post, parent, self._root(post, everything))
            out.append(rendered)
        return out

    @staticmethod
    def _root(post: ScenarioPost, everything: dict[str, ScenarioPost]) -> ScenarioPost:
        seen: set[str] = set()
        while post.reply_to and post.reply_to in everything and post.id not in seen:
            seen.add(post.id)
            post = everything[post.reply_to]
        return post

    # ---- limits ------------------------------------------------------------------------------
    def _rate_headers(self, now: datetime, count: int) -> dict[str, str]:
        window = epoch_seconds(now) // WINDOW_SECONDS * WINDOW_SECONDS
        return {"x-rate-limit-limit": str(self.rate_limit),
                "x-rate-limit-remaining": str(max(0, self.rate_limit - count)),
                "x-rate-limit-reset": str(window + WINDOW_SECONDS)}

    def _count_request(self, now: datetime) -> int:
        window = epoch_seconds(now) // WINDOW_SECONDS * WINDOW_SECONDS
        windows = self.state["windows"]
        windows[window] = windows.get(window, 0) + 1
        return windows[window]

    # ---- handler -----------------------------------------------------------------------------
    async def search(self, request: web.Request) -> web.Response:
        now = self.clock.now()
        self.state["requests"] += 1
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.bearer_token}":
            return _problem(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                  "detail": "Unauthorized"})
        if not self.enrolled:
            return _problem(403, {
                "client_id": "29876543", "detail": (
                    "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens "
                    "from a Twitter developer App that is attached to a Project. You can create a project via "
                    "the developer portal."),
                "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden"})
        count = self._count_request(now)
        headers = self._rate_headers(now, count)
        if count > self.rate_limit:
            if self.rate_limit_shape == "v1":
                return _problem(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, headers)
            return _problem(429, TOO_MANY, headers)
        month = now.strftime("%Y-%m")
        if self.monthly_cap is not None and self.state["months"].get(month, 0) >= self.monthly_cap:
            return _problem(429, {"account_id": 1234567, "product_name": "standard-basic",
                                  "title": "UsageCapExceeded", "period": "Monthly", "scope": "Product",
                                  "detail": "Usage cap exceeded: Monthly product cap",
                                  "type": "https://api.twitter.com/2/problems/usage-capped"}, headers)
        return self._search(request, now, headers, month)

    def _search(self, request: web.Request, now: datetime, headers: dict[str, str], month: str) -> web.Response:
        try:
            search = self._read_params(request.query, now)
        except _Invalid as bad:
            return _invalid(bad.parameter, bad.value, bad.message, headers)
        cutoff = now - timedelta(seconds=self.end_lag) if self.end_lag else now
        posts = self._posts(cutoff)
        replies: dict[str, int] = {}
        for p in posts:
            if p.parent_id:
                replies[p.parent_id] = replies.get(p.parent_id, 0) + 1
        oldest_allowed = now - timedelta(days=RECENT_DAYS)
        hits = sorted((p for p in posts if p.post.at >= oldest_allowed and search.admits(p)),
                      key=lambda p: p.num, reverse=True)
        page, more = hits[:search.max_results], len(hits) > search.max_results
        if self.monthly_cap is not None:
            self.state["months"][month] = self.state["months"].get(month, 0) + len(page)
        if not page:
            return web.json_response({"meta": {"result_count": 0}}, headers=headers)
        body = self._render(page, posts, replies, search)
        meta: dict[str, Any] = {"newest_id": page[0].id, "oldest_id": page[-1].id, "result_count": len(page)}
        if more:
            meta["next_token"] = self._encode_token(page[-1].num, search.fingerprint)
        body["meta"] = meta
        return web.json_response(body, headers=headers)

    def _read_params(self, q: Any, now: datetime) -> _Search:
        for name in q:
            if name not in KNOWN_PARAMS:
                raise _Invalid(name, q[name], f"The query parameter [{name}] is not one of "
                               f"[{','.join(sorted(KNOWN_PARAMS))}]")
        query = q.get("query", "")
        if not query:
            raise _Invalid("query", "", "The `query` query parameter can not be empty")
        if len(query) > 512:
            raise _Invalid("query", query, f"The `query` query parameter value [{query}] is not valid: "
                           "it must be at most 512 characters long")
        try:
            expr = parse(query)
        except QueryError as exc:
            raise _Invalid("query", query, str(exc)) from None
        raw_max = q.get("max_results", "10")
        if not raw_max.isdigit() or not 10 <= int(raw_max) <= 100:
            raise _Invalid("max_results", raw_max, f"The `max_results` query parameter value [{raw_max}] "
                           "is not between 10 and 100")
        search = _Search(expr=expr, max_results=int(raw_max))
        for param, allowed in (("tweet.fields", TWEET_FIELDS), ("user.fields", USER_FIELDS),
                               ("expansions", EXPANSIONS)):
            values = _split(q.get(param))
            for value in values:
                if value not in allowed:
                    raise _Invalid(param, value, f"The `{param}` query parameter value [{value}] is not one of "
                                   f"[{','.join(sorted(allowed))}]")
            search.fields[param] = set(values)
        oldest_allowed = now - timedelta(days=RECENT_DAYS)
        for name in ("since_id", "until_id"):
            if name in q:
                value = q[name]
                if not value.isdigit() or len(value) > 19:
                    raise _Invalid(name, value, f"The `{name}` query parameter value [{value}] does not match "
                                   "^[0-9]{1,19}$")
                if id_time(int(value)) < oldest_allowed:
                    raise _Invalid(name, value, f"Invalid '{name}':'{value}'. '{name}' must be a tweet id created "
                                   f"after {oldest_allowed.strftime('%Y-%m-%dT%H:%MZ')}")
                search.ids[name] = int(value)
        for name in ("start_time", "end_time"):
            if name in q:
                when = _parse_time(q[name])
                if when is None:
                    raise _Invalid(name, q[name], f"The `{name}` query parameter value [{q[name]}] is not a valid "
                                   "RFC3339 date-time")
                if when < oldest_allowed:
                    raise _Invalid(name, q[name], f"Invalid '{name}':'{q[name]}'. '{name}' must be on or after "
                                   f"{oldest_allowed.strftime('%Y-%m-%dT%H:%MZ')}")
                search.times[name] = when
        if search.ids and search.times:
            raise _Invalid(next(iter(search.ids)), "", "Invalid use of 'since_id' or 'until_id' in conjunction "
                           "with 'start_time' or 'end_time'.")
        if "start_time" in search.times and "end_time" in search.times \
                and search.times["start_time"] >= search.times["end_time"]:
            raise _Invalid("start_time", q["start_time"], "Invalid 'start_time': 'start_time' must be before "
                           "'end_time'")
        search.fingerprint = zlib.crc32("\x00".join([query, q.get("since_id", ""), q.get("until_id", ""),
                                                     q.get("start_time", ""), q.get("end_time", "")]).encode("utf-8"))
        name = "next_token" if "next_token" in q else "pagination_token"
        token = q.get(name)
        if token is not None:
            search.below = self._decode_token(token, search.fingerprint)
            if search.below is None:
                raise _Invalid(name, token, f"The `{name}` query parameter value [{token}] is not valid")
        return search

    def _render(self, page: list[_Post], posts: list[_Post], replies: dict[str, int],
                search: _Search) -> dict[str, Any]:
        tweet_fields = search.fields["tweet.fields"]
        expansions = search.fields["expansions"]
        render_fields = tweet_fields | ({"author_id"} if "author_id" in expansions else set()) \
            | ({"referenced_tweets"} if "referenced_tweets.id" in expansions else set())
        body: dict[str, Any] = {"data": [p.render(render_fields, replies.get(p.id, 0)) for p in page]}
        includes: dict[str, list[dict[str, Any]]] = {}
        users: dict[str, str] = {}
        if "author_id" in expansions:
            for p in page:
                users.setdefault(p.author_id, p.author)
        if "in_reply_to_user_id" in expansions:
            for p in page:
                if p.parent is not None:
                    users.setdefault(user_id(p.parent_author), p.parent_author)
        if {"referenced_tweets.id", "referenced_tweets.id.author_id"} & expansions:
            by_id = {p.id: p for p in posts}
            included: dict[str, dict[str, Any]] = {}
            for p in page:
                ref = by_id.get(p.parent_id or "")
                if ref is not None and ref.id not in included:
                    included[ref.id] = ref.render(tweet_fields, replies.get(ref.id, 0))
                    if "referenced_tweets.id.author_id" in expansions:
                        users.setdefault(ref.author_id, ref.author)
            if included:
                includes["tweets"] = list(included.values())
        if users:
            includes["users"] = [_user(name, search.fields["user.fields"], self.scenario.start)
                                 for name in users.values()]
        if includes:
            body["includes"] = includes
        return body

    @staticmethod
    def _encode_token(below: int, fingerprint: int) -> str:
        return "b26v" + base36(below).rjust(13, "0") + base36(fingerprint).rjust(7, "0")

    @staticmethod
    def _decode_token(token: str, fingerprint: int) -> int | None:
        if len(token) != 24 or not token.startswith("b26v"):
            return None
        try:
            below, check = int(token[4:17], 36), int(token[17:], 36)
        except ValueError:
            return None
        return below if check == fingerprint else None


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, *, bearer_token: str = DEMO_BEARER,
             enrolled: bool = True, rate_limit: int = 450, monthly_cap: int | None = None,
             rate_limit_shape: str = "problem", end_lag_seconds: float = 0.0) -> web.Application:
    """The X sandbox app. ``end_lag_seconds`` hides the newest posts like X's 30 s indexing delay."""
    sandbox = XSandbox(scenario, clock, bearer_token=bearer_token, enrolled=enrolled, rate_limit=rate_limit,
                       monthly_cap=monthly_cap, rate_limit_shape=rate_limit_shape, end_lag_seconds=end_lag_seconds)
    app = application(clock, faults)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["extra_posts"] = sandbox.extra
        app["x_state"] = sandbox.state
        app["x_sandbox"] = sandbox
    app.router.add_get(PATH, sandbox.search)
    return app


def demo_source(url: str) -> dict[str, Any]:
    """The [sources.x] table pointing the collector at a running sandbox."""
    return {"enabled": True, "bearer_token": {"env": "EARFUL_DEMO_X_BEARER_TOKEN"}, "api_url": url,
            "poll_seconds": 60, "backfill_hours": 24, "timeout_seconds": 10}
