"""Sentiment in -1..1 for every language: VADER for English, a lexicon scorer for the others.

The lexicon scorer follows VADER's shape: each word found in the language's lexicon adds its
valence; a negator within the three preceding words flips and damps it (x -0.74), an intensifier
right before it boosts it (x 1.3); multi-word problem cues (`cues.py`) add -1.5 each; positive and
negative emoji add +-1.2; the sum is squashed with s / sqrt(s^2 + 15) like VADER's compound.

Lexicons (`model/lexicons.json`) are built by `training.build_lexicons`: weights derived (log-odds of
positive vs negative posts) from the shared data - xlm-t tweets for de/es/fr/pt/it, SentiRuEval-2016
tweets for ru, the ChineseNlpCorpus reviews for zh - plus the hand-written seed words in `SEEDS` (all
languages; the only source for pl and uk). The GPL-3.0 Chen-Skiena Russian lists are not used.
Words ending in ``*`` are prefixes (for inflected languages). Valences are remembered per token.
"""

from __future__ import annotations

import math
import re

import numpy as np

from earful.sentiment import cues

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)

SEEDS: dict[str, dict[str, list[str]]] = {
    "pl": {
        "pos": "dobr* świetn* super wspania* rewelac* polecam najlepsz* doskonał* genialn* brawo kocham "
               "uwielbiam zadowolon* dzięk* dziękuj* fajn* mił* pięk* szybk* spoko ekstra profesjonaln* "
               "cudown* idealn* pomocn* sprawn*".split(),
        "neg": "zł* okropn* fataln* beznadziej* tragiczn* tragedi* skandal* żenad* żenując* porażk* "
               "masakra dramat oszu* naciąg* wkurz* rozczarow* najgorsz* słab* kiepsk* lipa zepsu* "
               "awari* błęd* błąd* problem* kłopot* opóźni* spóźni* wadliw* uszkodz* nienawidz* "
               "niestety smutn* drog* brak* nieudoln* chamsk* bezczeln*".split(),
    },
    "uk": {
        "pos": "добр* чудов* супер клас* молодц* найкращ* рекоменд* прекрасн* люблю подобає* задоволен* "
               "дякую дяку* вдячн* швидк* круто гарн* приємн* ідеальн* зручн* корисн*".split(),
        "neg": "поган* жах* кошмар* огидн* ганьб* обман* шахра* набрид* розчаров* найгірш* зламан* "
               "злама* помилк* збій* проблем* затрим* брак* пошкодж* скарг* жахлив* сумн* дорог* "
               "нахаб* хамств* відстій".split(),
    },
    "ru": {
        "pos": "хорош* отличн* супер класс* молодц* лучш* рекоменд* прекрасн* замечательн* люблю "
               "нравит* довол* спасибо благодар* быстр* круто приятн* идеальн* удобн* полезн*".split(),
        "neg": "плох* ужас* кошмар* отврат* безобраз* позор* обман* мошенн* развод* надоел* бесит "
               "разочаров* худш* слома* сломан* ошибк* сбой* проблем* задерж* брак* поврежд* жалоб* "
               "хамств* отстой дерьм* дорог* грустн* печаль* ненавиж* глюч* тормоз*".split(),
    },
    "de": {
        "pos": "gut* super toll* klasse großartig* perfekt* prima hervorragend* wunderbar* spitze "
               "empfehl* beste liebe zufrieden danke schnell* genial schön* freundlich* hilfreich*".split(),
        "neg": "schlecht* schlimm* schrecklich* furchtbar* katastroph* unverschämt* frechheit skandal* "
               "betrug* abzocke enttäusch* ärger* nervt nervig* kaputt* defekt* fehler* störung* "
               "verspät* mies* leider traurig* teuer* hass* ekelhaft* scheiße scheiss* sauer".split(),
    },
    "es": {
        "pos": "bueno buena buenos buenas excelente* genial perfect* increíble maravillos* estupend* "
               "encanta recomiendo mejor contento contenta gracias rápido rapido fantástic* feliz amable "
               "útil".split(),
        "neg": "malo mala malos malas pésim* pesim* horrible* terrible* fatal vergüenza estafa* engaño "
               "decepcion* harto harta peor error* fallo* roto rota retraso* lamentable* triste* caro "
               "cara odio asco mierda inaceptable".split(),
    },
    "fr": {
        "pos": "bien bon bonne génial* super excellent* parfait* formidable incroyable magnifique bravo "
               "recommande meilleur* adore content contente merci rapide impeccable heureu* sympa "
               "agréable*".split(),
        "neg": "mauvais* nul nulle horrible* lamentable* honte honteux scandale* scandaleux arnaque* "
               "déçu* déception marre pire erreur* panne* cassé* retard* triste* cher chère déteste "
               "merde inadmissible inacceptable catastroph* galère".split(),
    },
    "pt": {
        "pos": "bom boa bons ótim* otim* excelente* perfeit* incrível incrivel maravilhos* adoro amei "
               "recomendo melhor satisfeit* obrigad* rápido rapido feliz parabéns lind* legal".split(),
        "neg": "ruim péssim* pessim* horrível horrivel terrível terrivel vergonha absurdo golpe fraude "
               "decepcion* pior erro* falha* quebrad* defeito* atras* triste* caro cara odeio lixo "
               "descaso palhaçada inaceitável".split(),
    },
    "it": {
        "pos": "buon* ottim* eccellent* perfett* fantastic* meraviglios* adoro consiglio migliore "
               "soddisfatt* grazie veloce bravi complimenti bell* felice gentil*".split(),
        "neg": "cattiv* pessim* orribile terribile vergogna* schifo truffa* delus* peggio* errore* "
               "guasto rott* ritard* triste* caro cara odio inaccettabile assurdo male".split(),
    },
    "zh": {
        "pos": "好吃 很好 不错 满意 好评 推荐 喜欢 很快 速度快 超赞 赞 完美 棒 优秀 给力 贴心 方便 干净 谢谢 感谢 "
               "新鲜 实惠 热情 舒服 值得".split(),
        "neg": "差 太差 很差 差评 垃圾 恶心 难吃 糟糕 失望 投诉 骗子 骗人 坑人 慢 太慢 贵 太贵 冷了 凉了 "
               "退款 坏了 破损 故障 难用 生气 无语 后悔 脏 咸 淡".split(),
    },
}

