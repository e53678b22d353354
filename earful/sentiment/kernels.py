"""Compiled inner loops (numba) for the per-character work of a batch of posts.

Each kernel walks the batch as one array of code points and computes, per post, exactly what the numpy
formulation in `features` / `trigram_lm` computes (the same hashes, buckets and sums; tests compare
them), without materialising one array per n-gram size. numba compiles them on first use and caches
the machine code next to this file (``__pycache__``), so later processes start at once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)


@njit(cache=True, nogil=True)
def char_ngram_sums(cp, start, size, w, ns, seeds, shift):  # pragma: no cover - compiled
    """Per post: (sum of w[bucket] over its character n-grams of the sizes in ``ns``, their count).

    ``cp`` is the batch's code points as uint64; post d is ``cp[start[d]:start[d] + size[d]]``. The
    bucket of the n-gram at i is ``((h ^ seed_n) * MIX) >> shift`` with ``h = fold(h * P + cp)`` over
    its n code points, as `features.linear_scores` computes it."""
    n_docs = start.shape[0]
    sums = np.zeros(n_docs, np.float64)
    counts = np.zeros(n_docs, np.float64)
    top = 0
    for k in range(ns.shape[0]):
        if ns[k] > top:
            top = ns[k]
    for d in range(n_docs):
        s0 = start[d]
        m = size[d]
        acc = 0.0
        cnt = 0
        for i in range(m):
            h = cp[s0 + i]
            for n in range(2, top + 1):
                if i + n > m:
                    break
                h = h * _P + cp[s0 + i + n - 1]
                for k in range(ns.shape[0]):
                    if ns[k] == n:
                        acc += w[((h ^ seeds[k]) * _MIX) >> shift]
                        cnt += 1
        sums[d] = acc
        counts[d] = cnt
    return sums, counts


@njit(cache=True, nogil=True)
def trigram_sums(cp, start, size, table, bits):  # pragma: no cover - compiled
    """Per post and language: sum of table[bucket] over the post's character trigrams (`trigram_lm`)."""
    n_docs = start.shape[0]
    n_lang = table.shape[1]
    out = np.zeros((n_docs, n_lang), np.float64)
    mask = (1 << bits) - 1
    for d in range(n_docs):
        s0 = start[d]
        for i in range(size[d] - 2):
            a = cp[s0 + i]
            b = cp[s0 + i + 1]
            c = cp[s0 + i + 2]
            h = ((a * 1_000_003 + b * 8191 + c) * 2_654_435_761 >> 7) & mask
            for j in range(n_lang):
                out[d, j] += table[h, j]
    return out


# -- tokens ------------------------------------------------------------------------------------------
# character classes (see `batchtokens.char_classes`): bit 1 alphanumeric (re's \w without "_"),
# 2 decimal digit (re's \d), 4 whitespace (re's \s), 0x80 looked up
ALNUM, DECIMAL, SPACE = 1, 2, 4
CUE, LEXICON, NGRAM, LETTERS = 0, 1, 2, 3  # tokenizer modes
FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, nogil=True)
def fnv(cp, s, e):  # pragma: no cover - compiled
    h = FNV_OFFSET
    for i in range(s, e):
        h = (h ^ np.uint64(cp[i])) * FNV_PRIME
    return h


@njit(cache=True, nogil=True)
def _in_word(c, letters_only):  # pragma: no cover - compiled
    """Whether a character of class c continues a word: alphanumeric, and not a digit for letters only."""
    return (c & ALNUM) != 0 and (not letters_only or (c & DECIMAL) == 0)


@njit(cache=True, nogil=True)
def _run_end(cp, cls, j, end, letters_only):  # pragma: no cover - compiled
    """The end of the run of word characters starting at j."""
    while j < end and _in_word(cls[cp[j]], letters_only):
        j += 1
    return j


