"""Text hygiene shared by language detection, scoring and the complaint model.

Text from the internet is hostile: lone surrogates, control characters, zero-width characters and
megabyte-long posts all arrive. `clean` makes any input a safe, bounded ``str``; `strip_noise` removes
what says nothing about the language (handles, URLs, hashtags, emoji, numbers).
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 4000  # longer posts are cut: the first 4k characters decide

_CONTROL = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)] + list(range(127, 160)), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
_TRANSLATE = {**_CONTROL, **_ZERO_WIDTH}

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.I)
HANDLE_RE = re.compile(r"(?<![\w@])@[\w.]{1,50}(?:@[\w.-]+)?", re.U)
HASHTAG_RE = re.compile(r"#\w+", re.U)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
NUMBER_RE = re.compile(r"\d+")
# everything that is not a letter, an apostrophe or whitespace (emoji, punctuation, symbols, digits)
NON_LETTER_RE = re.compile(r"[^\w\s']|[\d_]", re.U)
SPACES_RE = re.compile(r"\s+")
_NOISE_RE = re.compile("|".join(p.pattern for p in (URL_RE, EMAIL_RE, HANDLE_RE, HASHTAG_RE)), re.I | re.U)
_LETTER_WORDS_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*", re.U)


def clean(text: object) -> str:
    """Any value -> bounded, valid Unicode without control or zero-width characters."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.translate(_TRANSLATE)


def strip_noise(text: str) -> str:
    """Letters only: handles, URLs, e-mails, hashtags, emoji, digits and punctuation removed."""
    if "@" in text or "#" in text or "/" in text or "www" in text:
        text = _NOISE_RE.sub(" ", text)
    return " ".join(_LETTER_WORDS_RE.findall(text))


def handles_in(text: str) -> list[str]:
    """@handles in a post, lower-case, without the @ (a Mastodon @user@host keeps only the user)."""
    return [h[1:].split("@")[0].rstrip(".").lower() for h in HANDLE_RE.findall(text)]


def for_model(text: str) -> str:
    """The text the learned model sees: lower-case, URLs/handles/numbers replaced by placeholders."""
    text = URL_RE.sub(" U ", text)
    text = HANDLE_RE.sub(" @ ", text)
    text = NUMBER_RE.sub("0", text)
    return SPACES_RE.sub(" ", text).strip().lower()


def for_model_many(texts: list[str]) -> list[str]:
    """`for_model` of a batch: the regexes run once over the joined batch (posts never contain NUL)."""
    if not texts:
        return []
    joined = " \x00 ".join(t.replace("\x00", " ") for t in texts)  # spaces end URLs and handles
    joined = URL_RE.sub(" U ", joined)
    joined = HANDLE_RE.sub(" @ ", joined)
    joined = NUMBER_RE.sub("0", joined)
    joined = _SPACES_NO_NUL.sub(" ", joined).lower()
    return [t.strip() for t in joined.split("\x00")]


_SPACES_NO_NUL = re.compile(r"[^\S\x00]+")
