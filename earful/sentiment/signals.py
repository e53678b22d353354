"""Explainable signals of one post: cues, sentiment, addressing, competitors, spam markers.

`Signals.dense()` is the small numeric vector the complaint model sees next to the hashed n-grams;
`reasons` are the short strings shown to users.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

import numpy as np

from earful.sentiment import cues
from earful.sentiment.text import URL_RE, handles_in

LANG_FEATURES = ("ru", "pl", "zh", "de", "es", "fr", "uk", "pt", "und")  # per-language offsets (en: none)
DENSE_NAMES = (
    "sentiment", "negative", "positive", "vader_neg", "problem", "request", "praise", "sarcasm", "question",
    "order_number", "addressed", "competitor", "neg_emoji", "pos_emoji", "phishing", "ad", "job", "url",
    "exclaim", "caps", "log_len", "is_en", "praise_and_problem", "negator", "starts_with_handle",
    "only_competitor", "denied_problem",
) + tuple(f"lang_{lang}" for lang in LANG_FEATURES)
_CLAUSE_RE = re.compile(r"[.!?;。！？\n]+|\b(?:but|unlike|whereas|while|aber|ale|но|але|pero|mais|mas|ma)\b|但是|不像")
_WORDS_RE = re.compile(r"\w+", re.U)
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CAPS_CLASS = "[A-Z\u00c0-\u00de\u0400-\u042f]"
_CAPS_RE = re.compile(r"(?<!\w)" + _CAPS_CLASS + r"{3,}(?!\w)")  # shouted words (`kernels.shouted_words`)


@dataclass(init=False)
class Signals:
    """What the rules found in one post. Built for every post, so construction sets only the language:
    every other field reads its class default (immutable: the cue lists are tuples until set)."""

    lang: str
    sentiment: float = 0.0
    vader_neg: float = 0.0
    problem: Sequence[str] = ()
    request: Sequence[str] = ()
    praise: Sequence[str] = ()
    sarcasm: Sequence[str] = ()
    phishing: Sequence[str] = ()
    ad: Sequence[str] = ()
    job: Sequence[str] = ()
    negator: bool = False
    question: bool = False
    order_number: str | None = None
    addressed: str | None = None
    starts_with_handle: bool = False
    competitor: str | None = None
    only_competitor: bool = False
    neg_emoji: int = 0
    pos_emoji: int = 0
    roll_eyes: bool = False
    url: bool = False
    exclaim: int = 0
    caps: float = 0.0
    n_words: int = 0
    denied_problem: bool = False

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def dense(self) -> list[float]:
        s = self.sentiment
        return [
            s, max(0.0, -s), max(0.0, s), self.vader_neg, min(len(self.problem), 3) / 3,
            min(len(self.request), 3) / 3, min(len(self.praise), 3) / 3,
            1.0 if (self.sarcasm or self.roll_eyes) else 0.0, 1.0 if self.question else 0.0,
            1.0 if self.order_number else 0.0, 1.0 if self.addressed else 0.0,
            1.0 if self.competitor else 0.0, min(self.neg_emoji, 3) / 3, min(self.pos_emoji, 3) / 3,
            1.0 if self.phishing else 0.0, 1.0 if self.ad else 0.0, 1.0 if self.job else 0.0,
            1.0 if self.url else 0.0, min(self.exclaim, 3) / 3, self.caps,
            math.log1p(self.n_words) / 4, 1.0 if self.lang == "en" else 0.0,
            1.0 if (self.praise and self.problem) else 0.0, 1.0 if self.negator else 0.0,
            1.0 if self.starts_with_handle else 0.0, 1.0 if self.only_competitor else 0.0,
            1.0 if self.denied_problem else 0.0,
        ] + [1.0 if self.lang == lang else 0.0 for lang in LANG_FEATURES]


_LIST_FIELDS = ("problem", "request", "praise")  # min(len, 3) / 3
_FLAG_FIELDS = ("question", "order_number", "addressed", "competitor")
_FLAG_FIELDS_2 = ("phishing", "ad", "job", "url")
_FLAG_FIELDS_3 = ("negator", "starts_with_handle", "only_competitor", "denied_problem")
_GET = attrgetter("sentiment", "vader_neg", *_LIST_FIELDS, "sarcasm", "roll_eyes", *_FLAG_FIELDS, "neg_emoji",
                  "pos_emoji", *_FLAG_FIELDS_2, "exclaim", "caps", "n_words", "lang", *_FLAG_FIELDS_3)


_LANG_COLUMN = {"en": 21, **{code: j for j, code in enumerate(LANG_FEATURES, start=27)}}
_NO_COLUMN = [-1]


def dense_matrix(sigs: list[Signals]) -> np.ndarray:
    """``[s.dense() for s in sigs]`` as one float64 matrix, built column by column (C loops, not Python)."""
    n = len(sigs)
    out = np.zeros((n, len(DENSE_NAMES)), np.float64)
    if not n:
        return out
    cols = list(zip(*map(_GET, sigs)))
    (sent, vneg, problem, request, praise, sarcasm, roll, question, order, addressed, competitor, neg_e, pos_e,
     phishing, ad, job, url, exclaim, caps, n_words, lang, negator, starts, only_comp, denied) = cols

    def flag(col):
        return np.fromiter(map(bool, col), np.bool_, n)

    def capped(col, top=3):
        return np.minimum(np.fromiter(col if isinstance(col[0], int) else map(len, col), np.float64, n), top) / top

    s = np.fromiter(sent, np.float64, n)
    out[:, 0] = s
    out[:, 1] = np.maximum(0.0, -s)
    out[:, 2] = np.maximum(0.0, s)
    out[:, 3] = np.fromiter(vneg, np.float64, n)
    for j, col in zip((4, 5, 6), (problem, request, praise)):
        out[:, j] = capped(col)
    out[:, 7] = flag(sarcasm) | flag(roll)
    for j, col in zip((8, 9, 10, 11), (question, order, addressed, competitor)):
        out[:, j] = flag(col)
    out[:, 12] = capped(neg_e)
    out[:, 13] = capped(pos_e)
    for j, col in zip((14, 15, 16, 17), (phishing, ad, job, url)):
        out[:, j] = flag(col)
    out[:, 18] = capped(exclaim)
    out[:, 19] = np.fromiter(caps, np.float64, n)
    out[:, 20] = np.log1p(np.fromiter(n_words, np.float64, n)) / 4
    code = np.fromiter((_LANG_COLUMN.get(x, -1) for x in lang), np.int64, n)
    hot = code >= 0
    out[np.nonzero(hot)[0], code[hot]] = 1.0  # is_en and the lang_* offsets
    out[:, 22] = flag(praise) & flag(problem)
    for j, col in zip((23, 24, 25, 26), (negator, starts, only_comp, denied)):
        out[:, j] = flag(col)
    return out


def _refs(low: str, names: tuple[str, ...]) -> bool:
    return any(n and n in low for n in names)


def extract_many(texts: list[str], lows: list[str], langs: list[str], brands=None, batch=None) -> list[Signals]:
    """All rule signals of a batch of cleaned posts (``lows``: their lower-case forms; sentiment is set later).
    The token work (cue terms, "none" words, negators, word counts) runs over the whole batch in compiled code
    (`batchtokens`, `cues._Index.scan_batch`); the rest per post."""
    from earful.sentiment import kernels
    from earful.sentiment.batchtokens import Batch

    n = len(texts)
    if batch is None:
        batch = Batch(lows)
    tok = batch.tokens(kernels.CUE)
    groups: dict[tuple[str, ...], list[int]] = {}
    for d, lang in enumerate(langs):
        groups.setdefault(_cue_langs(lang), []).append(d)
    found: list[dict] = [{}] * n
    negator = np.zeros(n, np.bool_)
    for cue_langs, docs in groups.items():
        ix = cues._index_for(cue_langs)
        if ix is not None:
            for d, f in ix.scan_batch(batch, docs).items():
                found[d] = f
        if cue_langs:
            keys = _hash_set(cue_langs[0], "negator")
            if len(keys):
                negator[docs] = kernels.member_in_docs(tok.hash, tok.first, np.asarray(docs, np.int64), keys)
    none_word = kernels.any_member(tok.doc, tok.hash, n, _none_keys())
    n_words = kernels.word_counts(batch.cp, batch.cls, batch.start, batch.size).tolist()
    # emoji and CJK characters of every post (lower-casing changes neither), shouted words of the cased text
    counts = kernels.char_counts(batch.cp, batch.start, batch.size, _char_table()).tolist()
    cased = Batch(texts)
    shouted = kernels.shouted_words(cased.cp, cased.cls, cased.start, cased.size, _caps_table()).tolist()
    digits = kernels.has_digit_run(cased.cp, cased.cls, cased.start, cased.size, 3).tolist()  # (re: \d{3})
    out = []
    for d in range(n):
        sig = Signals(lang=langs[d])
        f = found[d]
        for cat, terms in f.items():  # (the other categories keep their empty default)
            setattr(sig, cat, list(dict.fromkeys(terms)) if len(terms) > 1 else terms)
        if sig.problem and none_word[d]:
            kept = _undenied(sig.problem, batch.strings(tok, d))
            sig.denied_problem = len(kept) < len(sig.problem)
            sig.problem = kept
        sig.negator = bool(negator[d])
        _post_signals(sig, texts[d], lows[d], langs[d], brands[d] if brands else None, n_words[d], counts[d],
                      shouted[d], digits[d])
        out.append(sig)
    return out


@lru_cache(maxsize=None)
def _hash_set(lang: str, category: str) -> np.ndarray:
    from earful.sentiment.batchtokens import HashSet

    return HashSet(cues.word_set(lang, category)).keys


@lru_cache(maxsize=1)
def _none_keys() -> np.ndarray:
    from earful.sentiment.batchtokens import HashSet

    return HashSet(cues.NONE_WORDS).keys


_NEG, _POS, _ROLL, _CJK = 1, 2, 4, 8  # bits of _char_table()


@lru_cache(maxsize=1)
def _char_table() -> np.ndarray:
    """Code point -> bits: negative / positive / eye-roll emoji (the classes of `cues.emoji_counts`), CJK."""
    table = np.zeros(0x20000, np.uint8)
    for bit, rx in ((_NEG, cues.NEG_EMOJI_RE), (_POS, cues.POS_EMOJI_RE), (_ROLL, cues.ROLL_EYES_RE),
                    (_CJK, _CJK_RE)):
        for lo, hi in _class_ranges(rx.pattern):
            table[lo:hi + 1] |= bit
    return table


@lru_cache(maxsize=1)
def _caps_table() -> np.ndarray:
    table = np.zeros(0x10000, np.bool_)
    for lo, hi in _class_ranges(_CAPS_CLASS):
        table[lo:hi + 1] = True
    return table


def _class_ranges(pattern: str) -> list[tuple[int, int]]:
    """The (first, last) code points of a one-class pattern "[...]" written with literal characters and
    ranges, no escapes (the emoji, CJK and capital-letter classes above)."""
    body = pattern[pattern.index("[") + 1:pattern.rindex("]")]
    out, i = [], 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            out.append((ord(body[i]), ord(body[i + 2])))
            i += 3
        else:
            out.append((ord(body[i]), ord(body[i])))
            i += 1
    return out


def _post_signals(sig: Signals, text: str, low: str, lang: str, brand, n_words: int, counts: list[int],
                  shouted: int, digits: bool) -> None:
    """The signals that are not token lists: length, question, order number, emoji, links, caps, addressing."""
    sig.n_words = n_words
    if lang in cues.CJK:  # no spaces between words: about 1.5 characters a word
        sig.n_words += int(counts[3] / 1.5)
    ascii_only = text.isascii()
    sig.question = "?" in text or (not ascii_only and ("？" in text or "¿" in text))
    if digits:  # three digits in a row: an order number is possible
        sig.order_number = cues.order_number(text)
    if not ascii_only:
        sig.neg_emoji, sig.pos_emoji, sig.roll_eyes = counts[0], counts[1], counts[2] > 0
        sig.exclaim = text.count("!") + text.count("！")
    else:
        sig.exclaim = text.count("!")
    sig.url = ("http" in low or "www." in low) and URL_RE.search(text) is not None
    if "." in low and ("-" in low or "/" in low):
        link = _suspicious_link(low, brand)
        if link:
            sig.phishing = [*sig.phishing, link]
            sig.url = True
    if text != low and sig.n_words:
        sig.caps = min(1.0, shouted / sig.n_words)
    sig.starts_with_handle = text.lstrip(" .\"'").startswith("@")
    handles = handles_in(text) if "@" in text else []
    if brand is not None:
        own, key, comps = _brand_keys(brand)
        hit = next((h for h in handles if h in own), None)
        if hit is None and key and handles:
            hit = next((h for h in handles if key in h.replace("_", "")), None)
        sig.addressed = hit
        if comps:
            sig.competitor = next((c for c in comps if c and c in low), None)
        if sig.competitor:
            sig.only_competitor = _problem_only_about_competitor(low, lang, brand, comps)
    elif sig.starts_with_handle and handles:
        sig.addressed = handles[0]


@lru_cache(maxsize=None)
def _cue_langs(lang: str) -> tuple[str, ...]:
    """The cue languages of a post: its own (when it has cues) and English."""
    return tuple(([lang] if lang in cues.CUES else []) + (["en"] if lang != "en" else []))


@lru_cache(maxsize=1024)
def _brand_keys(brand) -> tuple[frozenset[str], str, tuple[str, ...]]:
    """(own handles, name key, competitor names) of a brand, lower-case."""
    own = frozenset(h.lower().lstrip("@") for h in brand.handles)
    key = re.sub(r"\W", "", brand.name.lower()) if brand.name else ""
    return own, key, tuple(c.lower().lstrip("@") for c in brand.competitors)


def _undenied(problems: list[str], toks: list[str]) -> list[str]:
    """Problem cues that no "none" word ("no", "никаких", "żadnych", "keine") denies within two tokens."""
    kept = []
    for cue in problems:
        first = cue.split()[0]
        at = [i for i, t in enumerate(toks) if t == first or (t.startswith(first) and " " not in cue)]
        if at and all(not cues.NONE_WORDS.isdisjoint(toks[max(0, i - 2):i]) for i in at):
            continue
        kept.append(cue)
    return kept


def _suspicious_link(low: str, brand) -> str | None:
    """'lookalike link' for a hyphenated domain naming the brand or a phishing word, or a URL shortener."""
    if "-" not in low and not any(s in low for s in cues.SHORTENERS):  # (what LINK_RE needs to match)
        return None
    key = re.sub(r"\W", "", brand.name.lower()) if brand is not None and brand.name else ""
    for m in cues.LINK_RE.finditer(low):
        host = m.group(1)
        if "-" not in host:
            return "shortened link"
        if (key and key in host.replace("-", "")) or any(w in m.group(0) for w in cues.PHISHY_LINK_WORDS):
            return "lookalike link"
    return None


def _problem_only_about_competitor(low: str, lang: str, brand, comps: tuple[str, ...]) -> bool:
    """True when every clause with a problem cue names a competitor and not the brand."""
    own = tuple({brand.name.lower(), *(h.lower().lstrip("@") for h in brand.handles),
                 *(k.lower() for k in brand.keywords)} - {""})
    clauses = [c for c in _CLAUSE_RE.split(low) if c and c.strip()]
    langs = [lang, "en"] if lang != "en" else ["en"]
    problem_clauses = [c for c in clauses if any(cues.find(lg, "problem", c) for lg in langs)]
    if not problem_clauses:
        return _refs(low, comps) and not _refs(low, own)
    current = None  # a clause without a name inherits the subject of the one before it
    about_comp = 0
    for c in clauses:
        if _refs(c, comps):
            current = "comp"
        elif _refs(c, own):
            current = "own"
        if c in problem_clauses and current != "comp":
            return False
        if c in problem_clauses:
            about_comp += 1
    return about_comp > 0

