"""Training the complaint model and building the lexicons (needs scikit-learn and scipy; run time does not).

Data (read from ../shared/data and data/labelled, never shipped; only derived weights are):
- complaints/complaints-train.csv: English complaint tweets (Preotiuc-Pietro et al., ACL 2019)
- data/labelled/train/<lang>.jsonl: multilingual brand posts (text, lang, brand, is_complaint)
- corrections given by users (weight 3)
- lexicons: xlm-t sentiment tweets (cardiffnlp/xlm-t), SentiRuEval-2016, Chen-Skiena Russian lists,
  ChineseNlpCorpus reviews (SophonPlus), plus the hand-written seeds in lexicon.SEEDS.

Everything is deterministic (fixed seeds, sorted inputs), so `train` rebuilds the same artifact.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from earful.sentiment import features, lexicon, signals
from earful.sentiment.classifier import MODEL_DIR, BrandContext, Classifier
from earful.sentiment.text import for_model, strip_noise

REPO = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/data") if Path("/work/shared/data").is_dir() else REPO.parent / "shared" / "data"
LABELLED = REPO / "data" / "labelled"
SEED = 20240601
C = 1.0
CORRECTION_WEIGHT = 3.0

_XLMT = {"de": "german", "es": "spanish", "fr": "french", "pt": "portuguese", "it": "italian"}
_TOKEN = re.compile(r"[^\W\d_]{3,}", re.U)


# -- lexicons -------------------------------------------------------------------------------------
def _log_odds(docs: list[tuple[str, int]], min_count: int, min_lo: float, tokens) -> dict[str, float]:
    pos, neg = Counter(), Counter()
    n_pos = sum(1 for _, y in docs if y > 0)
    n_neg = sum(1 for _, y in docs if y < 0)
    for text, y in docs:
        if y == 0:
            continue
        toks = set(tokens(text))
        (pos if y > 0 else neg).update(toks)
    out = {}
    for w in sorted(set(pos) | set(neg)):
        p, n = pos[w], neg[w]
        if p + n < min_count:
            continue
        lo = math.log((p + 0.5) / (n_pos + 1)) - math.log((n + 0.5) / (n_neg + 1))
        if abs(lo) >= min_lo:
            out[w] = round(float(np.clip(lo, -2.5, 2.5)) * 0.8, 3)
    return out


def _words(text: str) -> list[str]:
    return _TOKEN.findall(strip_noise(text).lower())


def _cjk_grams(text: str) -> list[str]:
    t = re.sub(r"[^\u4e00-\u9fff]+", " ", text)
    out = []
    for chunk in t.split():
        out += [chunk[i:i + 2] for i in range(len(chunk) - 1)] + [chunk[i:i + 3] for i in range(len(chunk) - 2)]
    return out


def build_lexicons(progress: Callable[[str], None] = print) -> dict[str, dict[str, float]]:
    lex: dict[str, dict[str, float]] = {}
    for lang, folder in _XLMT.items():
        base = SHARED / "xlmt_sentiment" / folder
        docs = []
        for split in ("train", "val"):
            texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
            labels = (base / f"{split}_labels.txt").read_text(encoding="utf-8").splitlines()
            docs += [(t, int(l) - 1) for t, l in zip(texts, labels)]
        lex[lang] = _log_odds(docs, 4, 0.9, _words)
    docs = []
    for name in ("banks", "tkk"):
        with open(SHARED / "sentirueval2016" / f"{name}_test_etalon.csv", encoding="utf-8") as fh:
            docs += [(r["text"], int(r["tweet_label"])) for r in csv.DictReader(fh)]
    ru = _log_odds(docs, 4, 0.9, _words)
    for fname, val in (("negative_words_ru.txt", -0.6), ("positive_words_ru.txt", 0.6)):
        for w in (SHARED / "lexicons" / "chen_skiena_ru" / fname).read_text(encoding="utf-8-sig").split():
            w = w.strip().lower()
            if len(w) >= 4 and w not in ru:
                ru[w] = val
    lex["ru"] = ru
    docs = []
    for fname in ("waimai_10k.csv", "ChnSentiCorp_htl_all.csv", "online_shopping_10_cats.csv"):
        with open(SHARED / "zh" / fname, encoding="utf-8") as fh:
            docs += [(r["review"] or "", 1 if r["label"] == "1" else -1) for r in csv.DictReader(fh)]
    zh = _log_odds(docs, 30, 1.2, _cjk_grams)
    lex["zh"] = dict(sorted(zh.items(), key=lambda kv: -abs(kv[1]))[:3000])
    for lang, seeds in lexicon.SEEDS.items():
        entries = lex.setdefault(lang, {})
        for w in seeds["pos"]:
            entries[w] = 1.8
        for w in seeds["neg"]:
            entries[w] = -1.8
    lex["en"] = {}
    for lang in sorted(lex):
        progress(f"lexicon {lang}: {len(lex[lang])} entries")
    return {k: dict(sorted(v.items())) for k, v in sorted(lex.items())}


# -- data -------------------------------------------------------------------------------------------
def brand_context(brand) -> BrandContext | None:
    if brand is None or brand == "":
        return None
    if isinstance(brand, BrandContext):
        return brand
    if isinstance(brand, dict):
        name = str(brand.get("name") or "")
        if not name:
            return None

        def tup(key):
            v = brand.get(key) or ()
            return tuple(str(x) for x in ([v] if isinstance(v, str) else v))

        handles = tup("handles") or (name.replace(" ", ""),)
        return BrandContext(name, handles, tup("competitors"), tup("keywords") or (name,))
    name = str(brand)
    return BrandContext(name, (name.replace(" ", "").lower(),), (), (name,))


def load_complaints() -> list[dict]:
    with open(SHARED / "complaints" / "complaints-train.csv", encoding="utf-8") as fh:
        return [{"text": r["text"], "lang": None, "brand": None, "is_complaint": r["label"] == "1",
                 "source": "complaints"} for r in csv.DictReader(fh)]


def load_labelled(split: str, root: Path | None = None) -> list[dict]:
    rows = []
    folder = Path(root or LABELLED) / split
    if not folder.is_dir():
        return rows
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "text" in rec and "is_complaint" in rec:
                rows.append({"text": rec["text"], "lang": rec.get("lang"), "brand": rec.get("brand"),
                             "is_complaint": bool(rec["is_complaint"]), "source": f"labelled/{path.stem}",
                             "competitors": rec.get("competitors")})
    return rows


def group_key(text: str) -> str:
    """Near-duplicates (retweets, copies with other handles/links/numbers) share a key."""
    t = re.sub(r"^rt\b", "", for_model(text))
    t = re.sub(r"[\W\d_]+", "", t.replace("@", "").replace(" u ", ""))
    return hashlib.md5(t[:60].encode("utf-8", "replace")).hexdigest()


def featurize(clf: Classifier, rows: list[dict]):
    from scipy import sparse

    texts = [r["text"] for r in rows]
    brands = [brand_context(r.get("brand")) for r in rows]
    langs = [r.get("lang") for r in rows]
    _, model_texts, _, dense = clf.prepare(texts, brands, langs)
    X = sparse.hstack([features.sparse_matrix(model_texts), sparse.csr_matrix(dense)]).tocsr()
    return X


def _fit(X, y, w):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=1000, intercept_scaling=5.0)
    m.fit(X, y, sample_weight=w)
    return m


def _folds(groups: list[str], y: np.ndarray, k: int, seed: int = SEED) -> np.ndarray:
    """Fold id per row; rows of a group share a fold; stratified-ish by group order."""
    from sklearn.model_selection import StratifiedGroupKFold

    fold = np.zeros(len(groups), int)
    skf = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for i, (_, test) in enumerate(skf.split(np.zeros(len(y)), y, groups)):
        fold[test] = i
    return fold


def _oof_raw(X, y, w, groups, k=5, seed=SEED) -> np.ndarray:
    fold = _folds(groups, y, k, seed)
    z = np.zeros(len(y))
    for f in range(k):
        tr, te = fold != f, fold == f
        z[te] = _fit(X[tr], y[tr], w[tr]).decision_function(X[te])
    return z


def calibrate(z: np.ndarray, y: np.ndarray) -> tuple[tuple[float, float], float]:
    """Platt scaling (a, c) on raw scores and the F1-maximising threshold on calibrated scores."""
    from sklearn.linear_model import LogisticRegression

    pl = LogisticRegression(C=1e4).fit(z.reshape(-1, 1), y)
    a, c = float(pl.coef_[0, 0]), float(pl.intercept_[0])
    p = 1 / (1 + np.exp(-(a * z + c)))
    return (a, c), best_threshold(p, y)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.2, 0.71, 0.01), 2):
        f1 = f1_score(y, p >= t)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def f1_score(y, pred) -> float:
    y, pred = np.asarray(y, bool), np.asarray(pred, bool)
    tp = int((y & pred).sum())
    fp = int((~y & pred).sum())
    fn = int((y & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def prf(y, pred) -> dict:
    y, pred = np.asarray(y, bool), np.asarray(pred, bool)
    tp = int((y & pred).sum())
    fp = int((~y & pred).sum())
    fn = int((y & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"n": int(len(y)), "positives": int(y.sum()), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def vader_baseline(texts: list[str]) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return np.array([sia.polarity_scores(t)["compound"] <= -0.05 for t in texts])


# -- the whole build ---------------------------------------------------------------------------------
def build(out_path: Path | None = None, corrections: list[dict] | None = None,
          progress: Callable[[str], None] = print, cross_validate: bool = True,
          labelled_dir: Path | None = None) -> dict:
    out = Path(out_path or MODEL_DIR)
    lex = build_lexicons(progress)
    base = Classifier({}, None, lex)
    rows = load_complaints() + load_labelled("train", labelled_dir)
    for c in corrections or []:
        if c.get("text") and "is_complaint" in c:
            rows.append({"text": c["text"], "lang": c.get("lang"), "brand": c.get("brand"),
                         "is_complaint": bool(c["is_complaint"]), "source": "correction"})
    progress(f"training rows: {len(rows)} ({Counter(r['source'] for r in rows)})")
    X = featurize(base, rows)
    y = np.array([r["is_complaint"] for r in rows], int)
    w = np.array([CORRECTION_WEIGHT if r["source"] == "correction" else 1.0 for r in rows])
    groups = [group_key(r["text"]) for r in rows]
    metrics: dict = {}
    z = _oof_raw(X, y, w, groups)
    platt, threshold = calibrate(z, y)
    p = 1 / (1 + np.exp(-(platt[0] * z + platt[1])))
    src = np.array([r["source"] for r in rows])
    metrics["oof_all_training"] = prf(y, p >= threshold)
    en = src == "complaints"
    metrics["oof_complaints_en_same_threshold"] = prf(y[en], p[en] >= threshold)
    if cross_validate:
        metrics["complaints_en_nested_cv"] = nested_cv(X, y, w, groups, src, progress)
    model = _fit(X, y, w)
    coef = model.coef_[0]
    n_hash = 2 << features.BITS
    weights = coef[:n_hash].astype(np.float16)
    dense_w = coef[n_hash:]
    version = "earful-complaint-" + hashlib.sha1(weights.tobytes() + dense_w.tobytes()).hexdigest()[:10]
    meta = {
        "version": version, "languages": list(base.languages), "intercept": float(model.intercept_[0]),
        "dense_names": list(signals.DENSE_NAMES), "dense_weights": [round(float(v), 6) for v in dense_w],
        "platt": [platt[0], platt[1]], "threshold": threshold, "bits": features.BITS,
        "training_rows": dict(Counter(r["source"] for r in rows)), "seed": SEED, "C": C,
        "metrics": metrics,
        "sources": ["complaints: Preotiuc-Pietro, Gaman, Aletras (ACL 2019)", "cardiffnlp/xlm-t sentiment",
                    "SentiRuEval-2016", "Chen & Skiena 2014 Russian lexicon", "SophonPlus/ChineseNlpCorpus"],
    }
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "weights.npz", w=weights)
    (out / "lexicons.json").write_text(json.dumps(lex, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    progress(f"wrote {out} version {version} threshold {threshold}")
    return {"version": version, "threshold": threshold, **metrics}


def nested_cv(X, y, w, groups, src, progress=print, k: int = 5) -> dict:
    """Out-of-fold complaint F1 on the English complaint tweets: grouped 5-fold; Platt scaling and the
    threshold are fitted inside each training fold (inner 3-fold), never on the test fold."""
    fold = _folds(groups, y, k)
    pred = np.zeros(len(y), bool)
    for f in range(k):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        zin = _oof_raw(X[tr], y[tr], w[tr], [groups[i] for i in tr], k=3)
        platt, thr = calibrate(zin, y[tr])
        zte = _fit(X[tr], y[tr], w[tr]).decision_function(X[te])
        pred[te] = 1 / (1 + np.exp(-(platt[0] * zte + platt[1]))) >= thr
        progress(f"fold {f + 1}/{k} done")
    en = src == "complaints"
    return prf(y[en], pred[en])
