"""Lexical evidence: content words, their dictionary keys, anchors, overlap between sides."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from mt.text.lexicon import TOKEN, english_keys, french_keys
from mt.text.lexicon import weight as word_weight


def french_info(sentence: str) -> tuple[int, list[tuple[frozenset[str], float]]]:
    """Length, and for each content word: the keys an English match may contain, its weight."""
    cands = []
    for w in TOKEN.findall(sentence):
        keys = french_keys(w)
        if keys is not None:
            cands.append((keys, word_weight(w.lower(), "fr")))
    return len(sentence), cands


def english_info(sentence: str) -> tuple[int, list[tuple[frozenset[str], float]], frozenset[str]]:
    """Length, each content word's keys (itself, its stem, its cognate key) with weight, and all
    keys."""
    words = []
    for w in TOKEN.findall(sentence):
        keys = english_keys(w)
        if keys is not None:
            words.append((keys, word_weight(w.lower(), "en")))
    return len(sentence), words, frozenset().union(*(k for k, _ in words)) if words else frozenset()


_ANCHOR_MAX_POSTINGS = 40  # sentences within the window a key may occur in and still anchor


def find_anchors(
    fr_info: list[tuple[int, list[tuple[frozenset[str], float]]]],
    en_info: list[tuple[int, list[tuple[frozenset[str], float]], frozenset[str]]],
    fr_total: list[float],
    en_total: list[float],
) -> list[tuple[int, int]]:
    """Sentence pairs that are each other's best lexical match, in increasing order.

    An inverted index over the English keys finds candidates within a window around the
    diagonal; keys shared by many sentences of that window are skipped (they do not
    discriminate). The count is local, so that a text that repeats itself (a name on every
    page, a refrain) still has anchors: counted over the whole text, every key of a short text
    repeated many times would be skipped and no anchor left.
    """
    n, m = len(fr_info), len(en_info)
    index: dict[str, list[int]] = {}
    for j, (_, _, keys) in enumerate(en_info):
        for key in keys:
            index.setdefault(key, []).append(j)
    window = max(60, abs(n - m) + 40, int(0.1 * max(n, m)))
    best_for_fr: dict[int, tuple[float, int]] = {}
    best_for_en: dict[int, tuple[float, int]] = {}
    for i, (_, words) in enumerate(fr_info):
        c = i * m / n
        scores: dict[int, float] = {}
        for keys, weight in words:
            hit: set[int] = set()
            for key in keys:
                postings = index.get(key, ())
                lo = bisect.bisect_left(postings, c - window)
                hi = bisect.bisect_right(postings, c + window)
                if hi - lo > _ANCHOR_MAX_POSTINGS:
                    continue
                hit.update(postings[lo:hi])
            for j in hit:
                scores[j] = scores.get(j, 0.0) + weight
        for j, sc in scores.items():
            sim = sc / (fr_total[i] + en_total[j] + 1e-9)
            if sim > best_for_fr.get(i, (0.0, -1))[0]:
                best_for_fr[i] = (sim, j)
            if sim > best_for_en.get(j, (0.0, -1))[0]:
                best_for_en[j] = (sim, i)
    pairs = sorted(
        (i, j) for i, (sim, j) in best_for_fr.items() if sim >= 0.15 and best_for_en[j][1] == i
    )
    # longest chain increasing in both coordinates
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    chain = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k])
        k = prev[k]
    return chain[::-1]


def make_matcher(
    src_words: list[list[tuple[frozenset[str], float]]],
    src_keys: list[frozenset[str]],
    en_info: list[tuple[int, list[tuple[frozenset[str], float]], frozenset[str]]],
) -> Callable[[int, int], tuple[float, float]]:
    """Cached ``(i, j) -> (weight of i's words found in English j, weight of j's found in i)``.

    ``src_words[i]`` are (keys, weight) per content word of source sentence i (French with its
    dictionary keys, or a machine translation read as English); ``src_keys[i]`` their union.
    """
    cache: dict[tuple[int, int], tuple[float, float]] = {}

    def hits(i: int, j: int) -> tuple[float, float]:
        hit = cache.get((i, j))
        if hit is None:
            ekeys = en_info[j][2]
            s_hits = sum(w for keys, w in src_words[i] if not keys.isdisjoint(ekeys))
            e_hits = sum(w for keys, w in en_info[j][1] if not keys.isdisjoint(src_keys[i]))
            hit = cache[(i, j)] = (s_hits, e_hits)
        return hit

    return hits


def overlap_similarity(a_hits: float, a_total: float, b_hits: float, b_total: float) -> float:
    """Share of both sides' content weight that the other side matches."""
    return (min(a_hits, a_total) + min(b_hits, b_total)) / max(a_total + b_total, 1)
