"""Character-trigram naive-Bayes language model for Latin-script posts (a cheap step before lingua).

Built at train time (`build`) from the xlm-t training tweets (en/de/es/fr/it/pt) and the labelled
training posts (all Latin languages; the only Polish source), shipped as ``model/langid_trigrams.npz``:
log P(trigram | language) over hashed trigrams of `strip_noise(text.lower())` padded with spaces,
Laplace-smoothed, uniform priors. `scores` scores a whole batch in one compiled loop
(`kernels.trigram_sums`, the same hashes as `_hashes`). `LanguageId` takes its answer only when the
log-likelihood margin between the two best candidate languages is large (see its docstring for the rest).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from earful.sentiment import kernels
from earful.sentiment.text import strip_noise

BITS = 16
LANGS = ("en", "de", "es", "fr", "it", "pt", "pl")
FILE = "langid_trigrams.npz"
ALPHA = 0.5
XLMT = {"en": "english", "de": "german", "es": "spanish", "fr": "french", "it": "italian", "pt": "portuguese"}


def _hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(bucket of every trigram, its text's index) for the padded texts."""
    padded = [" " + t + " " for t in texts]
    lens = np.fromiter((len(p) for p in padded), np.int64, len(padded))
    cp = np.frombuffer("".join(padded).encode("utf-32-le"), np.uint32).astype(np.int64)
    h = (cp[:-2] * 1_000_003 + cp[1:-1] * 8191 + cp[2:]) * 2_654_435_761
    h = (h >> 7) & ((1 << BITS) - 1)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    ntri = np.maximum(lens - 2, 0)
    seg = np.repeat(np.arange(len(padded)), ntri)
    pos = np.arange(int(ntri.sum())) - np.repeat(np.cumsum(ntri) - ntri, ntri) + np.repeat(starts, ntri)
    return h[pos], seg


def build(texts_by_lang: dict[str, list[str]]) -> np.ndarray:
    """log P(bucket | language), shape (2**BITS, len(LANGS)), float32."""
    counts = np.zeros((1 << BITS, len(LANGS)), np.float64)
    for j, lang in enumerate(LANGS):
        texts = [s for s in (strip_noise(t.lower()) for t in texts_by_lang.get(lang, ())) if s]
        if texts:
            h, _ = _hashes(texts)
            counts[:, j] = np.bincount(h, minlength=1 << BITS)
    counts += ALPHA
    return np.log(counts / counts.sum(axis=0, keepdims=True)).astype(np.float32)


def training_texts(shared: Path, labelled: Path) -> dict[str, list[str]]:
    import json

    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for lang, name in XLMT.items():
        path = shared / "xlmt_sentiment" / name / "train_text.txt"
        if path.is_file():
            out[lang] += path.read_text(encoding="utf-8").splitlines()
    for lang in LANGS:
        path = labelled / "train" / f"{lang}.jsonl"
        if path.is_file():
            out[lang] += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
                          if line.strip()]
    return out


def save(table: np.ndarray, out: Path) -> None:
    buf = io.BytesIO()
    np.save(buf, table.astype(np.float16), allow_pickle=False)
    with zipfile.ZipFile(out / FILE, "w", zipfile.ZIP_DEFLATED) as zf:  # fixed timestamp: same bytes
        info = zipfile.ZipInfo("t.npy", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, buf.getvalue())


def load(path: Path) -> np.ndarray | None:
    f = path / FILE
    if not f.is_file():
        return None
    with np.load(f) as data:
        return data["t"].astype(np.float32)


def scores(table: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Log-likelihood per text and language, shape (len(texts), len(LANGS))."""
    padded = [" " + t + " " for t in texts]
    n = len(padded)
    size = np.fromiter(map(len, padded), np.int64, n)
    start = np.zeros(n, np.int64)
    np.cumsum(size[:-1], out=start[1:])
    cp = np.frombuffer("".join(padded).encode("utf-32-le"), np.uint32).astype(np.int64)
    return kernels.trigram_sums(cp, start, size, table, BITS)
