"""VADER's compound and negative share, the same numbers as vaderSentiment 3.3.2, computed faster.

``SentimentIntensityAnalyzer.polarity_scores`` spends most of its time on work whose result is
known in advance for nearly every token: a character loop looking for emoji, stripping and
lower-casing every token, and list copies in the negation checks. This module keeps VADER's lexicon
and emoji table (read from the installed package) and its rules line for line, but:

- skips the emoji loop when no character of the post is in the emoji table (one set test);
- remembers, per distinct raw token, its stripped form, lower case, ALL-CAPS flag and lexicon value
  (tokens follow Zipf's law, so nearly every lookup is a dict hit; bounded);
- evaluates the rules only at the tokens found in the lexicon (every other token scores 0, exactly as
  in VADER), and the idiom check only when a word of an idiom is near;
- keeps VADER's own quirks (the ``but`` rescaling that looks values up with ``list.index``, negative
  indices never reached, rounding of the returned numbers).

`tests/test_sentiment_vader.py` checks equality with the package on VADER's ground-truth sets.
"""

from __future__ import annotations

import math
import string
import threading

from vaderSentiment import vaderSentiment as _v

B_DICT = _v.BOOSTER_DICT
SPECIAL = _v.SPECIAL_CASES
N_SCALAR = _v.N_SCALAR
C_INCR = _v.C_INCR
_NEGATE = frozenset(_v.NEGATE)
_PUNCT = string.punctuation
# every word of a special-case idiom or multi-word booster: the idiom check can only change a valence
# when one of these is within three tokens of the lexicon word
_IDIOM_WORDS = frozenset(w for key in list(SPECIAL) + [k for k in B_DICT if " " in k] for w in key.split())
_CACHE_MAX = 100_000


def _negated(low: str) -> bool:
    """vaderSentiment.negated([word]) for one lower-case word."""
    return low in _NEGATE or "n't" in low


class FastVader:
    """``scores(text) -> (compound, neg)`` equal to VADER's ``polarity_scores(text)`` values."""

    _lock = threading.Lock()
    _shared: FastVader | None = None

    def __init__(self, sia=None):
        if sia is None:
            sia = _v.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = sia.lexicon
        self.emojis: dict[str, str] = sia.emojis
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        # raw token -> (stripped word, lower case, isupper, lexicon valence or None, negation word)
        self._tok: dict[str, tuple[str, str, bool, float | None, bool]] = {}

    @classmethod
    def get(cls) -> FastVader:
        with cls._lock:
            if cls._shared is None:
                cls._shared = FastVader()
            return cls._shared

    # -- tokens ---------------------------------------------------------------------------------
    def _info(self, token: str):
        stripped = token.strip(_PUNCT)
        word = token if len(stripped) <= 2 else stripped
        low = word.lower()
        info = (word, low, word.isupper(), self.lexicon.get(low), _negated(low))
        if len(self._tok) >= _CACHE_MAX:
            self._tok.clear()
        self._tok[token] = info
        return info

    def _demoji(self, text: str) -> str:
        if text.isascii() or self._emoji_chars.isdisjoint(text):
            return text.strip()
        out = []
        prev_space = True
        emojis = self.emojis
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out).strip()

    # -- scoring ----------------------------------------------------------------------------------
    def scores(self, text: str) -> tuple[float, float]:
        """(compound rounded to 4 decimals, neg rounded to 3), as ``polarity_scores`` returns them."""
        text = self._demoji(text)
        raw = text.split()
        if not raw:
            return 0.0, 0.0
        cache = self._tok
        infos = [cache.get(t) or self._info(t) for t in raw]
        n = len(infos)
        lows = [x[1] for x in infos]
        hits = [i for i, x in enumerate(infos) if x[3] is not None]
        if not hits:  # every token scores 0: VADER returns compound 0, neg 0
            return 0.0, 0.0
        n_upper = sum(1 for x in infos if x[2])
        is_cap_diff = 0 < n - n_upper < n
        lexicon = self.lexicon
        values: list[tuple[int, float]] = []
        for i in hits:
            low = lows[i]
            if low in B_DICT:
                continue
            if low == "kind" and i < n - 1 and lows[i + 1] == "of":
                continue
            v = self._valence(i, infos, lows, n, is_cap_diff, lexicon)
            if v != 0:
                values.append((i, v))
        if "but" in lows:
            sentiments: list[float] = [0] * n
            for i, v in values:
                sentiments[i] = v
            sentiments = _but_check(lows, sentiments)
            nonzero = [s for s in sentiments if s != 0]
        else:
            nonzero = [v for _, v in values]
        if not nonzero:
            return 0.0, 0.0
        sum_s = float(sum(nonzero))
        punct = _punctuation_emphasis(text)
        if sum_s > 0:
            sum_s += punct
        elif sum_s < 0:
            sum_s -= punct
        compound = sum_s / math.sqrt(sum_s * sum_s + 15)
        compound = -1.0 if compound < -1.0 else 1.0 if compound > 1.0 else compound
        pos_sum = neg_sum = 0.0
        for s in nonzero:
            if s > 0:
                pos_sum += float(s) + 1
            if s < 0:
                neg_sum += float(s) - 1
        neu_count = n - len(nonzero)
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return round(compound, 4), round(math.fabs(neg_sum / total), 3)

    def _valence(self, i, infos, lows, n, is_cap_diff, lexicon) -> float:
        """vaderSentiment's sentiment_valence for the lexicon word at position i."""
        low = lows[i]
        base = infos[i][3]
        valence = base
        if low == "no" and i != n - 1 and lows[i + 1] in lexicon:
            valence = 0.0
        if (i > 0 and lows[i - 1] == "no") or (i > 1 and lows[i - 2] == "no") or (
                i > 2 and lows[i - 3] == "no" and lows[i - 1] in ("or", "nor")):
            valence = base * N_SCALAR
        if infos[i][2] and is_cap_diff:
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        for start_i in range(3):
            if i > start_i and lows[i - (start_i + 1)] not in lexicon:
                word, wlow, wupper = infos[i - (start_i + 1)][:3]
                s = 0.0
                if wlow in B_DICT:  # scalar_inc_dec
                    s = B_DICT[wlow]
                    if valence < 0:
                        s *= -1
                    if wupper and is_cap_diff:
                        if valence > 0:
                            s += C_INCR
                        else:
                            s -= C_INCR
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = _negation_check(valence, lows, infos, start_i, i)
                if start_i == 2 and not _IDIOM_WORDS.isdisjoint(lows[i - 3:i + 3]):
                    valence = _special_idioms_check(valence, lows, i)
        # _least_check
        if i > 1 and lows[i - 1] not in lexicon and lows[i - 1] == "least":
            if lows[i - 2] != "at" and lows[i - 2] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and lows[i - 1] not in lexicon and lows[i - 1] == "least":
            valence = valence * N_SCALAR
        return valence


