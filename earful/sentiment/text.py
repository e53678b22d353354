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

# The patterns start with a literal or a small character set (and look behind only after it), which lets
# the regex engine skip ahead quickly; they match the same as the plain forms in the comments.
URL_RE = re.compile(r"[HhWw](?:(?<=[Hh])[Tt][Tt][Pp][Ss]?://|(?<=[Ww])[Ww][Ww]\.)\S+")  # (?i)(?:https?://|www\.)\S+
HANDLE_RE = re.compile(r"@(?<![\w@]@)[\w.]{1,50}(?:@[\w.-]+)?", re.U)  # (?<![\w@])@[\w.]{1,50}(?:@[\w.-]+)?
HASHTAG_RE = re.compile(r"#\w+", re.U)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_EMAIL_AT_RE = re.compile(r"@(?<=[\w.+-]@)[\w-]+\.[\w.]+\b")  # the "@domain" part of an e-mail address
NUMBER_RE = re.compile(r"\d+")
SPACES_RE = re.compile(r"\s+")
_NOISE_RE = re.compile("|".join(p.pattern for p in (URL_RE, _EMAIL_AT_RE, HANDLE_RE, HASHTAG_RE)), re.U)
_NOISE_NO_URL_RE = re.compile("|".join(p.pattern for p in (_EMAIL_AT_RE, HANDLE_RE, HASHTAG_RE)), re.U)
_LETTER_WORDS_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*", re.U)


def clean(text: object) -> str:
    """Any value -> bounded, valid Unicode without control or zero-width characters."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if text.isascii():  # the common case: only ASCII control characters can be wrong
        return text.translate(_CONTROL) if _ASCII_CONTROL_RE.search(text) else text
    if _SURROGATE_RE.search(text):  # lone surrogates
        text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.translate(_TRANSLATE) if _BAD_RE.search(text) else text


_ASCII_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_BAD_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")


def strip_noise(text: str) -> str:
    """Letters only: handles, URLs, e-mails, hashtags, emoji, digits and punctuation removed."""
    return " ".join(_LETTER_WORDS_RE.findall(denoise(text)))


def denoise(text: str) -> str:
    """`strip_noise` before its last step: handles, URLs, e-mails and hashtags replaced by spaces (the
    letter words are then taken by `_LETTER_WORDS_RE`, or `kernels.tokenize` in LETTERS mode)."""
    if "@" in text or "#" in text or "/" in text or "www" in text or "WWW" in text:
        if "@" in text and "." in text:
            text = EMAIL_RE.sub(" ", text)
        # without "://" or "www." no URL can match, and trying one at every h and w costs more than the rest
        url = "://" in text or ("." in text and "ww." in text.lower())
        text = (_NOISE_RE if url else _NOISE_NO_URL_RE).sub(" ", text)
    return text


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
    joined = NUMBER_RE.sub("0", joined).lower()
    return [" ".join(t.split()) for t in joined.split("\x00")]  # (runs of whitespace -> one space, stripped)