@njit(cache=True, nogil=True)
def tokenize(cp, cls, start, size, mode):  # pragma: no cover - compiled
    """Token spans and FNV-1a hashes of every post, as these regexes find them (``mode``):
    CUE     ``[^\\W_]+(?:['’][^\\W_]+)*|[^\\w\\s]``   (cues.tokens)
    LEXICON ``[^\\W\\d_]+(?:['’][^\\W\\d_]+)?``       (lexicon.WORD_RE)
    NGRAM   ``[^\\W_]+|[!?]``                         (features._WORD_RE)
    LETTERS ``[^\\W\\d_]+(?:'[^\\W\\d_]+)*``           (text._LETTER_WORDS_RE)
    Returns (doc, start, end, hash) arrays, tokens in order. A first pass counts the tokens, so the
    arrays are exactly as long as needed."""
    none = np.empty(0, np.int64)
    n = _scan_tokens(cp, cls, start, size, mode, none, none, none, np.empty(0, np.uint64), False)
    doc = np.empty(n, np.int64)
    ts = np.empty(n, np.int64)
    te = np.empty(n, np.int64)
    th = np.empty(n, np.uint64)
    _scan_tokens(cp, cls, start, size, mode, doc, ts, te, th, True)
    return doc, ts, te, th


@njit(cache=True, nogil=True)
def _scan_tokens(cp, cls, start, size, mode, doc, ts, te, th, fill):  # pragma: no cover - compiled
    """The tokens of `tokenize`: counted, and written to the arrays when ``fill``."""
    k = 0
    letters_only = mode == LEXICON or mode == LETTERS
    for d in range(start.shape[0]):
        i = start[d]
        end = i + size[d]
        while i < end:
            c = cls[cp[i]]
            if _in_word(c, letters_only):
                j = _run_end(cp, cls, i + 1, end, letters_only)
                if mode != NGRAM:
                    # apostrophe continuation: any number for CUE and LETTERS (only ' for LETTERS), one for LEXICON
                    while j + 1 < end and (cp[j] == 39 or (cp[j] == 0x2019 and mode != LETTERS)):
                        if not _in_word(cls[cp[j + 1]], letters_only):
                            break
                        j = _run_end(cp, cls, j + 2, end, letters_only)
                        if mode == LEXICON:
                            break
            elif (mode == CUE and (c & ALNUM) == 0 and cp[i] != 95 and (c & SPACE) == 0) or (
                    mode == NGRAM and (cp[i] == 33 or cp[i] == 63)):
                j = i + 1  # one punctuation character (CUE: neither word character nor space; NGRAM: ! or ?)
            else:
                i += 1
                continue
            if fill:
                doc[k] = d
                ts[k] = i
                te[k] = j
                th[k] = fnv(cp, i, j)
            k += 1
            i = j
    return k


@njit(cache=True, nogil=True)
def member(keys, h):  # pragma: no cover - compiled
    """Whether h is in the sorted array keys."""
    i = np.searchsorted(keys, h)
    return i < keys.shape[0] and keys[i] == h


@njit(cache=True, nogil=True)
def any_member(tok_doc, tok_h, n_docs, keys):  # pragma: no cover - compiled
    """Per post: whether any of its tokens is in keys."""
    out = np.zeros(n_docs, np.bool_)
    for t in range(tok_doc.shape[0]):
        if not out[tok_doc[t]] and member(keys, tok_h[t]):
            out[tok_doc[t]] = True
    return out


@njit(cache=True, nogil=True)
def has_char(cp, start, size, table):  # pragma: no cover - compiled
    """Per post: whether any of its code points c has table[c] set (table covers the BMP)."""
    out = np.zeros(start.shape[0], np.bool_)
    top = table.shape[0]
    for d in range(start.shape[0]):
        for i in range(start[d], start[d] + size[d]):
            c = cp[i]
            if c < top and table[c]:
                out[d] = True
                break
    return out


@njit(cache=True, nogil=True)
def word_counts(cp, cls, start, size):  # pragma: no cover - compiled
    """Per post: len(text.split()) (runs of non-whitespace)."""
    out = np.zeros(start.shape[0], np.int64)
    for d in range(start.shape[0]):
        inside = False
        n = 0
        for i in range(start[d], start[d] + size[d]):
            if (cls[cp[i]] & SPACE) != 0:
                inside = False
            elif not inside:
                inside = True
                n += 1
        out[d] = n
    return out