def _negation_check(valence, lows, infos, start_i, i):
    if start_i == 0:
        if infos[i - 1][4]:
            valence = valence * N_SCALAR
    if start_i == 1:
        if lows[i - 2] == "never" and (lows[i - 1] == "so" or lows[i - 1] == "this"):
            valence = valence * 1.25
        elif lows[i - 2] == "without" and lows[i - 1] == "doubt":
            pass
        elif infos[i - 2][4]:
            valence = valence * N_SCALAR
    if start_i == 2:
        if lows[i - 3] == "never" and (lows[i - 2] == "so" or lows[i - 2] == "this") or (
                lows[i - 1] == "so" or lows[i - 1] == "this"):
            valence = valence * 1.25
        elif lows[i - 3] == "without" and (lows[i - 2] == "doubt" or lows[i - 1] == "doubt"):
            pass
        elif infos[i - 3][4]:
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(valence, lows, i):
    onezero = f"{lows[i - 1]} {lows[i]}"
    twoonezero = f"{lows[i - 2]} {lows[i - 1]} {lows[i]}"
    twoone = f"{lows[i - 2]} {lows[i - 1]}"
    threetwoone = f"{lows[i - 3]} {lows[i - 2]} {lows[i - 1]}"
    threetwo = f"{lows[i - 3]} {lows[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL:
            valence = SPECIAL[seq]
            break
    if len(lows) - 1 > i:
        zeroone = f"{lows[i]} {lows[i + 1]}"
        if zeroone in SPECIAL:
            valence = SPECIAL[zeroone]
    if len(lows) - 1 > i + 1:
        zeroonetwo = f"{lows[i]} {lows[i + 1]} {lows[i + 2]}"
        if zeroonetwo in SPECIAL:
            valence = SPECIAL[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in B_DICT:
            valence = valence + B_DICT[n_gram]
    return valence


def _but_check(lows, sentiments):
    """VADER's contrastive 'but' rule, kept as written (it finds each value with list.index)."""
    bi = lows.index("but")
    for sentiment in sentiments:
        si = sentiments.index(sentiment)
        if si < bi:
            sentiments.pop(si)
            sentiments.insert(si, sentiment * 0.5)
        elif si > bi:
            sentiments.pop(si)
            sentiments.insert(si, sentiment * 1.5)
    return sentiments


def _punctuation_emphasis(text: str) -> float:
    ep = min(text.count("!"), 4) * 0.292
    qm_count = text.count("?")
    qm = 0
    if qm_count > 1:
        qm = qm_count * 0.18 if qm_count <= 3 else 0.96
    return ep + qm
