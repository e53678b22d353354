"""Learned text features without scikit-learn: hashed character and word n-grams.

Character 2-5-grams of the model text (lower-case, URLs/handles/digits replaced, padded with
spaces) and word 1-2-grams are hashed into 2**BITS buckets each (a word is the crc32 of its UTF-8;
a bigram mixes its two words' hashes). Each group is scaled by 1/sqrt(number of n-grams in the post),
so a linear model's score is ``sum(w[bucket]) / sqrt(n)`` per group: the same buckets at training time
(`hashed_pairs` / `sparse_matrix`: numpy, a scipy CSR matrix for scikit-learn) and at run time
(`linear_scores`: compiled loops over the batch, `kernels.char_ngram_sums` / `word_ngram_sums`;
a test checks they agree).
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from earful.sentiment import kernels
from earful.sentiment.batchtokens import Batch

BITS = 18
CHAR_NS = (2, 3, 4, 5)
_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_SHIFT = np.uint64(64 - BITS)
_WORD_RE = re.compile(r"[^\W_]+|[!?]", re.U)
_MASK = (1 << BITS) - 1
_NS = np.asarray(CHAR_NS, np.int64)
_SEEDS = np.asarray([n * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF for n in CHAR_NS], np.uint64)


def _char_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(doc index, bucket) of every character n-gram, and n-gram counts per doc."""
    joined = _joined([" " + t + " " for t in texts])
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    is_sep = cp == 0
    doc = np.cumsum(is_sep)
    docs, buckets = [], []
    h = cp.copy()
    with np.errstate(over="ignore"):
        for n in range(2, max(CHAR_NS) + 1):
            h = h[:-1] * _P + cp[n - 1:]
            if n not in CHAR_NS:
                continue
            m = len(h)
            valid = (doc[:m] == doc[n - 1:n - 1 + m]) & ~is_sep[:m]
            mixed = (h[valid] ^ np.uint64(n * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF)) * _MIX
            buckets.append((mixed >> _SHIFT).astype(np.int64))
            docs.append(doc[:m][valid].astype(np.int64))
    d = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    b = np.concatenate(buckets) if buckets else np.zeros(0, np.int64)
    counts = np.bincount(d, minlength=len(texts)).astype(np.float64)
    return d, b, counts


class _TokenHashes(dict):
    """token -> crc32 of its UTF-8 bytes, computed on first use (``map(d.__getitem__, tokens)`` runs
    in C for every token already seen); the batch separator gets a value no crc32 can have."""

    def __missing__(self, tok: str) -> int:
        h = self[tok] = zlib.crc32(tok.encode("utf-8", "replace")) if tok != "\x00" else _SEP_HASH
        return h


_SEP_HASH = 1 << 40
_WORD_SEP_RE = re.compile(r"[^\W_]+|[!?]|\x00", re.U)  # _WORD_RE plus the batch separator
_tok_hash = _TokenHashes()  # remembered across batches (cleared when large)


def _joined(texts: list[str]) -> str:
    """The batch as one string, posts separated by NUL (a NUL inside a post becomes a space first)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    return joined


def _word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word unigrams and bigrams: one regex pass over the whole batch, one crc32 per distinct token
    (remembered), bigrams mixed in numpy."""
    if len(_tok_hash) > 200_000:
        _tok_hash.clear()
    toks = _WORD_SEP_RE.findall(_joined(texts))
    allh = np.fromiter(map(_tok_hash.__getitem__, toks), dtype=np.uint64, count=len(toks))
    is_sep = allh == np.uint64(_SEP_HASH)
    keep = ~is_sep
    doc = np.cumsum(is_sep)[keep]
    uni = allh[keep]
    same = doc[1:] == doc[:-1] if len(doc) > 1 else np.zeros(0, bool)
    with np.errstate(over="ignore"):
        bi = ((uni[:-1] * _P) ^ (uni[1:] + np.uint64(0x9E3779B9)))[same] if len(uni) > 1 else uni[:0]
        hashes = np.concatenate([uni, bi]) * _MIX
    d = np.concatenate([doc, doc[:-1][same] if len(doc) > 1 else doc[:0]])
    b = (hashes >> _SHIFT).astype(np.int64)
    counts = np.bincount(d, minlength=len(texts)).astype(np.float64)
    return d, b, counts


def hashed_pairs(texts: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per group: (doc index, bucket, weight per occurrence) with the 1/sqrt(n) scaling."""
    out = []
    for d, b, counts in (_char_hashes(texts), _word_hashes(texts)):
        scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))
        out.append((d, b, scale[d]))
    return out


def linear_scores(texts: list[str], weights: np.ndarray) -> np.ndarray:
    """sum over n-grams of weights[bucket] * scale, per text (weights has 2 * 2**BITS entries).

    The same buckets and scale as `hashed_pairs`, summed without building (doc, bucket) pairs: the
    character n-grams in one compiled loop over the batch (`kernels.char_ngram_sums`)."""
    n_docs = len(texts)
    total = np.zeros(n_docs, np.float64)
    if not n_docs:
        return total
    w_char, w_word = weights[:1 << BITS], weights[1 << BITS:]
    # padded: the character n-grams see the word edges (a NUL inside a post counts as a space, as in training)
    batch = Batch([" " + (t.replace("\x00", " ") if "\x00" in t else t) + " " for t in texts])
    sums, counts = kernels.char_ngram_sums(batch.cp.astype(np.uint64), batch.start, batch.size, w_char, _NS,
                                           _SEEDS, _SHIFT)
    total += sums / np.sqrt(np.maximum(counts, 1.0))
    # words: unigrams and bigrams of the tokens of each post (the padding spaces are no tokens)
    tok = batch.tokens(kernels.NGRAM)
    sums, counts = kernels.word_ngram_sums(batch.cp, tok.doc, tok.start, tok.end, tok.first, n_docs, w_word, _SHIFT)
    total += sums / np.sqrt(np.maximum(counts, 1.0))
    return total


def sparse_matrix(texts: list[str]):
    """The same features as a scipy CSR matrix (training only)."""
    from scipy import sparse

    rows, cols, vals = [], [], []
    for g, (d, b, v) in enumerate(hashed_pairs(texts)):
        rows.append(d)
        cols.append(b + g * (1 << BITS))
        vals.append(v)
    m = sparse.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(len(texts), 2 << BITS))
    return m.tocsr()