@njit(cache=True, nogil=True)
def lexicon_totals(cp, tok_doc, tok_s, tok_e, tok_h, first, docs, word_keys, word_vals, prefix_keys, prefix_vals,
                   min_prefix, negators, intensifiers, n_scalar, boost):  # pragma: no cover - compiled
    """`lexicon.LexiconScorer.raw` (non-CJK) of the posts ``docs``, with the same operations in the same
    order: valence of each token (word, else its longest listed prefix of 12 down to min_prefix code
    points), times ``boost`` after an intensifier, times ``n_scalar`` within three tokens after a negator."""
    out = np.zeros(docs.shape[0], np.float64)
    for j in range(docs.shape[0]):
        d = docs[j]
        a = first[d]
        b = first[d + 1]
        any_boost = False
        any_neg = False
        for t in range(a, b):
            if member(intensifiers, tok_h[t]):
                any_boost = True
            if member(negators, tok_h[t]):
                any_neg = True
        total = 0.0
        for t in range(a, b):
            v = 0.0
            i = np.searchsorted(word_keys, tok_h[t])
            if i < word_keys.shape[0] and word_keys[i] == tok_h[t]:
                v = word_vals[i]
            else:
                m = tok_e[t] - tok_s[t]
                k = min(m, 12)
                while k >= min_prefix:
                    h = fnv(cp, tok_s[t], tok_s[t] + k)
                    i = np.searchsorted(prefix_keys, h)
                    if i < prefix_keys.shape[0] and prefix_keys[i] == h:
                        v = prefix_vals[i]
                        break
                    k -= 1
            if v == 0.0:
                continue
            if any_boost and t > a and member(intensifiers, tok_h[t - 1]):
                v *= boost
            if any_neg:
                for u in range(max(a, t - 3), t):
                    if member(negators, tok_h[u]):
                        v *= n_scalar
                        break
            total += v
        out[j] = total
    return out


# -- hash tables -------------------------------------------------------------------------------------
_MULT = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True)
def slot(keys, h):  # pragma: no cover - compiled
    """Index of h in an open-addressing table built by `batchtokens.HashTable` (-1 if absent)."""
    mask = keys.shape[0] - 1
    if h == 0:
        h = np.uint64(1)
    i = np.int64((h * _MULT) >> np.uint64(40)) & mask
    while True:
        k = keys[i]
        if k == h:
            return i
        if k == 0:
            return -1
        i = (i + 1) & mask


