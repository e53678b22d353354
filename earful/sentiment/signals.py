"""Explainable signals of one post: cues, sentiment, addressing, competitors, spam markers.

`Signals.dense()` is the small numeric vector the complaint model sees next to the hashed n-grams;
`reasons` are the short strings shown to users.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from earful.sentiment import cues
from earful.sentiment.text import HANDLE_RE, URL_RE, handles_in

DENSE_NAMES = (
    "sentiment", "negative", "positive", "vader_neg", "problem", "request", "praise", "sarcasm", "question",
    "order_number", "addressed", "competitor", "neg_emoji", "pos_emoji", "phishing", "ad", "job", "url",
    "exclaim", "caps", "log_len", "is_en", "praise_and_problem", "negator", "starts_with_handle",
    "only_competitor",
)
_CLAUSE_RE = re.compile(r"[.!?;。！？\n]+|\b(?:but|unlike|whereas|while|aber|ale|но|але|pero|mais|mas|ma)\b|但是|不像")
_WORDS_RE = re.compile(r"\w+", re.U)
_DIGITS = re.compile(r"\d{3}")
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
        ]


def _refs(low: str, names: tuple[str, ...]) -> bool:
    return any(n and n in low for n in names)


def extract(text: str, low: str, lang: str, brand) -> Signals:
    """All rule signals of a cleaned post (``low`` is its lower-case form); sentiment is set later."""
    sig = Signals(lang=lang)
    langs = [lang] if lang in cues.CUES else []
    if lang != "en":
        langs.append("en")
    toks = cues.tokens(low)
    found = cues.scan(langs, low, toks)
    sig.problem, sig.request, sig.praise = found["problem"], found["request"], found["praise"]
    sig.sarcasm, sig.phishing, sig.ad, sig.job = found["sarcasm"], found["phishing"], found["ad"], found["job"]
    sig.n_words = len(low.split())
    if langs:
        sig.negator = not cues.word_set(langs[0], "negator").isdisjoint(toks)
    ascii_only = text.isascii()
    sig.question = "?" in text or (not ascii_only and ("？" in text or "¿" in text))
    if _DIGITS.search(text) is not None:
        m = cues.ORDER_RE.search(text)
        sig.order_number = m.group(0) if m else None
    if not ascii_only:
        sig.neg_emoji = len(cues.NEG_EMOJI_RE.findall(text))
        sig.pos_emoji = len(cues.POS_EMOJI_RE.findall(text))
        sig.roll_eyes = bool(cues.ROLL_EYES_RE.search(text))
        sig.exclaim = text.count("!") + text.count("！")
    else:
        sig.exclaim = text.count("!")
    sig.url = ("http" in low or "www." in low) and URL_RE.search(text) is not None
    if text != low and sig.n_words:
        sig.caps = min(1.0, len(_CAPS_RE.findall(text)) / sig.n_words)
    sig.starts_with_handle = text.lstrip(" .\"'").startswith("@")
    handles = handles_in(text) if "@" in text else []
    if brand is not None:
        own = {h.lower().lstrip("@") for h in brand.handles}
        hit = next((h for h in handles if h in own), None)
        if hit is None and brand.name and handles:
            key = re.sub(r"\W", "", brand.name.lower())
            hit = next((h for h in handles if key and key in h.replace("_", "")), None)
        sig.addressed = hit
        comps = tuple(c.lower().lstrip("@") for c in brand.competitors)
        if comps:
            sig.competitor = next((c for c in comps if c and c in low), None)
        if sig.competitor:
            sig.only_competitor = _problem_only_about_competitor(low, lang, brand, comps)
    elif sig.starts_with_handle and handles:
        sig.addressed = handles[0]
    return sig


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
