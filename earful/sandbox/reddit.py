"""Sandbox Reddit: OAuth token endpoint and read-only listings in Reddit's wire format.

One aiohttp app plays both www.reddit.com (token endpoint) and oauth.reddit.com (listings): point
praw at it with ``oauth_url`` and ``reddit_url``. Scenario posts for platform "reddit" appear once
the clock reaches their time:

- a post without ``reply_to`` is a submission (t3) in ``r/<community>``;
- a reply is a comment (t1) whose ``parent_id`` is the post it answers (t1_ or t3_) and whose
  ``link_id`` is the root submission.

Ids are base36, derived from the scenario id (stable across runs). Endpoints (paths with or
without the trailing slash praw adds):

    POST /api/v1/access_token      HTTP Basic client_id:secret; grant_type password | client_credentials
    GET  /search                   site-wide search: q, sort, t, limit, after/before
    GET  /r/{sub}/search           restrict_sr=1 limits to the subreddit ("all" is site-wide)
    GET  /r/{sub}/new              newest submissions ({sub} may be a multireddit a+b, or all)
    GET  /r/{sub}/comments         newest comments
    GET  /user/{name}/comments     newest comments by a user
    GET  /api/info                 id=<fullname>,<fullname>...

A listing of a subreddit that does not exist (none of a multireddit's parts exists) is 302 with
``Location: https://www.reddit.com/subreddits/search.json?q=<name>``, as Reddit redirects it (prawcore turns
302 into prawcore.Redirect: praw-dev/prawcore sessions.py STATUS_EXCEPTIONS, exceptions.py Redirect).
Errors as Reddit sends them: bad client 401 ``{"message": "Unauthorized", "error": 401}``; bad
password 200 ``{"error": "invalid_grant"}``; missing or expired token 401 with
``www-authenticate: Bearer realm="reddit", error="invalid_token"``; over budget 429
``{"message": "Too Many Requests", "error": 429}``. Every response carries X-Ratelimit-Used,
X-Ratelimit-Remaining and X-Ratelimit-Reset (window of ``ratelimit_window`` seconds on the clock).
Text is HTML-escaped (&amp; &lt; &gt;) unless the request has raw_json=1, as on Reddit.

Tests may append posts at run time to ``app["extra_posts"]`` (ScenarioPost objects or scenario-format
dicts) and call ``expire_tokens(app)`` to make every issued token invalid; ``fullname(scenario, id)``
predicts the fullname a scenario post gets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import itertools
import json
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from earful.clock import Clock
from earful.sandbox.faults import Faults
from earful.sandbox.scenario import Scenario, ScenarioPost, base36
from earful.sandbox.server import application

DEMO_ENV: dict[str, str] = {
    "EARFUL_DEMO_REDDIT_CLIENT_ID": "earful-demo-client",
    "EARFUL_DEMO_REDDIT_SECRET": "earful-demo-secret",
    "EARFUL_DEMO_REDDIT_PASSWORD": "earful-demo-password",
}
DEMO_USERNAME = "earful_demo"

_UNAUTHORIZED = {"message": "Unauthorized", "error": 401}
_TOO_MANY = {"message": "Too Many Requests", "error": 429}
_INVALID_TOKEN = 'Bearer realm="reddit", error="invalid_token"'
_TIME_FILTERS = {"hour": 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400, "year": 366 * 86400}
_ESCAPED_FIELDS = ("title", "selftext", "body", "link_title")




def derive_id(key: str) -> str:
    """A stable base36 id (7 characters or fewer) for a scenario id."""
    return base36(int(hashlib.sha256(key.encode()).hexdigest()[:9], 16))


def fullname(scenario: Scenario, post_id: str, extra: list[Any] | None = None) -> str:
    """The fullname (t3_/t1_) the sandbox gives a scenario post (or one of ``extra``): tests use it."""
    posts = {p.id: p for p in [*scenario.for_platform("reddit"), *(to_post(scenario, e) for e in extra or [])]}
    post = posts[post_id]
    kind = "t1" if post.reply_to and post.reply_to in posts else "t3"
    return f"{kind}_{derive_id(post.id)}"


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "_".join(words)[:50].rstrip("_")
    return slug or "post"


def _epoch(at: datetime) -> float:
    return at.replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True, slots=True)
class Thing:
    kind: str  # t1 | t3
    name: str
    post: ScenarioPost
    data: dict[str, Any]

    @property
    def created(self) -> float:
        return float(self.data["created_utc"])


def to_post(scenario: Scenario, value: ScenarioPost | dict[str, Any]) -> ScenarioPost:
    if isinstance(value, ScenarioPost):
        return value
    minute = float(value.get("minute", 0))
    return ScenarioPost(
        id=value["id"], platform=value.get("platform", "reddit"), minute=minute, author=value["author"],
        text=value["text"], lang=value.get("lang", "und"), label=value.get("label", "other"),
        at=scenario.start + timedelta(minutes=minute), title=value.get("title"),
        reply_to=value.get("reply_to"), community=value.get("community"))


def build_things(scenario: Scenario, extra: list[Any], default_subreddit: str) -> list[Thing]:
    """Every Reddit thing of the scenario (visible or not yet), newest first."""
    posts = [*scenario.for_platform("reddit"), *(to_post(scenario, e) for e in extra)]
    posts = [p for p in posts if p.platform == "reddit"]
    by_id = {p.id: p for p in posts}

    def root(post: ScenarioPost) -> ScenarioPost:
        seen: set[str] = set()
        while post.reply_to in by_id and post.id not in seen:
            seen.add(post.id)
            post = by_id[post.reply_to]  # type: ignore[index]
        return post

    def is_comment(post: ScenarioPost) -> bool:
        return bool(post.reply_to) and post.reply_to in by_id and root(post) is not post

    things: list[Thing] = []
    for post in posts:
        rid = derive_id(post.id)
        created = _epoch(post.at)
        author = {"author": post.author, "author_fullname": "t2_" + derive_id("user:" + post.author.lower())}
        score = int(hashlib.sha256(post.id.encode()).hexdigest()[:2], 16) % 50
        if not is_comment(post):
            sub = post.community or default_subreddit
            title = post.title or (post.text if len(post.text) <= 300 else post.text[:297] + "...")
            selftext = post.text if (post.title or len(post.text) > 300) else ""
            permalink = f"/r/{sub}/comments/{rid}/{_slug(title)}/"
            data = {
                "id": rid, "name": f"t3_{rid}", "title": title, "selftext": selftext,
                "selftext_html": (f'<!-- SC_OFF --><div class="md"><p>{html.escape(selftext, quote=False)}</p>'
                                  "</div><!-- SC_ON -->") if selftext else None,
                **author, "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}",
                "subreddit_id": "t5_" + derive_id("sub:" + sub.lower()),
                "created_utc": created, "created": created, "permalink": permalink,
                "url": "https://www.reddit.com" + permalink, "domain": f"self.{sub}", "is_self": True,
                "score": score, "ups": score, "num_comments": 0, "over_18": False, "edited": False,
            }
            things.append(Thing("t3", f"t3_{rid}", post, data))
            continue
        top = root(post)
        parent = by_id[post.reply_to]  # type: ignore[index]
        things.append(Thing("t1", f"t1_{rid}", post, {"id": rid, "_root": top.id, "_parent": parent.id,
                                                       "created_utc": created, **author, "score": score}))
    # second pass: comments need their root submission's data
    by_post = {t.post.id: t for t in things}
    done: list[Thing] = []
    for thing in things:
        if thing.kind == "t3":
            done.append(thing)
            continue
        data = dict(thing.data)
        top = by_post[data.pop("_root")]
        parent = by_post[data.pop("_parent")]
        sub = top.data["subreddit"]
        permalink = f"{top.data['permalink']}{data['id']}/"
        data.update({
            "name": thing.name, "body": thing.post.text,
            "body_html": f'<div class="md"><p>{html.escape(thing.post.text, quote=False)}</p></div>',
            "subreddit": sub, "subreddit_name_prefixed": f"r/{sub}", "subreddit_id": top.data["subreddit_id"],
            "link_id": top.name, "parent_id": parent.name, "link_title": top.data["title"],
            "link_permalink": top.data["url"], "link_author": top.data["author"],
            "permalink": permalink, "created": data["created_utc"], "ups": data["score"], "edited": False,
            "is_submitter": thing.post.author == top.post.author,
        })
        done.append(Thing("t1", thing.name, thing.post, data))
    counts: dict[str, int] = {}
    for thing in done:
        if thing.kind == "t1":
            link = thing.data["link_id"]
            counts[link] = counts.get(link, 0) + 1
    for thing in done:
        if thing.kind == "t3":
            thing.data["num_comments"] = counts.get(thing.name, 0)
    done.sort(key=lambda t: (t.created, int(t.data["id"], 36)), reverse=True)
    return done


def _parse_query(q: str) -> tuple[list[str], list[str]]:
    """Reddit search, simplified: OR-ed words or "quoted phrases"; NOT excludes the next term."""
    tokens = re.findall(r'"([^"]*)"|(\S+)', q)
    include: list[str] = []
    exclude: list[str] = []
    negate = False
    for quoted, bare in tokens:
        term = (quoted or bare).strip("()").casefold()
        if not quoted and bare in ("OR", "AND"):
            continue
        if not quoted and bare == "NOT":
            negate = True
            continue
        if term:
            (exclude if negate else include).append(term)
        negate = False
    return include, exclude


def _search_matches(thing: Thing, include: list[str], exclude: list[str]) -> bool:
    text = (thing.data.get("title", "") + "\n" + thing.data.get("selftext", "")).casefold()
    if any(term in text for term in exclude):
        return False
    return not include or any(term in text for term in include)


class RedditSandbox:
    def __init__(self, scenario: Scenario, clock: Clock, *, client_id: str, client_secret: str,
                 username: str | None, password: str, token_ttl: int, ratelimit: int, ratelimit_window: int,
                 default_subreddit: str, subreddits: tuple[str, ...] = ()):
        self.scenario, self.clock = scenario, clock
        self.subreddits = subreddits
        self.client_id, self.client_secret = client_id, client_secret
        self.username, self.password = username, password
        self.token_ttl = token_ttl
        self.ratelimit, self.window = ratelimit, ratelimit_window
        self.default_subreddit = default_subreddit
        self.tokens: dict[str, datetime] = {}
        self.extra: list[Any] = []
        self._counter = itertools.count(1)
        self._window_start: float | None = None
        self.used = 0
        self._cache: tuple[int, list[Thing]] | None = None

    # -- data ---------------------------------------------------------------------------------------
    def things(self) -> list[Thing]:
        """Visible things, newest first."""
        if self._cache is None or self._cache[0] != len(self.extra):
            self._cache = (len(self.extra), build_things(self.scenario, self.extra, self.default_subreddit))
        now = _epoch(self.clock.now())
        return [t for t in self._cache[1] if t.created <= now]

    def exists(self, sub: str) -> bool:
        """A subreddit (or any part of a multireddit a+b) that exists: all, popular, the default one, one the
        scenario posts in (now or later), or one named in the ``subreddits`` option."""
        self.things()
        known = {"all", "popular", self.default_subreddit.lower(), *(s.lower() for s in self.subreddits)}
        known |= {t.data["subreddit"].lower() for t in self._cache[1] if t.kind == "t3"}  # type: ignore[index]
        return bool(set(sub.lower().split("+")) & known)

    def redirect_unknown(self, request: web.Request) -> web.Response | None:
        """Reddit answers a listing of a subreddit that does not exist with 302 to the subreddit search (praw
        raises prawcore.Redirect, whose path is /subreddits/search: praw-dev/prawcore exceptions.py)."""
        sub = request.match_info.get("sub")
        if sub is None or self.exists(sub) or not self._authorized(request):
            return None
        location = f"https://www.reddit.com/subreddits/search.json?q={sub}"
        return web.Response(status=302, headers={"Location": location}, content_type="application/json",
                            text="{}")

    # -- rate limit ---------------------------------------------------------------------------------
    def _window(self) -> float:
        now = _epoch(self.clock.now())
        start = now - (now % self.window)
        if self._window_start != start:
            self._window_start, self.used = start, 0
        return start + self.window - now

    def rate_headers(self) -> dict[str, str]:
        reset = self._window()
        return {"X-Ratelimit-Used": str(self.used),
                "X-Ratelimit-Remaining": f"{max(0, self.ratelimit - self.used):.1f}",
                "X-Ratelimit-Reset": str(max(0, int(reset)))}

    @web.middleware
    async def middleware(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        if not request.path.startswith("/api/v1/access_token"):
            self._window()
            self.used += 1
            if self.used > self.ratelimit:
                return web.json_response(_TOO_MANY, status=429, headers=self.rate_headers())
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(self.rate_headers())
            raise
        response.headers.update(self.rate_headers())
        return response

    # -- auth ---------------------------------------------------------------------------------------
    def _client_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        client_id, _, secret = decoded.partition(":")
        return client_id == self.client_id and secret == self.client_secret

    async def access_token(self, request: web.Request) -> web.Response:
        if not self._client_ok(request):
            return web.json_response(_UNAUTHORIZED, status=401)
        form = await request.post()
        grant = form.get("grant_type")
        if grant == "password":
            user_ok = self.username is None or str(form.get("username", "")).lower() == self.username.lower()
            if not user_ok or form.get("password") != self.password:
                return web.json_response({"error": "invalid_grant"})
        elif grant != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"})
        token = f"sbx-{next(self._counter)}-{derive_id(str(grant) + str(self.clock.now()))}"
        self.tokens[token] = self.clock.now() + timedelta(seconds=self.token_ttl)
        return web.json_response({"access_token": token, "token_type": "bearer",
                                  "expires_in": self.token_ttl, "scope": str(form.get("scope") or "*")})

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expiry = self.tokens.get(token.strip())
        return scheme.lower() == "bearer" and expiry is not None and self.clock.now() < expiry

    # -- listings -----------------------------------------------------------------------------------
    def listing(self, request: web.Request, things: list[Thing]) -> web.Response:
        if not self._authorized(request):
            return web.json_response(_UNAUTHORIZED, status=401, headers={"www-authenticate": _INVALID_TOKEN})
        query = request.query
        try:
            limit = int(query.get("limit", "25"))
        except ValueError:
            limit = 25
        limit = min(max(limit, 1), 100)
        t = query.get("t", "all")
        if t in _TIME_FILTERS:
            oldest = _epoch(self.clock.now()) - _TIME_FILTERS[t]
            things = [x for x in things if x.created >= oldest]
        names = [x.name for x in things]
        after, before = query.get("after"), query.get("before")
        if after:
            start = names.index(after) + 1 if after in names else len(names)
            page = things[start:start + limit]
        elif before:
            end = names.index(before) if before in names else 0
            start = max(0, end - limit)
            page = things[start:end]
        else:
            start = 0
            page = things[:limit]
        more = start + len(page) < len(things)
        raw = query.get("raw_json") == "1"
        data = {"after": page[-1].name if page and more else None,
                "before": page[0].name if page and start > 0 else None,
                "dist": len(page), "modhash": "", "geo_filter": "",
                "children": [{"kind": x.kind, "data": self._render(x, raw)} for x in page]}
        body = json.dumps({"kind": "Listing", "data": data})
        return web.Response(text=body, content_type="application/json")

    @staticmethod
    def _render(thing: Thing, raw: bool) -> dict[str, Any]:
        data = dict(thing.data)
        if not raw:
            for key in _ESCAPED_FIELDS:
                if isinstance(data.get(key), str):
                    data[key] = html.escape(data[key], quote=False)
            for key in ("selftext_html", "body_html"):
                if isinstance(data.get(key), str):
                    data[key] = html.escape(data[key], quote=False)
        return data

    async def search(self, request: web.Request) -> web.Response:
        if (gone := self.redirect_unknown(request)) is not None:
            return gone
        sub = request.match_info.get("sub")
        restrict = request.query.get("restrict_sr", "").lower() in ("1", "true", "on", "yes")
        include, exclude = _parse_query(request.query.get("q", "")[:512])
        things = [x for x in self.things() if x.kind == "t3" and _search_matches(x, include, exclude)]
        if sub and restrict:
            things = [x for x in things if self._in_subs(x, sub)]
        return self.listing(request, things)

    @staticmethod
    def _in_subs(thing: Thing, sub: str) -> bool:
        """``sub`` may be a multireddit ``a+b``; ``all`` is everything."""
        subs = set(sub.lower().split("+"))
        return "all" in subs or thing.data["subreddit"].lower() in subs

    async def new(self, request: web.Request) -> web.Response:
        if (gone := self.redirect_unknown(request)) is not None:
            return gone
        sub = request.match_info["sub"]
        return self.listing(request, [x for x in self.things() if x.kind == "t3" and self._in_subs(x, sub)])

    async def comments(self, request: web.Request) -> web.Response:
        if (gone := self.redirect_unknown(request)) is not None:
            return gone
        sub = request.match_info["sub"]
        return self.listing(request, [x for x in self.things() if x.kind == "t1" and self._in_subs(x, sub)])

    async def user_comments(self, request: web.Request) -> web.Response:
        name = request.match_info["name"].lower()
        things = [x for x in self.things() if x.kind == "t1" and x.data["author"].lower() == name]
        return self.listing(request, things)

    async def info(self, request: web.Request) -> web.Response:
        wanted = [n.strip() for n in request.query.get("id", "").split(",") if n.strip()][:100]
        by_name = {x.name: x for x in self.things()}
        return self.listing(request, [by_name[n] for n in wanted if n in by_name])


def make_app(scenario: Scenario, clock: Clock, faults: Faults | None = None, **options: Any) -> web.Application:
    """Options: client_id, client_secret, username (None accepts any), password, token_ttl (3600),
    ratelimit (requests per window, 1000), ratelimit_window (600 s), default_subreddit, subreddits (more
    subreddits that exist, empty or not)."""
    brand_name = str(scenario.brand.get("name", "") or "brand")
    sandbox = RedditSandbox(
        scenario, clock,
        client_id=options.get("client_id", DEMO_ENV["EARFUL_DEMO_REDDIT_CLIENT_ID"]),
        client_secret=options.get("client_secret", DEMO_ENV["EARFUL_DEMO_REDDIT_SECRET"]),
        username=options.get("username"),
        password=options.get("password", DEMO_ENV["EARFUL_DEMO_REDDIT_PASSWORD"]),
        token_ttl=int(options.get("token_ttl", 3600)),
        ratelimit=int(options.get("ratelimit", 1000)),
        ratelimit_window=int(options.get("ratelimit_window", 600)),
        default_subreddit=options.get("default_subreddit", re.sub(r"\W", "", brand_name.lower()) or "brand"),
        subreddits=tuple(options.get("subreddits", ())))
    app = application(clock, faults, [sandbox.middleware])
    with warnings.catch_warnings():  # plain string keys: tests and the demo use them
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["sandbox"] = sandbox
        app["extra_posts"] = sandbox.extra
    for suffix in ("", "/"):
        app.router.add_post("/api/v1/access_token" + suffix, sandbox.access_token)
        app.router.add_get("/search" + suffix, sandbox.search)
        app.router.add_get("/r/{sub}/search" + suffix, sandbox.search)
        app.router.add_get("/r/{sub}/new" + suffix, sandbox.new)
        app.router.add_get("/r/{sub}/comments" + suffix, sandbox.comments)
        app.router.add_get("/user/{name}/comments" + suffix, sandbox.user_comments)
        app.router.add_get("/api/info" + suffix, sandbox.info)
    return app


def expire_tokens(app: web.Application) -> None:
    """Invalidate every issued token: the next API call gets 401 invalid_token."""
    app["sandbox"].expire_tokens()


def demo_source(url: str, subreddits: list[str] | None = None) -> dict[str, Any]:
    """The [sources.reddit] table pointing the collector at a sandbox running at `url`."""
    if subreddits is None:
        try:
            from earful.sandbox import scenario as scenario_module

            demo = scenario_module.load()
            subreddits = sorted({p.community for p in demo.for_platform("reddit") if p.community and not p.reply_to})
        except Exception:  # the bundled scenario is optional here
            subreddits = []
    return {
        "client_id": {"env": "EARFUL_DEMO_REDDIT_CLIENT_ID"},
        "client_secret": {"env": "EARFUL_DEMO_REDDIT_SECRET"},
        "username": DEMO_USERNAME,
        "password": {"env": "EARFUL_DEMO_REDDIT_PASSWORD"},
        "oauth_url": url,
        "reddit_url": url,
        "subreddits": subreddits,
        "poll_seconds": 30,
        "backfill_hours": 48,
        "timeout_seconds": 10,
    }
