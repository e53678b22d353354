"""A batch of posts as one array of code points, and its tokens found by a compiled tokenizer.

The regexes of `cues`, `lexicon` and `features` cost a few microseconds per post each; `kernels.tokenize`
finds the same tokens for a whole batch in one pass and gives each a 64-bit FNV-1a hash of its code
points, so that word lists (`HashSet`, `HashTable`) can be looked up in compiled code without making a
Python string per token. Character classes (re's \\w, \\d, \\s for ``str`` patterns) come from Python's
own Unicode database, looked up once per code point ever seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from earful.sentiment import kernels

_CLS = np.zeros(0x110000, np.uint8)
_cls_lock = threading.Lock()


def char_classes(cp: np.ndarray) -> np.ndarray:
    """The class table, filled in for every code point in ``cp`` (bits: see `kernels`)."""
    missing = (_CLS[cp] & 0x80) == 0
    if missing.any():
        unknown = np.unique(cp[missing])
        with _cls_lock:
            for c in unknown.tolist():
                ch = chr(c)
                _CLS[c] = (0x80 | (kernels.ALNUM if ch.isalnum() else 0) | (kernels.DECIMAL if ch.isdecimal() else 0)
                           | (kernels.SPACE if ch.isspace() else 0))
    return _CLS


@dataclass(slots=True)
class Tokens:
    doc: np.ndarray    # post index of each token
    start: np.ndarray  # code point offsets into the batch's joined text
    end: np.ndarray
    hash: np.ndarray   # uint64 FNV-1a of the token's code points
    first: np.ndarray  # index of each post's first token (len(posts) + 1 entries)


class Batch:
    """Posts joined with NUL into one string and one code point array; post d is
    ``joined[start[d]:start[d] + size[d]]``."""

    def __init__(self, texts: Sequence[str]):
        self.texts = texts
        n = len(texts)
        self.joined = "\x00".join(texts)
        self.size = np.fromiter(map(len, texts), np.int64, n)
        self.start = np.zeros(n, np.int64)
        if n:
            np.cumsum(self.size[:-1] + 1, out=self.start[1:])
        self.cp = np.frombuffer(self.joined.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
        self.cls = char_classes(self.cp)
        self._tokens: dict[int, Tokens] = {}

    def tokens(self, mode: int) -> Tokens:
        tok = self._tokens.get(mode)
        if tok is None:
            doc, s, e, h = kernels.tokenize(self.cp, self.cls, self.start, self.size, mode)
            first = np.searchsorted(doc, np.arange(len(self.texts) + 1))
            tok = self._tokens[mode] = Tokens(doc, s, e, h, first)
        return tok

    def strings(self, tok: Tokens, d: int) -> list[str]:
        """The tokens of post d as strings (for the few posts that need them)."""
        j = self.joined
        a, b = tok.first[d], tok.first[d + 1]
        return [j[s:e] for s, e in zip(tok.start[a:b].tolist(), tok.end[a:b].tolist())]


def hash_of(text: str) -> int:
    """The FNV-1a hash `kernels.tokenize` gives a token with this text."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    return int(kernels.fnv(cp, 0, len(cp)))


def hashes_of(texts: Sequence[str]) -> np.ndarray:
    """`hash_of` of many texts at once."""
    if not texts:
        return np.zeros(0, np.uint64)
    batch = Batch(texts)
    return kernels.fnv_docs(batch.cp, batch.start, batch.size)


class HashSet:
    """A set of token texts as a sorted uint64 array (for compiled lookups)."""

    def __init__(self, words: Iterable[str]):
        self.keys = np.unique(hashes_of(list(words)))


class HashTable:
    """Token hashes -> (offset, count) into parallel arrays, as an open-addressing table for
    `kernels.slot` (power-of-two size, at most half full; key 0 marks an empty slot)."""

    def __init__(self, groups: dict[int, tuple[int, int]]):
        size = 16
        while size < 2 * len(groups):
            size *= 2
        self.keys = np.zeros(size, np.uint64)
        self.off = np.zeros(size, np.int64)
        self.cnt = np.zeros(size, np.int64)
        mask = size - 1
        mult = int(kernels._MULT)
        for h, (off, cnt) in groups.items():
            h = h or 1
            i = ((h * mult) & 0xFFFFFFFFFFFFFFFF) >> 40 & mask
            while self.keys[i] != 0:
                i = (i + 1) & mask
            self.keys[i], self.off[i], self.cnt[i] = h, off, cnt
