"""Explainable signals of one post: cues, sentiment, addressing, competitors, spam markers.

`Signals.dense()` is the small numeric vector the complaint model sees next to the hashed n-grams;
`reasons` are the short strings shown to users.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from earful.sentiment import cues
from earful.sentiment.text import HANDLE_RE, URL_RE, handles_in

LANG_FEATURES = ("ru", "pl", "zh", "de", "es", "fr", "uk", "pt", "und")  # per-language offsets (en: none)
DENSE_NAMES = (
    "sentiment", "negative", "positive", "vader_neg", "problem", "request", "praise", "sarcasm", "question",
    "order_number", "addressed", "competitor", "neg_emoji", "pos_emoji", "phishing", "ad", "job", "url",
    "exclaim", "caps", "log_len", "is_en", "praise_and_problem", "negator", "starts_with_handle",
    "only_competitor", "denied_problem",
) + tuple(f"lang_{lang}" for lang in LANG_FEATURES)
_CLAUSE_RE = re.compile(r"[.!?;。！？\n]+|\b(?:but|unlike|whereas|while|aber|ale|но|але|pero|mais|mas|ma)\b|但是|不像")
_WORDS_RE = re.compile(r"\w+", re.U)
_DIGITS = re.compile(r"\d{3}")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CAPS_RE = re.compile(r"(?<!\w)[A-Z\u00c0-\u00de\u0400-\u042f]{3,}(?!\w)")  # shouted words


@dataclass(slots=True)
class Signals:
    lang: str
    sentiment: float = 0.0
    vader_neg: float = 0.0
    problem: list[str] = field(default_factory=list)
    request: list[str] = field(default_factory=list)
    praise: list[str] = field(default_factory=list)
    sarcasm: list[str] = field(default_factory=list)
    phishing: list[str] = field(default_factory=list)
    ad: list[str] = field(default_factory=list)
    job: list[str] = field(default_factory=list)
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


def _refs(low: str, names: tuple[str, ...]) -> bool:
    return any(n and n in low for n in names)


def extract(text: str, low: str, lang: str, brand) -> Signals:
    """All rule signals of a cleaned post (``low`` is its lower-case form); sentiment is set later."""
    sig = Signals(lang=lang)
    langs = _cue_langs(lang)
    toks = cues.tokens(low)
    for cat, terms in cues.scan_present(langs, low, toks).items():  # (the other categories stay [])
        setattr(sig, cat, terms)
    if sig.problem and not cues.NONE_WORDS.isdisjoint(toks):
        kept = _undenied(sig.problem, toks)
        sig.denied_problem = len(kept) < len(sig.problem)
        sig.problem = kept
    sig.n_words = len(low.split())
    if lang in cues.CJK:  # no spaces between words: about 1.5 characters a word
        sig.n_words += int(len(_CJK_RE.findall(low)) / 1.5)
    if langs:
        sig.negator = not cues.word_set(langs[0], "negator").isdisjoint(toks)
    ascii_only = text.isascii()
    sig.question = "?" in text or (not ascii_only and ("？" in text or "¿" in text))
    if _DIGITS.search(text) is not None:
        sig.order_number = cues.order_number(text)
    if not ascii_only:
        sig.neg_emoji, sig.pos_emoji, sig.roll_eyes = cues.emoji_counts(text)
        sig.exclaim = text.count("!") + text.count("！")
    else:
        sig.exclaim = text.count("!")
    sig.url = ("http" in low or "www." in low) and URL_RE.search(text) is not None
    if "." in low and ("-" in low or "/" in low):
        link = _suspicious_link(low, brand)
        if link:
            sig.phishing.append(link)
            sig.url = True
    if text != low and sig.n_words:
        sig.caps = min(1.0, len(_CAPS_RE.findall(text)) / sig.n_words)
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
    return sig


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


def strip_handles(text: str) -> str:
    return HANDLE_RE.sub(" ", text)
