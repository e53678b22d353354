"""Language identification for short social posts.

Order of decisions, cheapest first:
1. Handles, URLs, hashtags, e-mails, emoji, digits and punctuation are stripped (`text.strip_noise`).
2. Too little text left (under 2 words or 6 letters for alphabetic scripts, under 2 characters for
   CJK) -> ``"und"``: a short post is not guessed.
3. Script shortcuts: kana -> ja, Han -> zh; Cyrillic is split into Russian / Ukrainian by the letters
   only one of them has (і ї є ґ versus ы э ё ъ) and by function words.
4. Latin script: exclusive function words and diacritics of the configured languages decide when
   they agree clearly.
5. Otherwise lingua-language-detector, restricted to the configured languages of that script, with
   a minimum relative distance so that an unsure answer becomes ``"und"``.

A platform language hint is used when it is a configured language written in the text's script.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

from earful.sentiment.text import strip_noise

DEFAULT_LANGUAGES = ("en", "ru", "pl", "zh", "de", "es", "fr", "uk", "pt", "it")
UND = "und"

SCRIPT = {"en": "latin", "pl": "latin", "de": "latin", "es": "latin", "fr": "latin", "pt": "latin",
          "it": "latin", "nl": "latin", "sv": "latin", "cs": "latin", "tr": "latin", "ro": "latin",
          "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "be": "cyrillic", "sr": "cyrillic",
          "zh": "han", "ja": "han", "ko": "hangul", "ar": "arabic", "hi": "devanagari", "el": "greek"}

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYR = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DEVA = re.compile(r"[\u0900-\u097f]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_UK_ONLY = re.compile(r"[іїєґ]", re.I)
_RU_ONLY = re.compile(r"[ыэёъ]", re.I)

STOPWORDS = {
    "en": "the and is are was were you your my i it this that to of for with not have has be been but "
          "what why when how can can't don't it's i'm just they them their there would could will "
          "from about at me we our an if do did does no yes so all still got thanks please".split(),
    "de": "der die das und ist nicht ich du sie wir ihr mein meine ein eine einen mit auf für von "
          "zu es sich auch noch schon aber wie was warum wann kein keine bei seit nach wird sind "
          "habe hat haben bitte danke mir mich dich euch immer".split(),
    "es": "el la los las y es un una que de del por para con no se mi muy pero está esta son "
          "como qué cuando porque yo tu su sus todo nada ya también hay pues sin más gracias "
          "favor llevo tengo".split(),
    "fr": "le la les et est un une des de du que qui pas je tu il elle nous vous mon ma mes "
          "pour avec sur dans ce cette mais ne plus très toujours rien c'est j'ai suis merci "
          "aussi au aux votre vos depuis".split(),
    "pt": "o a os as e é um uma que de do da dos das não nao em no na com para por mas meu minha "
          "você voce isso muito já ainda eu ele ela estou está foi são tem obrigado obrigada "
          "pelo pela até sem".split(),
    "it": "il lo la gli le e è un una che di del della dei per con non mi ma come sono ho hai "
          "anche ancora molto perché questo questa mio mia sempre grazie da nel nella".split(),
    "pl": "i w na z że nie jest to się do jak mnie mój moja moje ale już jeszcze od po czy "
          "tak dla co być mam ma są jestem było przez tylko bardzo dzięki proszę dlaczego "
          "kiedy nadal".split(),
    "nl": "de het een en is niet ik je van dat op te met voor zijn maar ook nog wel mijn".split(),
    "ru": "и в не на я что с по это как у а то но мне меня мой моя уже ещё еще так за от "
          "вы вас они все всё был была было почему когда до же только очень".split(),
    "uk": "і й в у не на я що з по це як а то але мені мене мій моя вже ще так за від ви "
          "вас вони всі був була було чому коли до же тільки дуже".split(),
}
DIACRITICS = {
    "pl": "ąęłńśźż", "de": "äöüß", "es": "ñ¿¡", "fr": "èêëçœùû", "pt": "ãõç", "it": "ìò",
}


@lru_cache(maxsize=None)
def _exclusive(languages: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Function words that belong to exactly one of the configured languages."""
    out = {}
    for lang in languages:
        others = set()
        for other in languages:
            if other != lang:
                others.update(STOPWORDS.get(other, ()))
        out[lang] = frozenset(w for w in STOPWORDS.get(lang, ()) if w not in others)
    return out


_lingua_lock = threading.Lock()
_lingua: dict[tuple[str, ...], object] = {}

_LINGUA_CODES = {"pt": "PT", "zh": "ZH"}


LONG = 120  # stripped texts at least this long use lingua's faster low-accuracy mode (trigrams only)


def lingua_detector(languages: tuple[str, ...], low_accuracy: bool = False):
    """A lingua detector for these ISO 639-1 codes, built once per set (models load lazily)."""
    key = tuple(sorted(languages)) + (("low",) if low_accuracy else ())
    with _lingua_lock:
        det = _lingua.get(key)
        if det is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = [getattr(IsoCode639_1, c.upper()) for c in key if c != "low" and hasattr(IsoCode639_1, c.upper())]
            if len(codes) < 2:
                return None
            builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_minimum_relative_distance(0.1)
            det = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()
            _lingua[key] = det
        return det


def preload(languages: Sequence[str]) -> None:
    """Load the lingua models now (they otherwise load on first use)."""
    for script in {"latin", "cyrillic"}:
        langs = tuple(sorted(l for l in languages if SCRIPT.get(l) == script))
        for low_acc in (False, True):
            det = lingua_detector(langs, low_acc) if len(langs) >= 2 else None
            if det is not None:
                det.detect_language_of("this is a warm up " if script == "latin" else "это проверка связи")