N_SCALAR = -0.74
BOOST = 1.3
_CJK_NEGATORS = ("不", "没", "别", "未", "无")  # among the three characters before a word: negated ...
_CJK_NEGATED_STARTS = ("不", "没")  # ... unless the word itself starts with one
_CJK_BOOSTERS = ("很", "非常", "太", "特别", "超", "真")


class LexiconScorer:
    def __init__(self, lang: str, words: dict[str, float], prefixes: dict[str, float]):
        self.lang = lang
        self.words = words
        self.prefixes = prefixes
        self.min_prefix = min((len(p) for p in prefixes), default=99)
        self.negators = cues.word_set(lang, "negator")
        self.intensifiers = cues.word_set(lang, "intensifier")
        self.cjk = lang in cues.CJK
        self.max_len = max((len(w) for w in words), default=1) if self.cjk else 0
        self._cache: dict[str, float] = {}  # token -> valence, remembered (cleared at 50k tokens)
        self._compiled = None  # arrays for raw_many

    def raw_many(self, batch, docs: list[int]) -> list[float]:
        """`raw` of the posts ``docs`` of a `batchtokens.Batch` of lower-case posts (compiled for
        non-CJK languages: `kernels.lexicon_totals`, the same sums)."""
        from earful.sentiment import kernels

        if self._compiled is None:
            self._compiled = self._cjk_arrays() if self.cjk else self._arrays()
        if self.cjk:
            return kernels.cjk_lexicon_totals(batch.cp, batch.start, batch.size, np.asarray(docs, np.int64),
                                              *self._compiled, N_SCALAR, BOOST).tolist()
        tok = batch.tokens(kernels.LEXICON)
        return kernels.lexicon_totals(batch.cp, tok.doc, tok.start, tok.end, tok.hash, tok.first,
                                      np.asarray(docs, np.int64), *self._compiled, N_SCALAR, BOOST).tolist()

    def _cjk_arrays(self):
        from earful.sentiment.batchtokens import HashTable, hashes_of

        words = list(self.words.items())
        table = HashTable({h: (i, 1) for i, h in enumerate(hashes_of([w for w, _v in words]).tolist())})
        values = np.asarray([v for _w, v in words] + [0.0], np.float64)
        vals = np.where(table.keys != 0, values[np.where(table.keys != 0, table.off, len(words))], 0.0)
        codes = [[ord(c) for c in b] for b in _CJK_BOOSTERS]
        return (table.keys, vals, max(self.max_len, 1), np.asarray([ord(c) for c in _CJK_NEGATORS], np.int64),
                np.asarray([c[0] for c in codes if len(c) == 1], np.int64),
                np.asarray([c for c in codes if len(c) == 2], np.int64).reshape(-1, 2),
                np.asarray([ord(c) for c in _CJK_NEGATED_STARTS], np.int64))

    def _arrays(self):
        from earful.sentiment.batchtokens import HashSet, hashes_of

        def table(entries: dict[str, float]):
            keys = hashes_of(list(entries))
            order = np.argsort(keys, kind="stable")
            return keys[order], np.fromiter(entries.values(), np.float64, len(entries))[order]

        words, prefixes = table(self.words), table(self.prefixes)
        return (*words, *prefixes, self.min_prefix, HashSet(self.negators).keys, HashSet(self.intensifiers).keys)

    def valence(self, token: str) -> float:
        v = self._cache.get(token)
        if v is not None:
            return v
        v = self.words.get(token)
        if v is None:
            v = 0.0
            for k in range(min(len(token), 12), self.min_prefix - 1, -1):
                p = self.prefixes.get(token[:k])
                if p is not None:
                    v = p
                    break
        if len(self._cache) >= 50_000:
            self._cache.clear()
        self._cache[token] = v
        return v

    def raw(self, low: str) -> float:
        if self.cjk:
            return self._raw_cjk(low)
        tokens = WORD_RE.findall(low)
        cache = self._cache
        if len(cache) >= 50_000:
            cache.clear()
        valence, get = self.valence, cache.get
        vals = [v if (v := get(t)) is not None else valence(t) for t in tokens]
        hits = [i for i, v in enumerate(vals) if v]
        if not hits:
            return 0.0
        intensifiers, negators = self.intensifiers, self.negators
        boost = not intensifiers.isdisjoint(tokens)
        negate = not negators.isdisjoint(tokens)
        total = 0.0
        for i in hits:
            v = vals[i]
            if boost and i and tokens[i - 1] in intensifiers:
                v *= BOOST
            if negate and any(t in negators for t in tokens[max(0, i - 3):i]):
                v *= N_SCALAR
            total += v
        return total

    def _raw_cjk(self, low: str) -> float:
        total, i, n = 0.0, 0, len(low)
        while i < n:
            for k in range(min(self.max_len, n - i), 0, -1):
                v = self.words.get(low[i:i + k])
                if v is not None:
                    before = low[max(0, i - 3):i]
                    if any(neg in before for neg in _CJK_NEGATORS) and not low[i:i + k].startswith(_CJK_NEGATED_STARTS):
                        v *= N_SCALAR
                    if any(b in before for b in _CJK_BOOSTERS):
                        v *= BOOST
                    total += v
                    i += k
                    break
            else:
                i += 1
        return total


def squash(total: float, alpha: float = 15.0) -> float:
    return max(-1.0, min(1.0, total / math.sqrt(total * total + alpha))) if total else 0.0


def build_scorers(lexicons: dict[str, dict[str, float]]) -> dict[str, LexiconScorer]:
    out = {}
    for lang, entries in lexicons.items():
        words = {w: v for w, v in entries.items() if not w.endswith("*")}
        prefixes = {w[:-1]: v for w, v in entries.items() if w.endswith("*")}
        out[lang] = LexiconScorer(lang, words, prefixes)
    return out
