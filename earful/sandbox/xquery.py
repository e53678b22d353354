"""A small parser and matcher for X (Twitter) v2 search queries, for the X sandbox.

Supported (see ../shared/PLATFORMS.md section 1, operators): keywords (tokenized, case-insensitive),
``"exact phrases"``, ``@user``, ``#tag``, ``from:`` / ``to:`` (username or numeric id),
``conversation_id:``, ``lang:``, ``is:retweet|reply|quote``, ``has:links|mentions|hashtags|media``,
``url:``, ``OR``, parentheses and ``-`` negation. Juxtaposition is AND and binds tighter than OR
(X: "AND logic is applied first, then OR"). ``is:``/``has:``/``lang:`` and negations cannot stand
alone: a query needs at least one positive standalone clause.

    expr = parse('(parcelly OR @parcelly) -is:retweet -"parcelly ltd"')
    expr.matches(TweetView(...))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# words; CJK characters are tokens of their own (no spaces in those scripts), so "Parcelly今天" has "parcelly"
_TOKEN = re.compile(rf"[^\W{_CJK}]+|[{_CJK}]")
_OPERATOR = re.compile(r"^(from|to|conversation_id|lang|is|has|url):(.+)$", re.IGNORECASE)
_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,50}$")


class QueryError(ValueError):
    """The query cannot be parsed; the message reads like X's."""


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).casefold()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


@dataclass
class TweetView:
    """What the matcher sees of a post."""

    text: str
    author: str
    author_id: str
    conversation_id: str
    lang: str = "und"
    is_reply: bool = False
    reply_to_user: str = ""
    reply_to_user_id: str = ""
    folded: str = field(init=False)
    words: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.words = _TOKEN.findall(self.folded)


def _contains_seq(words: list[str], seq: list[str]) -> bool:
    n = len(seq)
    if n == 0:
        return False
    first = seq[0]
    for i, word in enumerate(words):
        if word == first and words[i:i + n] == seq:
            return True
    return False


class Node:
    standalone = True

    def matches(self, tweet: TweetView) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass
class Text(Node):
    """A keyword or an exact phrase: a tokenized match."""

    value: str

    def matches(self, tweet: TweetView) -> bool:
        return _contains_seq(tweet.words, tokens(self.value))


@dataclass
class Entity(Node):
    """@mention or #hashtag."""

    sigil: str
    name: str

    def matches(self, tweet: TweetView) -> bool:
        pattern = rf"(?<![\w@#]){re.escape(self.sigil + fold(self.name))}(?!\w)"
        return re.search(pattern, tweet.folded) is not None


@dataclass
class Operator(Node):
    name: str
    value: str

    def __post_init__(self) -> None:
        self.standalone = self.name not in ("is", "has", "lang")

    def matches(self, tweet: TweetView) -> bool:
        name, value = self.name, self.value.lower().lstrip("@")
        if name == "from":
            return value in (tweet.author.lower(), tweet.author_id)
        if name == "to":
            return bool(tweet.is_reply) and value in (tweet.reply_to_user.lower(), tweet.reply_to_user_id)
        if name == "conversation_id":
            return value == tweet.conversation_id
        if name == "lang":
            return value == tweet.lang.lower()
        if name == "url":
            return value in tweet.folded
        if name == "is":
            return {"reply": tweet.is_reply, "retweet": False, "quote": False}.get(value, False)
        if name == "has":
            return {"links": "http://" in tweet.folded or "https://" in tweet.folded,
                    "mentions": re.search(r"(?<!\w)@\w", tweet.folded) is not None,
                    "hashtags": re.search(r"(?<!\w)#\w", tweet.folded) is not None,
                    "media": False}.get(value, False)
        return False


@dataclass
class Not(Node):
    child: Node
    standalone = False

    def matches(self, tweet: TweetView) -> bool:
        return not self.child.matches(tweet)