class LanguageId:
    def __init__(self, languages: Sequence[str] | None = None):
        self.languages = tuple(dict.fromkeys(languages or DEFAULT_LANGUAGES))
        self._by_script: dict[str, tuple[str, ...]] = {}
        for lang in self.languages:
            self._by_script.setdefault(SCRIPT.get(lang, "other"), ())
            self._by_script[SCRIPT.get(lang, "other")] += (lang,)
        latin = self._by_script.get("latin", ())
        self._latin_excl = {w: l for l, ws in _exclusive(latin).items() for w in ws}
        self._diacritics = {c: l for l in latin for c in DIACRITICS.get(l, "")}
        self._diacritic_re = re.compile("[" + "".join(self._diacritics) + "]") if self._diacritics else None
        cyr = self._by_script.get("cyrillic", ())
        self._cyr_excl = {w: l for l, ws in _exclusive(cyr).items() for w in ws}

    # -- public -------------------------------------------------------------------------------
    def detect(self, text: str, hint: str | None = None) -> str:
        lang, pending = self._fast(text, hint)
        if pending is None:
            return lang
        return self._lingua_one(*pending)

    def detect_many(self, texts: Sequence[str], hints: Sequence[str | None] | None = None) -> list[str]:
        out: list[str] = []
        todo: dict[tuple[tuple[str, ...], bool], list[tuple[int, str]]] = {}
        for i, text in enumerate(texts):
            lang, pending = self._fast(text, hints[i] if hints else None)
            out.append(lang)
            if pending is not None:
                todo.setdefault((pending[1], len(pending[0]) >= LONG), []).append((i, pending[0]))
        for (langs, low_acc), items in sorted(todo.items()):
            det = lingua_detector(langs, low_acc)
            if det is None:
                for i, _ in items:
                    out[i] = langs[0] if len(langs) == 1 else UND
                continue
            found = det.detect_languages_in_parallel_of([t for _, t in items])
            for (i, _), res in zip(items, found):
                out[i] = res.iso_code_639_1.name.lower() if res is not None else UND
        return out

    # -- internals ------------------------------------------------------------------------------
    def _lingua_one(self, stripped: str, langs: tuple[str, ...]) -> str:
        det = lingua_detector(langs, len(stripped) >= LONG)
        if det is None:
            return langs[0] if len(langs) == 1 else UND
        res = det.detect_language_of(stripped)
        return res.iso_code_639_1.name.lower() if res is not None else UND

    def _fast(self, text: str, hint: str | None) -> tuple[str, tuple[str, tuple[str, ...]] | None]:
        """(language, None) when decided here, else (UND, (stripped text, candidate languages))."""
        stripped = strip_noise(text)
        if not stripped:
            return UND, None
        han = len(_HAN.findall(stripped))
        kana = len(_KANA.findall(stripped))
        if han + kana >= 2 and (han + kana) * 2 >= len(stripped.replace(" ", "")) * 0.5:
            if kana and "ja" in self.languages:
                return "ja", None
            if "zh" in self.languages and han:
                return "zh", None
            if "ja" in self.languages:
                return "ja", None
            return UND, None
        hint = (hint or "").lower().split("-")[0].split("_")[0] or None
        words = stripped.split()
        letters = sum(len(w) for w in words)
        script = self._script(stripped)
        if hint in self.languages and SCRIPT.get(hint) == script and letters >= 2:
            return hint, None
        if len(words) < 2 or letters < 6:
            return UND, None
        candidates = self._by_script.get(script, ())
        if not candidates:
            return UND, None
        if len(candidates) == 1:
            return candidates[0], None
        low = stripped.lower()
        if script == "cyrillic":
            uk, ru = len(_UK_ONLY.findall(low)), len(_RU_ONLY.findall(low))
            if "uk" in candidates and "ru" in candidates:
                if uk and not ru:
                    return "uk", None
                if ru and not uk:
                    return "ru", None
            guess = self._by_words(low.split(), self._cyr_excl, None, {})
            if guess is not None:
                return guess, None
            return UND, (stripped, candidates)
        if script == "latin":
            guess = self._by_words(low.split(), self._latin_excl, self._diacritic_re, self._diacritics)
            if guess is not None:
                return guess, None
        return UND, (stripped, candidates)

    @staticmethod
    def _by_words(words: list[str], exclusive: dict[str, str], marks_re, marks: dict[str, str]) -> str | None:
        scores: dict[str, int] = {}
        for w in words:
            lang = exclusive.get(w)
            if lang is not None:
                scores[lang] = scores.get(lang, 0) + 1
        if marks_re is not None:
            for w in words:
                m = marks_re.search(w)
                if m is not None:
                    lang = marks[m.group(0)]
                    scores[lang] = scores.get(lang, 0) + 1
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        if top >= 3 and top >= 3 * second:
            return best
        return None

    @staticmethod
    def _script(stripped: str) -> str:
        sample = stripped[:200]
        counts = {
            "latin": len(_LATIN.findall(sample)), "cyrillic": len(_CYR.findall(sample)),
            "arabic": len(_ARABIC.findall(sample)), "devanagari": len(_DEVA.findall(sample)),
            "greek": len(_GREEK.findall(sample)), "hangul": len(_HANGUL.findall(sample)),
            "han": len(_HAN.findall(sample)),
        }
        return max(counts, key=counts.__getitem__)