@njit(cache=True, nogil=True)
def cue_matches(cp, tok_s, tok_e, tok_h, first, docs, f_keys, f_off, f_cnt, e_cat, e_k, e_prefix, e_rest,
                e_last_len, p_keys, p_off, p_cnt, p_cat, prefix_lens):  # pragma: no cover - compiled
    """Every cue match in the posts ``docs``, in the order `cues._Index.scan` finds them: for each token,
    the entries (terms) starting with it, then the stems it starts with (longest stem length only).
    Returns (doc, kind, id, token) rows: kind 0 = entry ``id`` matched, 1 = stem phrase entry ``id``
    matched (the term is the tokens joined), 2 = stem category ``id`` (the term is the token)."""
    n = 0
    for d in docs:
        n += first[d + 1] - first[d]
    out = np.empty((n // 2 + 16, 4), np.int64)  # grown when a batch has more matches
    r = 0
    max_len = 0
    min_len = 1 << 30
    for L in prefix_lens:
        max_len = max(max_len, L)
        min_len = min(min_len, L)
    hs = np.empty(max_len + 1, np.uint64)
    for d in docs:
        a = first[d]
        b = first[d + 1]
        for t in range(a, b):
            s = slot(f_keys, tok_h[t])
            if s >= 0:
                for e in range(f_off[s], f_off[s] + f_cnt[s]):
                    k = e_k[e]
                    if k == 0:
                        ok = True
                    elif t + k < b:
                        ok = True
                        for x in range(k - 1):
                            if tok_h[t + 1 + x] != e_rest[e, x]:
                                ok = False
                                break
                        if ok:
                            last = t + k
                            if tok_h[last] != e_rest[e, k - 1]:
                                L = e_last_len[e]
                                ok = (e_prefix[e] and tok_e[last] - tok_s[last] >= L
                                      and fnv(cp, tok_s[last], tok_s[last] + L) == e_rest[e, k - 1])
                    else:
                        ok = False
                    if ok:
                        if r >= out.shape[0]:
                            out = _grow(out)
                        out[r, 0] = d
                        out[r, 1] = 1 if (e_prefix[e] and k > 0) else 0
                        out[r, 2] = e
                        out[r, 3] = t
                        r += 1
            m = tok_e[t] - tok_s[t]
            if m < min_len:
                continue
            h = FNV_OFFSET  # the hash of the token's first L code points, for every L up to the longest stem
            for x in range(min(m, max_len)):
                h = (h ^ np.uint64(cp[tok_s[t] + x])) * FNV_PRIME
                hs[x + 1] = h
            for L in prefix_lens:
                if m >= L:
                    s = slot(p_keys, hs[L])
                    if s >= 0:
                        for c in range(p_off[s], p_off[s] + p_cnt[s]):
                            if r >= out.shape[0]:
                                out = _grow(out)
                            out[r, 0] = d
                            out[r, 1] = 2
                            out[r, 2] = p_cat[c]
                            out[r, 3] = t
                            r += 1
                        break
    return out[:r]


@njit(cache=True, nogil=True)
def _grow(out):  # pragma: no cover - compiled
    bigger = np.empty((out.shape[0] * 2, out.shape[1]), out.dtype)
    bigger[:out.shape[0]] = out
    return bigger


@njit(cache=True, nogil=True)
def member_in_docs(tok_h, first, docs, keys):  # pragma: no cover - compiled
    """For each post of ``docs``: whether any of its tokens is in the sorted array keys."""
    out = np.zeros(docs.shape[0], np.bool_)
    for j in range(docs.shape[0]):
        d = docs[j]
        for t in range(first[d], first[d + 1]):
            if member(keys, tok_h[t]):
                out[j] = True
                break
    return out


def _crc_table() -> np.ndarray:
    table = np.zeros(256, np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC = _crc_table()


@njit(cache=True, nogil=True)
def _crc_byte(crc, b):  # pragma: no cover - compiled
    return _CRC[(crc ^ b) & 0xFF] ^ (crc >> 8)


@njit(cache=True, nogil=True)
def crc32_utf8(cp, s, e):  # pragma: no cover - compiled
    """zlib.crc32 of the UTF-8 encoding of code points cp[s:e] (no surrogates)."""
    crc = np.uint32(0xFFFFFFFF)
    for i in range(s, e):
        c = cp[i]
        if c < 0x80:
            crc = _crc_byte(crc, np.uint32(c))
        elif c < 0x800:
            crc = _crc_byte(crc, np.uint32(0xC0 | (c >> 6)))
            crc = _crc_byte(crc, np.uint32(0x80 | (c & 0x3F)))
        elif c < 0x10000:
            crc = _crc_byte(crc, np.uint32(0xE0 | (c >> 12)))
            crc = _crc_byte(crc, np.uint32(0x80 | ((c >> 6) & 0x3F)))
            crc = _crc_byte(crc, np.uint32(0x80 | (c & 0x3F)))
        else:
            crc = _crc_byte(crc, np.uint32(0xF0 | (c >> 18)))
            crc = _crc_byte(crc, np.uint32(0x80 | ((c >> 12) & 0x3F)))
            crc = _crc_byte(crc, np.uint32(0x80 | ((c >> 6) & 0x3F)))
            crc = _crc_byte(crc, np.uint32(0x80 | (c & 0x3F)))
    return crc ^ np.uint32(0xFFFFFFFF)


@njit(cache=True, nogil=True)
def word_ngram_sums(cp, tok_doc, tok_s, tok_e, first, n_docs, w, shift):  # pragma: no cover - compiled
    """Per post: (sum of w[bucket] over its word unigrams then bigrams, their count), with the buckets
    of `features._word_hashes` (crc32 of each token's UTF-8; bigram ``(u1 * P) ^ (u2 + 0x9E3779B9)``)."""
    sums = np.zeros(n_docs, np.float64)
    counts = np.zeros(n_docs, np.float64)
    for d in range(n_docs):
        a = first[d]
        b = first[d + 1]
        acc = 0.0
        prev = np.uint64(0)
        for t in range(a, b):
            u = np.uint64(crc32_utf8(cp, tok_s[t], tok_e[t]))
            acc += w[(u * _MIX) >> shift]
            if t > a:
                acc += w[(((prev * _P) ^ (u + np.uint64(0x9E3779B9))) * _MIX) >> shift]
            prev = u
        n = b - a
        sums[d] = acc
        counts[d] = n + max(n - 1, 0)
    return sums, counts


@njit(cache=True, nogil=True)
def char_counts(cp, start, size, table):  # pragma: no cover - compiled
    """Per post: how many of its code points have each of the 8 bits of ``table[c]`` set (code points
    beyond the table count for nothing); shape (posts, 8)."""
    out = np.zeros((start.shape[0], 8), np.int64)
    top = table.shape[0]
    for d in range(start.shape[0]):
        for i in range(start[d], start[d] + size[d]):
            c = cp[i]
            if c < top:
                bits = table[c]
                if bits:
                    for k in range(8):
                        if bits & (1 << k):
                            out[d, k] += 1
    return out


@njit(cache=True, nogil=True)
def shouted_words(cp, cls, start, size, caps):  # pragma: no cover - compiled
    """Per post: ``len(re.findall(r"(?<!\\w)[<caps>]{3,}(?!\\w)", text))`` where caps[c] marks the
    class, emulating the regex exactly (greedy run, backtracking until the next character is no word
    character; the scan resumes after each match)."""
    out = np.zeros(start.shape[0], np.int64)
    top = caps.shape[0]
    for d in range(start.shape[0]):
        s = start[d]
        e = s + size[d]
        i = s
        n = 0
        while i < e:
            c = cp[i]
            if c < top and caps[c] and (i == s or not _is_word(cls, cp[i - 1])):
                j = i
                while j < e and cp[j] < top and caps[cp[j]]:
                    j += 1
                matched = False
                L = j - i
                while L >= 3:
                    if i + L == e or not _is_word(cls, cp[i + L]):
                        matched = True
                        break
                    L -= 1
                if matched:
                    n += 1
                    i += L
                    continue
            i += 1
        out[d] = n
    return out


@njit(cache=True, nogil=True)
def _is_word(cls, c):  # pragma: no cover - compiled
    return (cls[c] & ALNUM) != 0 or c == 95


# columns of `letter_stats`
(ST_WORDS, ST_LETTERS, ST_NON_ASCII, ST_HAN, ST_KANA, ST_UK, ST_RU, ST_SAMPLE_LEN, ST_CYR, ST_LATIN, ST_ARABIC,
 ST_DEVA, ST_GREEK, ST_HANGUL, ST_HAN_SAMPLE) = range(15)
SCRIPT_BITS = {"cyrillic": 1, "latin": 2, "arabic": 4, "devanagari": 8, "greek": 16, "hangul": 32, "han": 64,
               "kana": 128, "uk_only": 256, "ru_only": 512}
SAMPLE = 200
_WHOLE = np.array([(SCRIPT_BITS[k], col) for k, col in (("han", ST_HAN), ("kana", ST_KANA), ("uk_only", ST_UK),
                                                         ("ru_only", ST_RU))], np.int64)
_SAMPLED = np.array([(SCRIPT_BITS[k], col) for k, col in (
    ("cyrillic", ST_CYR), ("latin", ST_LATIN), ("arabic", ST_ARABIC), ("devanagari", ST_DEVA), ("greek", ST_GREEK),
    ("hangul", ST_HANGUL), ("han", ST_HAN_SAMPLE))], np.int64)


@njit(cache=True, nogil=True)
def letter_stats(cp, tok_s, tok_e, first, n_docs, table):  # pragma: no cover - compiled
    """Per post, about its letter words joined by single spaces (`text.strip_noise`): word and letter
    counts, non-ASCII letters, Han / kana / Ukrainian-only / Russian-only letters, and the script counts of
    its first SAMPLE characters (`langid.LanguageId._script`). Columns: the ST_* constants."""
    out = np.zeros((n_docs, 15), np.int64)
    top = table.shape[0]
    for d in range(n_docs):
        a = first[d]
        b = first[d + 1]
        pos = 0
        for t in range(a, b):
            if t > a:
                pos += 1  # the space before the word
            for i in range(tok_s[t], tok_e[t]):
                c = cp[i]
                out[d, ST_LETTERS] += 1
                bits = table[c] if c < top else 0
                if c >= 128:
                    out[d, ST_NON_ASCII] += 1
                if bits:
                    for k in range(_WHOLE.shape[0]):  # counted over the whole text
                        if bits & _WHOLE[k, 0]:
                            out[d, _WHOLE[k, 1]] += 1
                    if pos < SAMPLE:  # counted over its first SAMPLE characters
                        for k in range(_SAMPLED.shape[0]):
                            if bits & _SAMPLED[k, 0]:
                                out[d, _SAMPLED[k, 1]] += 1
                pos += 1
        out[d, ST_WORDS] = b - a
        out[d, ST_SAMPLE_LEN] = min(pos, SAMPLE)
    return out


@njit(cache=True, nogil=True)
def trigram_token_sums(cp, tok_s, tok_e, first, docs, table, bits):  # pragma: no cover - compiled
    """`trigram_sums` of each post of ``docs`` as the text " " + its words joined by " " + " "."""
    n_lang = table.shape[1]
    out = np.zeros((docs.shape[0], n_lang), np.float64)
    mask = (1 << bits) - 1
    longest = 0
    for d in docs:
        n = 2
        for t in range(first[d], first[d + 1]):
            n += tok_e[t] - tok_s[t] + 1
        longest = max(longest, n)
    buf = np.empty(longest + 1, np.int64)
    for j in range(docs.shape[0]):
        d = docs[j]
        m = 0
        buf[m] = 32
        m += 1
        for t in range(first[d], first[d + 1]):
            if t > first[d]:
                buf[m] = 32
                m += 1
            for i in range(tok_s[t], tok_e[t]):
                buf[m] = cp[i]
                m += 1
        buf[m] = 32
        m += 1
        for i in range(m - 2):
            h = ((buf[i] * 1_000_003 + buf[i + 1] * 8191 + buf[i + 2]) * 2_654_435_761 >> 7) & mask
            for k in range(n_lang):
                out[j, k] += table[h, k]
    return out


@njit(cache=True, nogil=True)
def has_digit_run(cp, cls, start, size, k):  # pragma: no cover - compiled
    """Per post: whether it has k decimal digits in a row (``re.search(r"\\d{k}", text)``)."""
    out = np.zeros(start.shape[0], np.bool_)
    for d in range(start.shape[0]):
        run = 0
        for i in range(start[d], start[d] + size[d]):
            if (cls[cp[i]] & DECIMAL) != 0:
                run += 1
                if run >= k:
                    out[d] = True
                    break
            else:
                run = 0
    return out


@njit(cache=True, nogil=True)
def cjk_lexicon_totals(cp, start, size, docs, keys, vals, max_len, negators, boosters, pairs, skip_first,
                       n_scalar, boost):  # pragma: no cover - compiled
    """`lexicon.LexiconScorer._raw_cjk` of the posts ``docs``: greedy longest lexicon match at each
    position (up to max_len code points), times ``n_scalar`` when a negator character is among the three
    before it (unless the match starts with a skip_first character), times ``boost`` when a booster
    character or two-character booster (``pairs``, rows of two code points) is among them."""
    out = np.zeros(docs.shape[0], np.float64)
    hs = np.empty(max_len + 1, np.uint64)
    for j in range(docs.shape[0]):
        d = docs[j]
        s = start[d]
        n = size[d]
        total = 0.0
        i = 0
        while i < n:
            top = min(max_len, n - i)
            h = FNV_OFFSET
            for x in range(top):
                h = (h ^ np.uint64(cp[s + i + x])) * FNV_PRIME
                hs[x + 1] = h
            matched = 0
            for k in range(top, 0, -1):
                q = slot(keys, hs[k])
                if q >= 0:
                    v = vals[q]
                    b0 = max(0, i - 3)
                    neg = False
                    for x in range(b0, i):
                        for c in negators:
                            if cp[s + x] == c:
                                neg = True
                    first = cp[s + i]
                    starts_skip = False
                    for c in skip_first:
                        if first == c:
                            starts_skip = True
                    if neg and not starts_skip:
                        v *= n_scalar
                    up = False
                    for x in range(b0, i):
                        for c in boosters:
                            if cp[s + x] == c:
                                up = True
                        if x + 1 < i:
                            for p in range(pairs.shape[0]):
                                if cp[s + x] == pairs[p, 0] and cp[s + x + 1] == pairs[p, 1]:
                                    up = True
                    if up:
                        v *= boost
                    total += v
                    matched = k
                    break
            i += matched if matched else 1
        out[j] = total
    return out


@njit(cache=True, nogil=True)
def fnv_docs(cp, start, size):  # pragma: no cover - compiled
    """The FNV-1a hash of each post's code points (as `fnv`)."""
    out = np.empty(start.shape[0], np.uint64)
    for d in range(start.shape[0]):
        out[d] = fnv(cp, start[d], start[d] + size[d])
    return out