@dataclass
class And(Node):
    children: list[Node]

    def __post_init__(self) -> None:
        self.standalone = any(c.standalone for c in self.children)

    def matches(self, tweet: TweetView) -> bool:
        return all(c.matches(tweet) for c in self.children)


@dataclass
class Or(Node):
    children: list[Node]

    def __post_init__(self) -> None:
        self.standalone = all(c.standalone for c in self.children)

    def matches(self, tweet: TweetView) -> bool:
        return any(c.matches(tweet) for c in self.children)


_LEX = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|(?P<neg>-)(?=[^\s)])|(?P<phrase>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+)')

IS_VALUES = ("retweet", "reply", "quote", "verified", "nullcast")
HAS_VALUES = ("links", "mentions", "hashtags", "media", "images", "videos", "geo", "cashtags")


def _lex(query: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(query):
        m = _LEX.match(query, pos)
        if m is None:  # an unterminated quote
            raise QueryError(f"There were errors processing your request: mismatched input '\"' "
                             f"(at position {pos + 1})")
        kind = m.lastgroup
        if kind is not None:
            out.append((kind, m.group(kind), pos + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, query: str):
        self.items = _lex(query)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def error(self, what: str, pos: int) -> QueryError:
        return QueryError(f"There were errors processing your request: {what} (at position {pos})")

    def parse(self) -> Node:
        if not self.items:
            raise QueryError("There were errors processing your request: empty query")
        node = self.or_expr()
        item = self.peek()
        if item is not None:
            raise self.error(f"extraneous input '{item[1]}'", item[2])
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (item := self.peek()) is not None and item[0] == "word" and item[1] == "OR":
            self.i += 1
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(children)

    def and_expr(self) -> Node:
        children: list[Node] = []
        while (item := self.peek()) is not None and item[0] != "rp" and not (item[0] == "word" and item[1] == "OR"):
            children.append(self.unary())
        if not children:
            item = self.peek()
            raise self.error(f"no viable alternative at input '{item[1] if item else '<EOF>'}'",
                             item[2] if item else len(self.items) + 1)
        return children[0] if len(children) == 1 else And(children)

    def unary(self) -> Node:
        item = self.items[self.i]
        if item[0] == "neg":
            self.i += 1
            if self.peek() is None:
                raise self.error("missing term after '-'", item[2])
            return Not(self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, text, pos = self.items[self.i]
        self.i += 1
        if kind == "lp":
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing[0] != "rp":
                raise self.error("missing ')'", pos)
            self.i += 1
            return node
        if kind == "phrase":
            inner = text[1:-1].replace('\\"', '"')
            if not inner.strip():
                raise self.error("empty phrase", pos)
            return Text(inner)
        if kind == "rp":
            raise self.error("extraneous input ')'", pos)
        return self.word(text, pos)

    def word(self, text: str, pos: int) -> Node:
        if text[0] in "@#" and len(text) > 1:
            return Entity(text[0], text[1:])
        m = _OPERATOR.match(text)
        if m:
            name, value = m.group(1).lower(), m.group(2)
            if name in ("from", "to") and not (_HANDLE.match(value.lstrip("@"))):
                raise self.error(f"invalid username '{value}' for {name}:", pos)
            if name == "conversation_id" and not value.isdigit():
                raise self.error(f"invalid conversation_id '{value}'", pos)
            if name == "is" and value.lower() not in IS_VALUES:
                raise self.error(f"Reference to invalid operator 'is:{value}'", pos)
            if name == "has" and value.lower() not in HAS_VALUES:
                raise self.error(f"Reference to invalid operator 'has:{value}'", pos)
            return Operator(name, value)
        return Text(text)


def parse(query: str) -> Node:
    """Parse a query; raises QueryError for syntax errors and queries with no standalone clause."""
    node = _Parser(query).parse()
    if not node.standalone:
        raise QueryError("There were errors processing your request: Rules must contain a non-negation term "
                         "and may not consist only of operators that cannot stand alone (is:, has:, lang:)")
    return node
