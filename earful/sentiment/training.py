"""Training the complaint model and building the lexicons (needs scikit-learn and scipy; run time does not).

Data (never shipped; only derived weights are): data/labelled from this repository, and the public data sets
below from a folder given by `earful train --data DIR`, else $EARFUL_TRAINING_DATA, else ../shared/data next to
the repository (see data_dir()):
- complaints/complaints-train.csv: English complaint tweets (Preotiuc-Pietro et al., ACL 2019)
- data/labelled/train/<lang>.jsonl: multilingual brand posts (text, lang, brand, is_complaint)
- corrections given by users (weight 3)
- lexicons: xlm-t sentiment tweets (cardiffnlp/xlm-t), SentiRuEval-2016 tweets, ChineseNlpCorpus reviews
  (SophonPlus), plus the hand-written seeds in lexicon.SEEDS. (The GPL-3.0 Chen-Skiena Russian word lists
  are not used: nothing copied from them may ship in this Apache-2.0 project.)

Model: logistic regression (liblinear, C=10) over the hashed n-grams scaled by their naive-Bayes
log-count ratio |r| (NB-LR, Wang & Manning 2012; r is computed on the training rows of each fit, so
cross-validation stays honest) and the dense signals (x3). At run time the scaling is folded into the
stored weights, so the run-time formula is unchanged. C and the scales were chosen by grouped 5-fold
cross-validation on the training data only (groups: near-duplicate key for the tweets, brand for the
labelled posts, whose languages share scenarios per brand).

Everything is deterministic (fixed seeds, sorted inputs), so `train` rebuilds the same artifact.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from earful.errors import InputError
from earful.sentiment import features, lexicon, signals, trigram_lm
from earful.sentiment.classifier import MODEL_DIR, BrandContext, Classifier
from earful.sentiment.text import for_model, strip_noise

REPO = Path(__file__).resolve().parents[2]
DATA_ENV = "EARFUL_TRAINING_DATA"


def data_dir(given: str | Path | None = None) -> Path:
    """The public training data sets: ``given``, else $EARFUL_TRAINING_DATA, else ../shared/data beside the repo."""
    return Path(given or os.environ.get(DATA_ENV) or REPO.parent / "shared" / "data").expanduser()


SHARED = data_dir()
LABELLED = REPO / "data" / "labelled"
SEED = 20240601
C = 10.0
DENSE_SCALE = 3.0  # dense signals are multiplied by this before fitting (less shrinkage than the n-grams)
NB_ALPHA = 1.0
CORRECTION_WEIGHT = 3.0

# The labelled data's brand configuration: the competitors data/labelled/README.md says its posts name
# (a brand configured in earful lists its competitors the same way).
LABELLED_COMPETITORS = ("Orbix", "Zapbank", "Quickeat", "Buyzo", "Vidora", "Shipfast", "Riftborne", "Mobiq",
                        "Kashly", "Plannr", "Jetwise")

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


_lexicon_cache: dict[str, dict[str, dict[str, float]]] = {}


def build_lexicons(progress: Callable[[str], None] = print, shared: Path | None = None) -> dict[str, dict[str, float]]:
    """Per-language word -> valence (remembered per process: the shared data does not change)."""
    shared = Path(shared or SHARED)
    key = str(shared)
    if key not in _lexicon_cache:
        _lexicon_cache[key] = _build_lexicons(progress, shared)
    return json.loads(json.dumps(_lexicon_cache[key]))


def _build_lexicons(progress: Callable[[str], None], shared: Path | None = None) -> dict[str, dict[str, float]]:
    root = Path(shared or SHARED)
    lex: dict[str, dict[str, float]] = {}
    for lang, folder in _XLMT.items():
        base = root / "xlmt_sentiment" / folder
        docs = []
        for split in ("train", "val"):
            texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
            labels = (base / f"{split}_labels.txt").read_text(encoding="utf-8").splitlines()
            docs += [(t, int(label) - 1) for t, label in zip(texts, labels)]
        lex[lang] = _log_odds(docs, 4, 0.9, _words)
    docs = []
    for name in ("banks", "tkk"):
        with open(root / "sentirueval2016" / f"{name}_test_etalon.csv", encoding="utf-8") as fh:
            docs += [(r["text"], int(r["tweet_label"])) for r in csv.DictReader(fh)]
    lex["ru"] = _log_odds(docs, 4, 0.9, _words)  # SentiRuEval-2016 only (see the module docstring)
    docs = []
    for fname in ("waimai_10k.csv", "ChnSentiCorp_htl_all.csv", "online_shopping_10_cats.csv"):
        with open(root / "zh" / fname, encoding="utf-8") as fh:
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
NEEDED = ("complaints/complaints-train.csv", "xlmt_sentiment", "sentirueval2016", "zh")


def check_data(shared: Path | None = None) -> Path:
    """The data folder, or InputError naming what is missing and how to point training at the data."""
    shared = Path(shared or SHARED)
    missing = [name for name in NEEDED if not (shared / name).exists()]
    if missing:
        raise InputError(f"the training data is not in {shared} (missing: {', '.join(missing)}); "
                         f"give its folder with `earful train --data DIR` or ${DATA_ENV}")
    return shared


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


def load_complaints(shared: Path | None = None) -> list[dict]:
    with open(Path(shared or SHARED) / "complaints" / "complaints-train.csv", encoding="utf-8") as fh:
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
                             "competitors": rec.get("competitors") or list(LABELLED_COMPETITORS)})
    return rows


def row_group(row: dict) -> str:
    """Cross-validation group: labelled posts by brand (each brand's scenarios recur in every language),
    everything else by near-duplicate key."""
    if str(row.get("source", "")).startswith("labelled/") and row.get("brand"):
        return "brand:" + str(row["brand"]).lower()
    return group_key(row["text"])


def group_key(text: str) -> str:
    """Near-duplicates (retweets, copies with other handles/links/numbers) share a key."""
    t = re.sub(r"^rt\b", "", for_model(text))
    t = re.sub(r"[\W\d_]+", "", t.replace("@", "").replace(" u ", ""))
    return hashlib.md5(t[:60].encode("utf-8", "replace")).hexdigest()


def row_brand(row: dict) -> BrandContext | None:
    """The brand of a labelled row, with the competitors its data set names (see LABELLED_COMPETITORS)."""
    brand = row.get("brand")
    if isinstance(brand, str) and brand and row.get("competitors"):
        brand = {"name": brand, "competitors": list(row["competitors"])}
    return brand_context(brand)


def featurize(clf: Classifier, rows: list[dict]):
    from scipy import sparse

    texts = [r["text"] for r in rows]
    brands = [row_brand(r) for r in rows]
    langs = [r.get("lang") for r in rows]
    _, model_texts, _, dense = clf.prepare(texts, brands, langs)
    X = sparse.hstack([features.sparse_matrix(model_texts), sparse.csr_matrix(dense)]).tocsr()
    return X


class LinearModel:
    """NB-scaled logistic regression over [hashed n-grams | dense signals] (see the module docstring)."""

    def __init__(self, n_hash: int):
        self.n_hash = n_hash

    def fit(self, X, y, w) -> LinearModel:
        from sklearn.linear_model import LogisticRegression

        B = X[:, :self.n_hash].copy()
        B.data[:] = 1.0
        p = NB_ALPHA + np.asarray(B[y == 1].sum(0)).ravel()
        q = NB_ALPHA + np.asarray(B[y == 0].sum(0)).ravel()
        self.scale = np.abs(np.log((p / p.sum()) / (q / q.sum())))
        self.m = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=2000, intercept_scaling=5.0)
        self.m.fit(self._scaled(X), y, sample_weight=w)
        return self

    def _scaled(self, X):
        from scipy import sparse

        return sparse.hstack([X[:, :self.n_hash] @ sparse.diags(self.scale),
                              X[:, self.n_hash:] * DENSE_SCALE]).tocsr()

    def decision_function(self, X) -> np.ndarray:
        return self.m.decision_function(self._scaled(X))

    def exported(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(weights of the raw hashed features, weights of the raw dense signals, intercept)."""
        coef = self.m.coef_[0]
        return coef[:self.n_hash] * self.scale, coef[self.n_hash:] * DENSE_SCALE, float(self.m.intercept_[0])


def _fit(X, y, w) -> LinearModel:
    return LinearModel(2 << features.BITS).fit(X, y, w)


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
          labelled_dir: Path | None = None, sample: int | None = None, shared: Path | None = None) -> dict:
    """Build the artifact in ``out_path`` (default: the shipped model/). ``sample`` keeps only that many
    complaint tweets (evenly spaced; for fast tests); ``cross_validate`` adds the nested CV figures;
    ``shared`` is the folder of the public data sets (default: data_dir())."""
    out = Path(out_path or MODEL_DIR)
    shared = check_data(shared)
    lex = build_lexicons(progress, shared)
    # the Latin language-ID trigram table first: training posts get the languages run time will give them
    trigrams = trigram_lm.build(trigram_lm.training_texts(shared, Path(labelled_dir or LABELLED)))
    base = Classifier({}, None, lex, trigrams=trigrams)
    complaints = load_complaints(shared)
    if sample is not None and sample < len(complaints):
        step = len(complaints) / max(sample, 1)
        complaints = [complaints[int(i * step)] for i in range(sample)]
    rows = complaints + load_labelled("train", labelled_dir)
    for c in corrections or []:
        if c.get("text") and "is_complaint" in c:
            rows.append({"text": c["text"], "lang": c.get("lang"), "brand": c.get("brand"),
                         "is_complaint": bool(c["is_complaint"]), "source": "correction"})
    progress(f"training rows: {len(rows)} ({dict(sorted(Counter(r['source'] for r in rows).items()))})")
    X = featurize(base, rows)
    y = np.array([r["is_complaint"] for r in rows], int)
    w = np.array([CORRECTION_WEIGHT if r["source"] == "correction" else 1.0 for r in rows])
    groups = [row_group(r) for r in rows]
    src = np.array([r["source"] for r in rows])
    metrics: dict = {}
    z = _oof_raw(X, y, w, groups)
    platt, threshold = calibrate(z, y)
    p = 1 / (1 + np.exp(-(platt[0] * z + platt[1])))
    metrics["oof_all_training"] = prf(y, p >= threshold)
    if cross_validate:
        metrics["nested_cv"] = nested_cv(X, y, w, groups, src, progress)
    model = _fit(X, y, w)
    hashed_w, dense_w, intercept = model.exported()
    weights = hashed_w.astype(np.float16)
    version = "earful-complaint-" + hashlib.sha1(weights.tobytes() + dense_w.tobytes()).hexdigest()[:10]
    meta = {
        "version": version, "languages": list(base.languages), "intercept": round(intercept, 6),
        "dense_names": list(signals.DENSE_NAMES), "dense_weights": [round(float(v), 6) for v in dense_w],
        "platt": [round(platt[0], 6), round(platt[1], 6)], "threshold": threshold, "bits": features.BITS,
        "training_rows": dict(sorted(Counter(r["source"] for r in rows).items())), "seed": SEED, "C": C,
        "dense_scale": DENSE_SCALE, "nb_alpha": NB_ALPHA, "metrics": metrics,
        "sources": [
            "complaints: Preotiuc-Pietro, Gaman, Aletras (ACL 2019), danielpreotiuc/complaints-social-media",
            "data/labelled/train (hand-written, this repository)",
            "lexicons de/es/fr/pt/it: weights derived from cardiffnlp/xlm-t sentiment tweets",
            "lexicon ru: weights derived from SentiRuEval-2016 (mokoron/sentirueval) tweets",
            "lexicon zh: weights derived from SophonPlus/ChineseNlpCorpus reviews",
            "language-ID trigrams (Latin script): cardiffnlp/xlm-t training tweets (en/de/es/fr/it/pt) + data/labelled/train",
            "lexicon seeds (all languages; the only source for pl and uk): hand-written, earful/sentiment/lexicon.py",
        ],
    }
    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.save(buf, weights, allow_pickle=False)
    # a zip with fixed timestamps, so that the same training data gives the same bytes
    with zipfile.ZipFile(out / "weights.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("w.npy", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, buf.getvalue())
    trigram_lm.save(trigrams, out)
    (out / "lexicons.json").write_text(json.dumps(lex, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    progress(f"wrote {out} version {version} threshold {threshold}")
    return {"version": version, "threshold": threshold, **metrics}


def nested_cv(X, y, w, groups, src, progress=print, k: int = 5) -> dict:
    """Out-of-fold complaint P/R/F1, grouped 5-fold (near-duplicates and a brand's posts never straddle
    folds); Platt scaling and the threshold are fitted inside each training fold (inner grouped 3-fold),
    never on the test fold. Reported for the English complaint tweets and per labelled language."""
    fold = _folds(groups, y, k)
    pred = np.zeros(len(y), bool)
    for f in range(k):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        zin = _oof_raw(X[tr], y[tr], w[tr], [groups[i] for i in tr], k=3)
        platt, thr = calibrate(zin, y[tr])
        zte = _fit(X[tr], y[tr], w[tr]).decision_function(X[te])
        pred[te] = 1 / (1 + np.exp(-(platt[0] * zte + platt[1]))) >= thr
        progress(f"fold {f + 1}/{k} done")
    out = {}
    for name in sorted(set(src.tolist())):
        m = src == name
        out[name] = prf(y[m], pred[m])
    lab = np.char.startswith(src.astype(str), "labelled/")
    if lab.any():
        out["labelled/all"] = prf(y[lab], pred[lab])
    return out


# -- realistic check on a sandbox scenario (never used for training or tuning) ---------------------------
def evaluate_scenario(path: Path | None = None, clf: Classifier | None = None) -> dict:
    """Complaint P/R/F1 on a scenario's customer posts (every label except brand_reply), complaint vs the
    rest, with VADER alone next to it. Texts and language hints as the collectors would give them: title
    and body joined for Reddit/HN stories; a language hint from X, Bluesky, Mastodon and RSS only."""
    path = Path(path or REPO / "earful" / "sandbox" / "scenarios" / "demo.json")
    scenario = json.loads(path.read_text(encoding="utf-8"))
    b = scenario.get("brand") or {}
    handles = tuple(sorted({h.lstrip("@").split("@")[0] for accts in (b.get("accounts") or {}).values()
                            for h in accts}))
    brand = BrandContext(b.get("name", ""), handles, tuple(b.get("competitors") or ()), tuple(b.get("keywords") or ()))
    posts = [p for p in scenario["posts"] if p.get("label") != "brand_reply"]
    texts = [f"{p['title']}\n\n{p['text']}" if p.get("title") and p.get("text") else p.get("title") or p["text"]
             for p in posts]
    hints = [p.get("lang") if p.get("platform") in ("x", "bluesky", "mastodon", "rss") else None for p in posts]
    clf = clf or Classifier.load()
    res = clf.classify_many(texts, [brand] * len(posts), hints)
    y = np.array([p["label"] == "complaint" for p in posts])
    pred = np.array([e.complaint for e in res])
    out = {"model": prf(y, pred), "vader": prf(y, vader_baseline(texts)), "labels": dict(Counter(p["label"] for p in posts))}
    langs = sorted({p.get("lang", "und") for p in posts})
    out["per_language"] = {lang: prf(y[m], pred[m]) for lang in langs
                           for m in [np.array([p.get("lang", "und") == lang for p in posts])]}
    return out
