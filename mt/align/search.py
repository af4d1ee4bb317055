"""The banded dynamic programme over beads: length, lexical overlap, vectors and priors."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

import numpy as np

from mt.align.band import stretch_band, within_budget
from mt.align.costs import Costs, insertion_priors
from mt.align.lexical import (
    english_info,
    find_anchors,
    french_info,
    make_matcher,
    overlap_similarity,
)
from mt.align.vectors import bead_vectors
from mt.records import Link

_SQRT_HALF = math.sqrt(0.5)


def align_units(
    fr: Sequence[str],
    en: Sequence[str],
    translations: Sequence[str] | None,
    band: int | None,
    costs: Costs,
    vectors: tuple[np.ndarray, np.ndarray] | None,
    breaks: tuple[list[float], list[float]],
) -> list[Link]:
    """The dynamic programme over units (clauses or sentences); ``breaks``: the cost of a bead
    boundary before each unit of each side (and after the last)."""
    lexical_weight = costs.lexical_weight
    fr_breaks, en_breaks = breaks
    n, m = len(fr), len(en)
    if n == 0 or m == 0:
        return [Link([i], [], 0.0) for i in range(n)] + [Link([], [j], 0.0) for j in range(m)]
    fr_info = [french_info(s) for s in fr]
    en_info = [english_info(s) for s in en]
    # English/French length ratio, within the range translations keep: what lies beyond it is
    # text one side has and the other lacks (an abridged translation, a partial reference)
    fr_chars, en_chars = sum(c for c, _ in fr_info), sum(c for c, _, _ in en_info)
    lo, hi = costs.length_ratio
    ratio = min(max((en_chars + 1) / (fr_chars + 1), lo), hi)
    base_costs, costs = costs, insertion_priors(costs, fr_chars, en_chars, ratio, n, m)
    fr_keys = [frozenset().union(*(k for k, _ in c)) if c else frozenset() for _, c in fr_info]
    fr_total = [sum(w for _, w in c) for _, c in fr_info]
    en_total = [sum(w for _, w in c) for _, c, _ in en_info]
    anchors = find_anchors(fr_info, en_info, fr_total, en_total) if lexical_weight > 0 else []
    points = [(0, 0), *anchors, (n, m)]
    # one band per stretch between anchors: anchors close together pin the path down there,
    # and a long stretch without one (or a text without any) is searched widely, within a
    # budget of cells
    gaps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points)]
    bands = (
        within_budget([stretch_band(dn, dm) for dn, dm in gaps], gaps)
        if band is None
        else [band] * len(gaps)
    )

    def stretch(i: int) -> int:
        """The stretch between anchors that French position i falls in."""
        return min(max(bisect.bisect_right(points, (i, m + 1)) - 1, 0), len(bands) - 1)

    def centre(i: int) -> float:
        """The path's expected English position at French position i (piecewise linear)."""
        k = stretch(i)
        (i0, j0), (i1, j1) = points[k], points[k + 1]
        return j0 if i1 == i0 else j0 + (i - i0) * (j1 - j0) / (i1 - i0)

    def band_at(i: int) -> int:
        k = stretch(i)
        # on an anchor's row the stretches before and after it meet
        return max(bands[k], bands[k - 1]) if k > 0 and points[k][0] == i else bands[k]

    overlap = make_matcher([words for _, words in fr_info], fr_keys, en_info)
    # the machine translation of each French sentence, read as English: its content words
    # match the English side's words, stems and cognates directly
    tr_info = [english_info(t) for t in translations] if translations is not None else []
    tr_total = [sum(w for _, w in words) for _, words, _ in tr_info]
    tr_overlap = make_matcher([w for _, w, _ in tr_info], [k for _, _, k in tr_info], en_info)

    def tr_sim(fi: range, ej: range) -> float:
        t_hits = e_hits = 0.0
        for i in fi:
            for j in ej:
                a, b = tr_overlap(i, j)
                t_hits += a
                e_hits += b
        nt = sum(tr_total[i] for i in fi)
        ne = sum(en_total[j] for j in ej)
        return overlap_similarity(t_hits, nt, e_hits, ne)

    cover, min_content = costs.merge_cover, costs.min_content
    windows = bead_vectors(vectors, costs) if vectors is not None else None

    # characters before each sentence: a bead's length is one subtraction
    fr_chars_before = list(itertools.accumulate((c for c, _ in fr_info), initial=0))
    en_chars_before = list(itertools.accumulate((c for c, _, _ in en_info), initial=0))
    merge_penalty, embed_weight, embed_floor = (
        costs.merge_penalty,
        costs.embed_weight,
        costs.embed_floor,
    )

    def bead_score(i0: int, di: int, j0: int, dj: int, prior: float) -> float:
        if di == 0 or dj == 0:
            return -prior
        lf = fr_chars_before[i0 + di] - fr_chars_before[i0]
        le = en_chars_before[j0 + dj] - en_chars_before[j0]
        delta = (le - lf * ratio) / math.sqrt(max(lf * ratio, 1.0) * 6.8)
        length_cost = -math.log(max(math.erfc(abs(delta) * _SQRT_HALF), 1e-12))  # two-sided tail
        if lexical_weight == 0:
            return -prior - length_cost
        if di == 1 and dj == 1:
            f_hits, e_hits = overlap(i0, j0)
            nf, ne = fr_total[i0], en_total[j0]
            penalty = 0.0
        else:
            # per-sentence hits: a merged sentence the other side barely matches is penalised
            # (more likely an insertion than part of the merge, however well lengths add up;
            # sentences with almost no content words, "Oh dear, no!", are not judged)
            f_each = [0.0] * di
            e_each = [0.0] * dj
            for a_ in range(di):
                for b_ in range(dj):
                    a, b = overlap(i0 + a_, j0 + b_)
                    f_each[a_] += a
                    e_each[b_] += b
            f_hits, e_hits = sum(f_each), sum(e_each)
            nf = sum(fr_total[i0 : i0 + di])
            ne = sum(en_total[j0 : j0 + dj])
            uncovered = 0.0
            if di > 1:
                for a_ in range(di):
                    total = fr_total[i0 + a_]
                    if total >= min_content:
                        uncovered += max(0.0, cover - f_each[a_] / total)
            if dj > 1:
                for b_ in range(dj):
                    total = en_total[j0 + b_]
                    if total >= min_content:
                        uncovered += max(0.0, cover - e_each[b_] / total)
            penalty = merge_penalty * uncovered
        sim = overlap_similarity(f_hits, nf, e_hits, ne)
        if translations is not None:
            # the better of the two: a weak translator must not drown the dictionary signal
            sim = max(sim, tr_sim(range(i0, i0 + di), range(j0, j0 + dj)))
        if windows is not None:
            first, cosines = row_cos[(di, dj)]
            penalty -= embed_weight * (cosines[j0 - first] - embed_floor)
        # rewarded once per bead, as Bertalign does: a merge must raise the similarity enough
        # to beat the split it replaces, so unrelated neighbours are left out as 0-1 / 1-0
        return -prior - length_cost + lexical_weight * sim - penalty

    neg = -math.inf
    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}
    # per DP row, the cosines of every bead ending there, in one matrix product per shape
    row_cos: dict[tuple[int, int], tuple[int, list[float]]] = {}
    shapes = list(costs.beads.items())
    for i in range(0, n + 1):
        width = band_at(i)
        lo = max(0, int(centre(i)) - width)
        hi = min(m, int(centre(i)) + width)
        if windows is not None:
            fw, ew = windows
            for di, dj in costs.beads:
                if di and dj and i >= di:
                    first = max(lo - dj, 0)
                    row_cos[(di, dj)] = (
                        first,
                        (ew[dj][first : hi - dj + 1] @ fw[di][i - di]).tolist(),
                    )
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            top, arg = neg, (0, 0)
            for (di, dj), prior in shapes:
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0:
                    continue
                prev = best.get((pi, pj))
                if prev is None:
                    continue
                s = prev + bead_score(pi, di, pj, dj, prior)
                if s > top:
                    top, arg = s, (di, dj)
            if top > neg:
                # a path through (i, j) ends a bead there on both sides
                best[(i, j)] = top - fr_breaks[i] - en_breaks[j]
                back[(i, j)] = arg
    if (n, m) not in best:
        # the band was too narrow for this pair of texts: widen it and try again
        return align_units(
            fr, en, translations, max(bands) * 2, base_costs, vectors, (fr_breaks, en_breaks)
        )
    links = []
    i, j = n, m
    while (i, j) != (0, 0):
        di, dj = back[(i, j)]
        score = best[(i, j)] - best[(i - di, j - dj)]
        links.append(Link(list(range(i - di, i)), list(range(j - dj, j)), round(score, 3)))
        i, j = i - di, j - dj
    links.reverse()
    return links
