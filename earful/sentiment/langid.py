"""Language identification for short social posts.

Order of decisions, cheapest first (the letter words of the whole batch are found and counted in
compiled code, `kernels.letter_stats`; a post becomes a Python string of words only when the stop-word
vote or lingua needs it):
1. Handles, URLs, hashtags, e-mails, emoji, digits and punctuation are stripped (`text.strip_noise`).
2. Script shortcuts: kana -> ja, Han -> zh (CJK needs 2+ characters).
3. Too little text left (under 2 words or 6 letters) -> ``"und"``: a short post is not guessed.
4. Cyrillic is split into Russian / Ukrainian by the letters only one of them has (і ї є ґ versus
   ы э ё ъ); then a stop-word vote (every function word of the configured Cyrillic languages; shared
   words split their vote; the best needs VOTE_MIN points and VOTE_RATIO times the runner-up); what the
   vote leaves open is Ukrainian when it has a Ukrainian-only word (`ru_or_uk`) and no Russian-only
   one, Russian when it has no Ukrainian word; only posts with both go on to lingua.
5. Latin posts: a character-trigram naive-Bayes model (`trigram_lm`, built at train time from xlm-t and
   the labelled training posts, shipped in the artifact) scores the batch; its best candidate is taken
   when it leads the runner-up by at least NB_MARGIN nats (most posts). The rest get the stop-word vote
   (function words and diacritics); what the vote leaves open goes back to the trigram model, restricted
   to the languages the vote saw, with a lead of at least NB_FALLBACK nats, else ``"und"``. (lingua
   used to decide these ~0.4% of posts; it was no more accurate on the langid check and loading its
   models cost ~2 s per process, see README.)
6. Otherwise (other scripts, Latin languages the trigram table lacks) lingua-language-detector,
   restricted to the candidate languages, high-accuracy mode for texts under 120 characters, low-accuracy
   mode above, with a minimum relative distance so that an unsure answer becomes ``"und"``.

A platform language hint is used when it is a configured language written in the text's script.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from earful.sentiment import kernels, trigram_lm
from earful.sentiment import kernels as K
from earful.sentiment.batchtokens import Batch
from earful.sentiment.text import denoise

DEFAULT_LANGUAGES = ("en", "ru", "pl", "zh", "de", "es", "fr", "uk", "pt", "it")
UND = "und"

SCRIPT = {"en": "latin", "pl": "latin", "de": "latin", "es": "latin", "fr": "latin", "pt": "latin",
          "it": "latin", "nl": "latin", "sv": "latin", "cs": "latin", "tr": "latin", "ro": "latin",
          "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "be": "cyrillic", "sr": "cyrillic",
          "zh": "han", "ja": "han", "ko": "hangul", "ar": "arabic", "hi": "devanagari", "el": "greek"}

# Cyrillic text with neither set of letters and an undecided vote: Ukrainian words written without і ї є ґ
# (and Russian words that are not Ukrainian). Without a Ukrainian word the text is Russian (SentiRuEval +
# labelled + demo + benchmark posts: the same answers as lingua gave, except 2 Russian posts it called `uk`).
_UK_WORDS = frozenset(
    "що чому чи як якщо яка який яке яку вже ще коли мене дуже або щоб хто зараз вчора знову цей ця можна "
    "треба досі дякую будь ласка тому його нього вони ви ми вона воно але бо також немає нема тижня ранку та "
    "хочете можу вперше прийшов прийшла хоч новий".split())
_RU_WORDS = frozenset(
    "что как уже еще когда меня мне мой моя очень от почему или если чтобы кто чем сейчас сегодня вчера "
    "опять снова можно нужно надо есть где после теперь тоже даже только спасибо пожалуйста деньги и с со "
    "его ее она оно они всегда никогда ничего нет вот ли могу заказ дней раза работает".split())


def ru_or_uk(words: list[str]) -> str | None:
    """'uk' for Ukrainian words and no Russian ones, 'ru' for no Ukrainian word, None when both appear."""
    uk = ru = False
    for w in words:
        if w in _UK_WORDS or w.endswith("ння") or w.startswith("замов"):
            uk = True
        elif w in _RU_WORDS:
            ru = True
    if not uk:
        return "ru"
    return None if ru else "uk"

STOPWORDS = {
    "en": "the and is are was were you your my i it this that to of for with not have has had be been but "
          "what why when how can can't cant don't dont it's its i'm im just they them their there would could "
          "will from about at me we our an if do did does no yes so all still got thanks thank please "
          "he she his her him who which than then out up get one like now been by on in or any some only "
          "after again after since never ever even back us should shouldn't doesn't didn't won't isn't "
          "wasn't haven't hasn't i've i'll you're they're that's there's what's let's because here very "
          "much more most into over these those being going gonna want need know think".split(),
    "de": "der die das und ist nicht ich du sie wir ihr mein meine meinen meinem ein eine einen einem einer "
          "mit auf für von zu es sich auch noch schon aber wie was warum wann kein keine bei seit nach wird "
          "sind habe hat haben bitte danke mir mich dich euch immer den dem des im ins vom zum zur auch "
          "oder wenn dass daß weil nur jetzt hier heute wieder sehr mehr muss kann können gibt war wurde "
          "werden ja nein gar doch mal man selbst über unter ohne gegen durch bis ab dir uns unser euer "
          "dieser diese dieses jetzt gestern morgen endlich seid bin bist".split(),
    "es": "el la los las y es un una que de del por para con no se mi muy pero está esta son como qué "
          "cuando porque yo tu su sus todo nada ya también hay pues sin más gracias favor llevo tengo "
          "lo le les al este esto eso ese hace hasta desde sobre entre ni o si sí me te nos ha han he "
          "fue era estoy estamos están tiene tienen puedo puede ahora siempre nunca otra otro vez mis "
          "tus nuestro hoy aquí donde dónde cómo porqué qué quien nadie algo alguien todavía aún pedido".split(),
    "fr": "le la les et est un une des de du que qui pas je tu il elle nous vous mon ma mes pour avec "
          "sur dans ce cette mais ne plus très toujours rien c'est j'ai suis merci aussi au aux votre vos "
          "depuis on ils elles leur ses son sa ou où si y en été être avoir ai as avez ont sont était "
          "fait faire peut peux veux comme quand pourquoi comment encore déjà aujourd'hui jamais tout "
          "tous toute ça cela ici chez moi toi lui sans n'est n'ai qu'il qu'on d'un d'une l'on".split(),
    "pt": "o a os as e é um uma que de do da dos das não nao em no na com para por mas meu minha você "
          "voce isso muito já ainda eu ele ela estou está foi são tem obrigado obrigada pelo pela até "
          "sem se me te nos vocês ao aos às seu sua seus suas esse essa este esta aqui agora hoje "
          "sempre nunca nada quando porque porquê por que como onde ou mais também tá to tô vc q pq "
          "ter sou era estava fui vai vou tenho pra pro num numa dia cadê nem".split(),
    "it": "il lo la gli le e è un una che di del della dei per con non mi ma come sono ho hai anche "
          "ancora molto perché questo questa mio mia sempre grazie da nel nella ti ci si al alla "
          "allo ai agli delle degli sul sulla più già oggi qui dove quando cosa chi tutto tutti "
          "niente nessuno essere fatto fare può posso voglio mai ora poi hanno siamo siete era".split(),
    "pl": "i w na z że nie jest to się do jak mnie mój moja moje ale już jeszcze od po czy tak dla co "
          "być mam ma są jestem było przez tylko bardzo dzięki proszę dlaczego kiedy nadal ze we "
          "o u za przy bez mi ci go jej ich nas was wam ten ta te tego tej tym tu tam gdzie który "
          "która które też także więc bo lub albo żeby może można trzeba nic nikt znowu znów "
          "dzisiaj dziś teraz wczoraj był była były będzie mój moim mojej czemu się jak".split(),
    "nl": "de het een en is niet ik je van dat op te met voor zijn maar ook nog wel mijn".split(),
    "ru": "и в не на я что с по это как у а то но мне меня мой моя уже ещё еще так за от вы вас они "
          "все всё был была было почему когда до же только очень он она оно мы их его её ее нас нам "
          "вам им ли бы или если чтобы где кто чем тут там здесь сейчас сегодня вчера нет да ни "
          "опять снова уж вот этот эта эти этого какой какая который которая можно нужно надо".split(),
    "uk": "і й в у не на я що з по це як а то але мені мене мій моя вже ще так за від ви вас вони "
          "всі був була було чому коли до же тільки дуже він вона воно ми їх його її нас нам вам "
          "їм чи б або якщо щоб де хто ніж тут там зараз сьогодні вчора ні так знову ось цей ця "
          "ці цього який яка які можна треба досі".split(),
}
DIACRITICS = {
    "pl": "ąęłńśźżć", "de": "äöüß", "es": "ñ¿¡", "fr": "èêëçœùûâîà", "pt": "ãõçâêô", "it": "ìò",
}
VOTE_MIN = 1.5    # a Latin/Cyrillic text is decided by the word vote when the best language scores this much
VOTE_RATIO = 2.0  # ... and at least this many times the runner-up


def _vote_table(languages: tuple[str, ...], table: dict[str, str | list[str]], split: bool):
    """item -> ((language, weight), ...): an item shared by k of the languages gives each 1/k."""
    owners: dict[str, list[str]] = {}
    for lang in languages:
        items = table.get(lang, ())
        for item in set(items.split() if split and isinstance(items, str) else items):
            owners.setdefault(item, []).append(lang)
    return {item: tuple((lang, 1.0 / len(ls)) for lang in ls) for item, ls in owners.items()}


_lingua_lock = threading.Lock()
_lingua: dict[tuple[str, ...], object] = {}

_LINGUA_CODES = {"pt": "PT", "zh": "ZH"}


LONG = 120  # stripped texts at least this long use lingua's faster low-accuracy mode (trigrams only)
LINGUA_MEMO_MAX = 50_000  # stripped texts whose lingua answer is remembered
NB_MARGIN = 4.0  # trigram naive-Bayes log-likelihood lead (nats) that decides a Latin post before the vote
NB_FALLBACK = 1.0  # ... and after the vote left it open (smaller leads: "und")
MODEL_DIR = Path(__file__).with_name("model")
_TRIGRAMS: dict[str, object] = {}


def shipped_trigrams():
    """The shipped trigram table (None when the artifact has none), loaded once."""
    if "t" not in _TRIGRAMS:
        _TRIGRAMS["t"] = trigram_lm.load(MODEL_DIR)
    return _TRIGRAMS["t"]


HIGH_ACCURACY_MAX = 8  # ... and texts with more candidate languages than this (high accuracy is ~3x slower, but
                       # measured on xlm-t + labelled posts it errs 1% instead of 4% on fr, es, en: kept for all)


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


class LanguageId:
    def __init__(self, languages: Sequence[str] | None = None, trigrams="shipped"):
        self.languages = tuple(dict.fromkeys(languages or DEFAULT_LANGUAGES))
        # trigram naive-Bayes table for Latin posts ("shipped": model/langid_trigrams.npz; None: lingua only)
        self._trigrams = shipped_trigrams() if isinstance(trigrams, str) else trigrams
        self._nb_col = {lang: j for j, lang in enumerate(trigram_lm.LANGS)}
        self._by_script: dict[str, tuple[str, ...]] = {}
        for lang in self.languages:
            self._by_script.setdefault(SCRIPT.get(lang, "other"), ())
            self._by_script[SCRIPT.get(lang, "other")] += (lang,)
        latin = self._by_script.get("latin", ())
        self._latin_words = _vote_table(latin, STOPWORDS, False)
        self._latin_marks = {c: v for c, v in _vote_table(latin, {lang: list(DIACRITICS.get(lang, "")) for lang in latin},
                                                          False).items()}
        self._latin_mark_set = frozenset(self._latin_marks)
        cyr = self._by_script.get("cyrillic", ())
        self._cyr_words = _vote_table(cyr, STOPWORDS, False)
        self._ru_uk_only = set(cyr) == {"ru", "uk"}  # then `ru_or_uk` decides what the vote cannot
        self._latin_trigrams_first = (self._trigrams is not None and len(latin) >= 2
                                      and all(lang in self._nb_col for lang in latin))
        # lingua's answer per (candidates, mode) and stripped text: lingua costs 50-150 us a post, and
        # retweets, copies and bot posts repeat texts (bounded; cleared when full)
        self._lingua_memo: dict[tuple[tuple[str, ...], bool], dict[str, str]] = {}
        self._lingua_memo_n = 0

    # -- public -------------------------------------------------------------------------------
    def detect(self, text: str, hint: str | None = None) -> str:
        return self.detect_many([text], [hint])[0]

    def detect_many(self, texts: Sequence[str], hints: Sequence[str | None] | None = None) -> list[str]:
        """The language of each text. The letter words of the whole batch (`text.strip_noise`) are found and
        counted by compiled code (`kernels.letter_stats`); a post becomes a Python string of words only
        when the stop-word vote or lingua needs it."""
        n = len(texts)
        batch = Batch([denoise(t.lower()) for t in texts])  # lingua lower-cases too
        tok = batch.tokens(kernels.LETTERS)
        stats = kernels.letter_stats(batch.cp, tok.start, tok.end, tok.first, n, _script_table()).tolist()

        def stripped(d: int) -> str:
            return " ".join(batch.strings(tok, d))

        out: list[str] = []
        todo: dict[tuple[tuple[str, ...], bool], list[tuple[int, str | None]]] = {}
        unvoted: dict[tuple[tuple[str, ...], bool], list[tuple[int, str | None]]] = {}  # Latin: trigrams first
        decide = self._decide
        for d in range(n):
            lang, pending = decide(stats[d], hints[d] if hints else None, d, stripped)
            out.append(lang)
            if pending is not None:
                candidates, deferred, text = pending
                low_acc = len(candidates) > HIGH_ACCURACY_MAX or _stripped_len(stats[d]) >= LONG
                (unvoted if deferred else todo).setdefault((candidates, low_acc), []).append((d, text))
        if unvoted:
            self._trigram_decide(unvoted, out, batch, tok)
            for (candidates, _low_acc), items in unvoted.items():  # the trigram margin was small: vote
                for d, _ in items:
                    text = stripped(d)
                    guess, scored = self._latin_vote(text)
                    if guess is not None:
                        out[d] = guess
                        continue
                    narrowed = tuple(lang for lang in candidates if lang in scored) if len(scored) >= 2 else candidates
                    low = len(narrowed) > HIGH_ACCURACY_MAX or len(text) >= LONG
                    todo.setdefault((narrowed, low), []).append((d, text))
        if self._trigrams is not None:
            # what the stop-word vote left open: the trigram model's best candidate with a smaller lead, else
            # "und" (lingua, ~2 s to load its models, now only sees scripts and languages without trigrams)
            self._trigram_decide(todo, out, batch, tok, NB_FALLBACK)
            for k in [k for k in todo if self._has_trigrams(k[0])]:
                for d, _ in todo.pop(k):
                    out[d] = UND
        memo = self._lingua_memo
        for key, items in sorted(todo.items()):
            langs, low_acc = key
            det = lingua_detector(langs, low_acc)
            if det is None:
                for d, _ in items:
                    out[d] = langs[0] if len(langs) == 1 else UND
                continue
            items = [(d, t if t is not None else stripped(d)) for d, t in items]
            seen = memo.setdefault(key, {})
            new = list(dict.fromkeys(t for _, t in items if t not in seen))
            if new:
                self._lingua_memo_n += len(new)
                if self._lingua_memo_n > LINGUA_MEMO_MAX:
                    memo.clear()
                    self._lingua_memo_n = len(new)
                    seen = memo.setdefault(key, {})
                for t, res in zip(new, det.detect_languages_in_parallel_of(new)):
                    seen[t] = res.iso_code_639_1.name.lower() if res is not None else UND
            for d, t in items:
                out[d] = seen[t]
        return out

    # -- internals ------------------------------------------------------------------------------
    def _trigram_decide(self, todo, out: list[str], batch, tok, lead: float = NB_MARGIN) -> None:
        """Decide the Latin posts waiting in ``todo`` whose trigram naive-Bayes margin is large; the rest
        stay there."""
        keys = [k for k in todo if self._has_trigrams(k[0])]
        if not keys:
            return
        docs = np.asarray([d for k in keys for d, _ in todo[k]], np.int64)
        sc = kernels.trigram_token_sums(batch.cp, tok.start, tok.end, tok.first, docs, self._trigrams, trigram_lm.BITS)
        row = 0
        for k in keys:
            cols = [self._nb_col[c] for c in k[0]]
            sub = sc[row:row + len(todo[k])][:, cols]
            row += len(todo[k])
            order = np.argsort(-sub, axis=1, kind="stable")
            n = np.arange(len(sub))
            margin = sub[n, order[:, 0]] - sub[n, order[:, 1]]
            keep = []
            for item, best, m in zip(todo[k], order[:, 0].tolist(), margin.tolist()):
                if m >= lead:
                    out[item[0]] = k[0][best]
                else:
                    keep.append(item)
            if keep:
                todo[k] = keep
            else:
                del todo[k]

    def _has_trigrams(self, candidates: tuple[str, ...]) -> bool:
        """Whether the trigram model can choose between these candidate languages (Latin, all in its table)."""
        return (self._trigrams is not None and len(candidates) >= 2 and SCRIPT.get(candidates[0]) == "latin"
                and all(c in self._nb_col for c in candidates))

    def _decide(self, st: list[int], hint: str | None, d: int, stripped) -> tuple[str, tuple | None]:
        """`_fast` from the counts of `kernels.letter_stats`: (language, None) when decided here, else
        (UND, (candidate languages, whether the stop-word vote is still to come, stripped text or None));
        ``stripped(d)`` makes the text of words when the vote needs it."""
        n_words, letters = st[K.ST_WORDS], st[K.ST_LETTERS]
        if not n_words:
            return UND, None
        ascii_only = not st[K.ST_NON_ASCII]
        han, kana = st[K.ST_HAN], st[K.ST_KANA]
        if not ascii_only and han + kana:
            if not (han or "ja" in self.languages):
                kana = 0
            if han + kana >= 2 and (han + kana) * 2 >= letters * 0.5:
                if kana and "ja" in self.languages:
                    return "ja", None
                if "zh" in self.languages and han:
                    return "zh", None
                if "ja" in self.languages:
                    return "ja", None
                return UND, None
        if hint:
            hint = hint.lower().split("-")[0].split("_")[0] or None
        script = "latin" if ascii_only else _script_of(st)
        if hint in self.languages and SCRIPT.get(hint) == script and letters >= 2:
            return hint, None
        if n_words < 2 or letters < 6:
            return UND, None
        candidates = self._by_script.get(script, ())
        if not candidates:
            return UND, None
        if len(candidates) == 1:
            return candidates[0], None
        if script == "cyrillic":
            if "uk" in candidates and "ru" in candidates:
                uk, ru = st[K.ST_UK], st[K.ST_RU]
                if uk and not ru:
                    return "uk", None
                if ru and not uk:
                    return "ru", None
            text = stripped(d)
            words = text.split()
            guess, scored = self._vote(words, self._cyr_words, None)
            if guess is None and self._ru_uk_only:
                guess = ru_or_uk(words)
        elif script == "latin":
            if self._latin_trigrams_first:  # the trigram model decides most Latin posts; the vote the rest
                return UND, (candidates, True, None)
            text = stripped(d)
            guess, scored = self._latin_vote(text)
        else:
            return UND, (candidates, False, None)
        if guess is not None:
            return guess, None
        # later steps choose between the languages the vote saw (all of the script's when it saw none)
        if len(scored) >= 2:
            candidates = tuple(lang for lang in candidates if lang in scored)
        return UND, (candidates, False, text)

    def _latin_vote(self, stripped: str, words: list[str] | None = None) -> tuple[str | None, dict[str, float]]:
        marks = None if stripped.isascii() else self._latin_mark_set.intersection(stripped)
        return self._vote(stripped.split() if words is None else words, self._latin_words, marks, stripped)

    def _vote(self, words: list[str], table, marks, low: str = "") -> tuple[str | None, dict[str, float]]:
        scores: dict[str, float] = {}
        get = table.get
        for w in words:
            hit = get(w)
            if hit is not None:
                for lang, v in hit:
                    scores[lang] = scores.get(lang, 0.0) + v
        if marks:
            for ch in marks:
                n = min(low.count(ch), 2)
                for lang, v in self._latin_marks[ch]:
                    scores[lang] = scores.get(lang, 0.0) + v * n
        if not scores:
            return None, scores
        best, top, second = "", 0.0, 0.0
        for lang, v in scores.items():  # (a tie never passes the ratio test below)
            if v > top:
                best, top, second = lang, v, top
            elif v > second:
                second = v
        if top >= VOTE_MIN and top >= VOTE_RATIO * second:
            return best, scores
        return None, scores


def _stripped_len(st: list[int]) -> int:
    return st[K.ST_LETTERS] + st[K.ST_WORDS] - 1


def _script_of(st: list[int]) -> str:
    """The script of a stripped text from the counts of its first SAMPLE characters: Cyrillic or Latin when
    they make up half of it, else the most frequent script (first in this order on a tie)."""
    cyr, lat, sample = st[K.ST_CYR], st[K.ST_LATIN], st[K.ST_SAMPLE_LEN]
    if (cyr + lat) * 2 >= sample:
        return "cyrillic" if cyr > lat else "latin"
    counts = {"latin": lat, "cyrillic": cyr, "arabic": st[K.ST_ARABIC], "devanagari": st[K.ST_DEVA],
              "greek": st[K.ST_GREEK], "hangul": st[K.ST_HANGUL], "han": st[K.ST_HAN_SAMPLE]}
    return max(counts, key=counts.__getitem__)


_SCRIPT_RANGES = {  # the character classes of the script regexes above, as code point ranges
    "cyrillic": [(0x0400, 0x04FF)], "latin": [(0x41, 0x5A), (0x61, 0x7A), (0x00C0, 0x024F)],
    "arabic": [(0x0600, 0x06FF)], "devanagari": [(0x0900, 0x097F)], "greek": [(0x0370, 0x03FF)],
    "hangul": [(0xAC00, 0xD7AF)], "han": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)],
    "kana": [(0x3040, 0x30FF)],
}


@lru_cache(maxsize=1)
def _script_table() -> np.ndarray:
    table = np.zeros(0x10000, np.uint16)
    for name, ranges in _SCRIPT_RANGES.items():
        for lo, hi in ranges:
            table[lo:hi + 1] |= K.SCRIPT_BITS[name]
    for name, letters in (("uk_only", "іїєґІЇЄҐ"), ("ru_only", "ыэёъЫЭЁЪ")):
        for ch in letters:
            table[ord(ch)] |= K.SCRIPT_BITS[name]
    return table
