"""What the `earful classify / train / evaluate` commands call (the CLI owns argument parsing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import numpy as np

from earful.sentiment.classifier import Classifier

BATCH = 2000


def _brand(value):
    from earful.sentiment.training import brand_context

    try:
        return brand_context(value)
    except Exception:  # a malformed brand object must not lose the line
        return None


def _row_brand(row: dict):
    """A row's "brand" (a name or a brand object); a "competitors" list on the row joins a brand name."""
    brand = row.get("brand")
    comps = row.get("competitors")
    if isinstance(brand, str) and brand and isinstance(comps, list) and comps:
        brand = {"name": brand, "competitors": [str(c) for c in comps]}
    return _brand(brand)


def classify_stream(inp: TextIO, out: TextIO, err: TextIO, clf: Classifier | None = None) -> int:
    """JSONL objects with "text" (optional "brand", "lang") -> one JSONL result per input line, in order.

    A line that is not a JSON object with a string "text" yields {"error": "line N: ..."} as its output
    line and a message on ``err``. Returns the number of bad lines.
    """
    clf = clf or Classifier.load()
    bad = 0
    pending: list[tuple[int, str, object, str | None]] = []
    slots: list[dict | None] = []

    def flush():
        if pending:
            results = clf.classify_many([p[1] for p in pending], [_brand(p[2]) for p in pending],
                                        [p[3] for p in pending])
            for (slot, *_), res in zip(pending, results):
                slots[slot] = res.as_dict() | {"model_version": res.model_version}
        for obj in slots:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()
        slots.clear()

    for n, line in enumerate(inp, start=1):
        problem = None
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, ValueError):
            problem = "not JSON"
            obj = None
        if problem is None and not isinstance(obj, dict):
            problem = "not a JSON object"
        elif problem is None and not isinstance(obj.get("text"), str):
            problem = 'no "text" string'
        if problem is not None:
            bad += 1
            if not line.strip():
                problem = "empty line, " + problem
            slots.append({"error": f"line {n}: {problem}"})
            err.write(f"line {n}: {problem}; wrote an error object for it\n")
            continue
        lang = obj.get("lang") if isinstance(obj.get("lang"), str) else None
        pending.append((len(slots), obj["text"], obj.get("brand"), lang))
        slots.append(None)
        if len(slots) >= BATCH:
            flush()
    flush()
    return bad


def train(out_path: Path | None = None, corrections: list[dict] | None = None,
          progress: Callable[[str], None] = print, data: Path | None = None) -> dict:
    """Rebuild the shipped artifact (fixed seeds); corrections count 3x; ``data``: the public data sets'
    folder (default: training.data_dir()). Returns the metrics."""
    from earful.sentiment import training

    return training.build(out_path, corrections, progress, shared=training.data_dir(data))


def evaluate(path: Path, out: TextIO, clf: Classifier | None = None) -> dict:
    """P/R/F1 per language and overall for a JSONL file with text, lang, is_complaint, optional brand
    (a name or an object) and competitors (a list joined to a brand name); VADER alone (compound <= -0.05) on the same rows for comparison."""
    from earful.sentiment.training import prf, vader_baseline

    clf = clf or Classifier.load()
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("text"), str) and "is_complaint" in rec:
                rows.append(rec)
    res = clf.classify_many([r["text"] for r in rows], [_row_brand(r) for r in rows], [r.get("lang") for r in rows])
    y = np.array([bool(r["is_complaint"]) for r in rows])
    pred = np.array([e.complaint for e in res])
    vader = vader_baseline([r["text"] for r in rows]) if rows else np.zeros(0, bool)
    langs = np.array([str(r.get("lang") or "und") for r in rows])
    report: dict = {"languages": {}}
    out.write(f"{'lang':<8}{'n':>6}{'P':>8}{'R':>8}{'F1':>8}{'VADER F1':>10}\n")
    for lang in sorted(set(langs.tolist())) + ["overall"]:
        m = np.ones(len(rows), bool) if lang == "overall" else langs == lang
        stats = prf(y[m], pred[m]) | {"vader_f1": prf(y[m], vader[m])["f1"]}
        if lang == "overall":
            report["overall"] = stats
        else:
            report["languages"][lang] = stats
        out.write(f"{lang:<8}{stats['n']:>6}{stats['precision']:>8.3f}{stats['recall']:>8.3f}"
                  f"{stats['f1']:>8.3f}{stats['vader_f1']:>10.3f}\n")
    return report


def calibrate_threshold(labels: list[dict]) -> float:
    """A per-brand threshold from corrections: each has is_complaint and the complaint_score the model
    gave. Returns the F1-best threshold, or the shipped one when there are too few labels of each kind."""
    from earful.sentiment.classifier import MODEL_DIR

    default = float(json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8")).get("threshold", 0.5))
    pairs = [(float(lab["complaint_score"]), bool(lab["is_complaint"])) for lab in labels
             if "complaint_score" in lab and "is_complaint" in lab]
    pos = sum(1 for _, y in pairs if y)
    if pos < 3 or len(pairs) - pos < 3:
        return default
    scores = np.array([s for s, _ in pairs])
    y = np.array([t for _, t in pairs])
    best, best_f1 = default, -1.0
    for t in sorted(set(np.round(scores, 3).tolist()) | {default}):
        pred = scores >= t
        tp = int((pred & y).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if tp else 0.0
        # prefer the candidate nearest the shipped threshold among equals
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(t - default) < abs(best - default)):
            best, best_f1 = float(t), f1
    # place the cut midway below the chosen score so that slightly lower scores do not flip
    below = scores[scores < best]
    if len(below):
        best = (best + below.max()) / 2
    return float(min(0.95, max(0.05, best)))
