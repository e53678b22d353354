"""Which brand a post is about: one matcher shared by every platform, applied locally even where the
platform filtered already (platform search is fuzzy; exclusions must hold everywhere).

A post matches a brand when it contains one of the brand's keywords or handles (case-insensitive,
on word boundaries, after Unicode NFKC folding and removal of zero-width characters) and none of its
exclusions. A post by one of the brand's own accounts always belongs to that brand (is_brand).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from earful.config import Brand

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


_WORD = r"[0-9a-z_\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u0590-\u06ff]"


def fold(text: str) -> str:
    """Lower-case, NFKC-normalised, zero-width characters removed: what matching sees."""
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).casefold()


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    terms = [fold(t).strip() for t in terms if t and t.strip()]
    if not terms:
        return None
    alternatives = sorted({re.escape(t) for t in terms}, key=len, reverse=True)
    # word boundaries for alphabetic scripts; none needed next to CJK text, which has no spaces
    return re.compile(rf"(?<!{_WORD})(?:" + "|".join(alternatives) + rf")(?!{_WORD})")


@dataclass(frozen=True)
class Match:
    brand: str
    is_brand: bool


class Matcher:
    def __init__(self, brands: list[Brand]):
        self.brands = brands
        self._compiled = []
        for brand in brands:
            handles = {h for accts in brand.accounts.values() for h in accts}
            terms = list(brand.keywords) + [h if h.startswith("@") else "@" + h for h in handles]
            terms += [h.lstrip("@") for h in handles]
            self._compiled.append((brand, _pattern(terms), _pattern(brand.exclusions),
                                   _pattern(brand.competitors)))

    def own_account(self, platform: str, author: str | None) -> Brand | None:
        if not author:
            return None
        name = author.lower().lstrip("@")
        for brand in self.brands:
            if name in brand.handles(platform):
                return brand
        return None

    def match(self, platform: str, author: str | None, text: str) -> Match | None:
        own = self.own_account(platform, author)
        if own is not None:
            return Match(own.name, True)
        folded = fold(text or "")
        for brand, keywords, exclusions, _ in self._compiled:
            if keywords is None or not keywords.search(folded):
                continue
            if exclusions is not None and exclusions.search(folded):
                continue
            return Match(brand.name, False)
        return None

def search_terms(brand: Brand, platform: str) -> list[str]:
    """Keywords and handles to send to a platform's search (the matcher re-checks locally)."""
    terms = [k for k in brand.keywords if k.strip()]
    for handle in brand.accounts.get(platform, []):
        handle = handle.lstrip("@").split("@")[0]
        if handle and handle.lower() not in {t.lower().lstrip("@") for t in terms}:
            terms.append("@" + handle)
    return terms
