"""The shipped classifier: language, sentiment, intent, complaint decision, calibrated score, reasons.

Run time uses only numpy, vaderSentiment and lingua (no scikit-learn): the complaint model is a
logistic regression over hashed n-grams (`features.py`) and the rule signals (`signals.py`), stored
in ``model/`` as ``weights.npz`` + ``meta.json`` + ``lexicons.json``. Its raw score is calibrated with
Platt scaling fitted on out-of-fold predictions; the decision threshold maximises F1 out of fold.
Explicit rules then veto what the model cannot know: phishing, ads and job posts are spam; a problem
that is only about a competitor is not a complaint about the brand.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from earful.model import Enrichment
from earful.sentiment import features, lexicon, signals, trigram_lm
from earful.sentiment.batchtokens import Batch
from earful.sentiment.langid import DEFAULT_LANGUAGES, UND, LanguageId
from earful.sentiment.text import clean, for_model_many
from earful.sentiment.vader import FastVader

log = logging.getLogger(__name__)
MODEL_DIR = Path(__file__).with_name("model")
MEMO_MAX = 20_000  # posts whose signals and score are remembered (see classify_many)
CHUNK = 4096  # posts prepared together: the compiled kernels' arrays take ~40 bytes per character
WARM_UP_POSTS = [  # every kernel and script path: Latin, Cyrillic, CJK, emoji, links, order numbers
    "@telvia still no internet, third day! refund now 😡 order #12345 http://t.co/x",
    "интернет не работает уже третий день", "не працює інтернет, поверніть гроші",
    "nie działa aplikacja, proszę o zwrot", "外卖送错了 退款 很难吃", "届かない 返金してください",
    "funktioniert nicht, bitte Geld zurück", "no funciona, quiero un reembolso", "ça ne marche pas du tout",
    "não funciona, quero reembolso", "grazie mille, tutto perfetto", "LOVE IT thanks @telvia 👍",
]


@dataclass(frozen=True, slots=True)
class BrandContext:
    name: str
    handles: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class Classifier:
    def __init__(self, meta: dict, weights: np.ndarray | None, lexicons: dict[str, dict[str, float]],
                 languages: Sequence[str] | None = None, trigrams="shipped"):
        self.meta = meta
        self.version: str = meta.get("version", "untrained")
        self.languages = list(languages or meta.get("languages") or DEFAULT_LANGUAGES)
        self.langid = LanguageId(self.languages, trigrams)  # trigrams: the Latin trigram table (langid)
        self.scorers = lexicon.build_scorers(lexicons)
        self.lexicons = lexicons
        self.weights = weights
        # dense weights by name: an artifact from another code version gives 0 to signals it lacks
        by_name = dict(zip(meta.get("dense_names", signals.DENSE_NAMES), meta.get("dense_weights", ())))
        self.dense_w = np.asarray([float(by_name.get(n, 0.0)) for n in signals.DENSE_NAMES], np.float64)
        self.intercept = float(meta.get("intercept", 0.0))
        self.platt = tuple(meta.get("platt", (1.0, 0.0)))
        self.threshold = float(meta.get("threshold", 0.5))
        self.vader = FastVader.get()  # VADER's numbers (vaderSentiment's lexicon and rules), faster
        self._memo: dict = {}

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, languages: list[str] | None = None, path: Path | None = None) -> Classifier:
        """The shipped artifact (or one written by `cli_support.train` to ``path``)."""
        path = Path(path or MODEL_DIR)
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        lexicons = json.loads((path / "lexicons.json").read_text(encoding="utf-8"))
        with np.load(path / "weights.npz") as data:
            weights = data["w"].astype(np.float32)
        trigrams = "shipped" if path == MODEL_DIR else trigram_lm.load(path)
        return cls(meta, weights, lexicons, languages, trigrams)

    def warmed_up(self) -> Classifier:
        """Load (or, on a machine's first run, compile: ~10 s) the compiled kernels now rather than on the
        first posts, so the first mentions of a run are not late. Returns self."""
        started = time.monotonic()
        log.info("loading the classifier's compiled kernels (a machine's first run compiles them: ~10 s)")
        brand = BrandContext("Telvia", ("telvia",), ("vodafone",), ())
        self.classify_many(WARM_UP_POSTS, [brand] * len(WARM_UP_POSTS))
        self.classify_many(WARM_UP_POSTS)
        self._memo.clear()
        log.info("classifier %s ready in %.1f s", self.version, time.monotonic() - started)
        return self

    # -- public -------------------------------------------------------------------------------
    def classify(self, text: str, brand: BrandContext | None = None, lang: str | None = None) -> Enrichment:
        return self.classify_many([text], [brand], [lang])[0]

    def classify_many(self, texts: list[str], brands: list[BrandContext | None] | None = None,
                      langs: list[str | None] | None = None) -> list[Enrichment]:
        if not texts:
            return []
        # A batch allocates a few dozen small objects per post and none of them form reference cycles, so
        # the cycle collector only costs time here (~5 us a post: its full passes walk the token caches
        # and lexicons). It is paused for the batch and resumed by whoever paused it, also on errors.
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            return self._classify_many(texts, brands, langs)
        finally:
            if paused:
                gc.enable()

    def _classify_many(self, texts, brands, langs) -> list[Enrichment]:
        # what a post yields depends only on (text, brand, language hint): remember it for repeated posts
        # (retweets, copies, bots; bounded); each call still builds fresh Enrichment objects
        memo = self._memo
        keys: list = []
        todo: dict = {}  # key -> index of its first post in this batch
        for i, text in enumerate(texts):
            key = (text, brands[i] if brands else None, langs[i] if langs else None)
            try:
                known = key in memo
            except TypeError:  # an unhashable brand or hint: not remembered
                key, known = i, False
            keys.append(key)
            if not known and key not in todo:
                todo[key] = i
        if todo:
            idx = list(todo.values())
            sigs, probs = [], []
            for at in range(0, len(idx), CHUNK):  # bounded work arrays, however many posts a caller passes
                part = idx[at:at + CHUNK]
                _, model_texts, part_sigs, dense = self.prepare([texts[i] for i in part],
                                                                [brands[i] for i in part] if brands else None,
                                                                [langs[i] for i in part] if langs else None)
                z = self.raw_scores(model_texts, dense)
                a, c = self.platt
                sigs += part_sigs
                probs += _sigmoid(a * z + c).tolist()
            if len(memo) + len(idx) > MEMO_MAX:
                memo.clear()
            fresh = {key: (sig, p) for key, sig, p in zip(todo, sigs, probs)}
            memo.update((k, v) for k, v in fresh.items() if not isinstance(k, int))
        else:
            fresh = {}
        out = []
        for key in keys:
            sig, p = fresh[key] if key in fresh else memo[key]
            out.append(self._finish(sig, p))
        return out

    # -- internals (also used by training) ----------------------------------------------------
    def prepare(self, texts, brands=None, langs=None):
        cleaned = [clean(t) for t in texts]
        hints = [self._hint(lang) for lang in langs] if langs else None
        detected = self.langid.detect_many(cleaned, hints)
        lows = [t.lower() for t in cleaned]
        batch = Batch(lows)  # the token work of the cues and lexicons runs over it in compiled code
        sigs = signals.extract_many(cleaned, lows, detected, brands, batch)
        self._sentiment_many(sigs, cleaned, lows, batch)
        model_texts = for_model_many(cleaned)
        return cleaned, model_texts, sigs, signals.dense_matrix(sigs)

    def raw_scores(self, model_texts, dense) -> np.ndarray:
        z = np.full(len(model_texts), self.intercept)
        if self.weights is not None:
            z += features.linear_scores(model_texts, self.weights)
        return z + dense @ self.dense_w

    @staticmethod
    def _hint(lang):
        if not isinstance(lang, str) or not lang.strip():
            return None
        return lang.strip().lower()

    def _sentiment_many(self, sigs: list[signals.Signals], texts: list[str], lows: list[str], batch) -> None:
        """`_sentiment` of a batch: the lexicon sums of each language in one compiled pass."""
        by_lang: dict[str, list[int]] = {}
        for d, sig in enumerate(sigs):
            lang = sig.lang
            if not (lang == "en" or (lang == UND and texts[d].isascii())) and lang in self.scorers:
                by_lang.setdefault(lang, []).append(d)
        totals: dict[int, float] = {}
        for lang, docs in by_lang.items():
            totals.update(zip(docs, self.scorers[lang].raw_many(batch, docs)))
        for d, sig in enumerate(sigs):
            self._sentiment(sig, texts[d], lows[d], totals.get(d, 0.0))

    def _sentiment(self, sig: signals.Signals, text: str, low: str, total: float | None = None) -> None:
        lang = sig.lang
        if lang == "en" or (lang == UND and text.isascii()):
            s, sig.vader_neg = self.vader.scores(text)
        else:
            if total is None:
                scorer = self.scorers.get(lang)
                total = scorer.raw(low) if scorer is not None else 0.0
            total -= 1.5 * sum(1 for p in sig.problem if " " in p)
            total += 1.2 * (sig.pos_emoji - sig.neg_emoji)
            s = lexicon.squash(total)
        if (sig.sarcasm or sig.roll_eyes) and sig.problem and s > 0:
            s = -0.5 * s
        sig.sentiment = float(max(-1.0, min(1.0, s)))

    def _finish(self, sig: signals.Signals, p: float) -> Enrichment:
        reasons: list[str] = []
        spam = None
        if sig.phishing and (sig.url or "@" in " ".join(sig.phishing) or len(sig.phishing) > 1 or not sig.problem):
            spam = "looks like phishing"
        elif sig.job and not sig.problem:
            spam = "job post"
        elif sig.ad and not sig.problem and sig.sentiment > -0.3:
            spam = "looks like an ad"
        if spam:
            p = min(p, 0.05)
        if sig.only_competitor:
            p = min(p, 0.1)
        complaint = p >= self.threshold
        for cue in dict.fromkeys(sig.problem[:3]):
            reasons.append(f"problem cue: '{cue}'")
        if sig.addressed:
            reasons.append(f"addressed to @{sig.addressed}")
        if sig.sarcasm or sig.roll_eyes:
            reasons.append("sarcasm cue")
        if sig.request:
            reasons.append(f"request cue: '{sig.request[0]}'")
        if sig.question:
            reasons.append("question form")
        if sig.order_number:
            reasons.append("order number")
        if sig.neg_emoji:
            reasons.append("negative emoji")
        if sig.sentiment <= -0.3:
            reasons.append(f"negative sentiment ({sig.sentiment:+.2f})")
        if sig.praise and sig.sentiment > 0:
            reasons.append("praise")
        if sig.competitor:
            reasons.append("about a competitor" if sig.only_competitor else f"mentions competitor '{sig.competitor}'")
        if spam:
            reasons.append(spam)
        if spam:
            intent = "spam"
        elif complaint:
            intent = "complaint"
        elif sig.question:
            intent = "question"
        elif sig.sentiment >= 0.3 or (sig.praise and not sig.problem and sig.sentiment >= 0):
            intent = "praise"
        else:
            intent = "other"
        reasons.append(f"model score {p:.2f}")
        return Enrichment(lang=sig.lang, sentiment=sig.sentiment, intent=intent, complaint=complaint,
                          complaint_score=float(min(1.0, max(0.0, p))), reasons=reasons,
                          model_version=self.version)
