"""Sentence alignment French ↔ English with n-to-m links, by banded dynamic programming.

By default the units aligned are clauses (sentences cut after ``;`` and ``:``), and the
sentences whose clauses are linked make one link. Each bead (a block of 0–4 French and 0–4
English units) is scored from
- length: Gale–Church, the English length predicted from the French one;
- lexical overlap: French content words whose dictionary translations (a Dice table of
  Snowball stems learned from the training corpora, ``mt/data/fr-en-stems.tsv.gz``) or
  cognates (same first letters), numbers and names occur on the English side — and, when
  given, the same overlap between the machine translation of the French and the English;
- a prior per bead shape.
The search is restricted to a band around the diagonal, so time and memory grow linearly.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from mt.errors import InputError
from mt.lexicon import TOKEN, english_keys, french_keys
from mt.lexicon import weight as word_weight

# mean log-probability per token of each English text given its French text (None: not scored)
Scorer = Callable[[Sequence[str], Sequence[str]], Sequence[float | None]]


@dataclass(frozen=True)
class Costs:
    """The aligner's cost settings (what ``scripts/tune_align.py`` searches over).

    ``beads``: bead shapes (French, English sentences) and their prior costs in nats.
    ``lexical_weight``: reward for a bead's lexical similarity (0: length only, Gale–Church).
    A sentence merged into a bead whose other side matches less than ``merge_cover`` of its
    content weight costs ``merge_penalty`` per missing unit of cover; sentences with less
    content weight than ``min_content`` are not judged.
    ``embed_weight`` / ``embed_floor``: with sentence vectors, a bead gains ``embed_weight`` per
    unit of cosine similarity between its sides above ``embed_floor`` (and loses below it).
    ``length_ratio``: the range of English/French character ratios a translation is assumed to
    keep; a text longer than that predicts holds insertions (see :func:`_insertion_priors`),
    whose expected share beyond ``insertion_rate`` (0: never) makes that side's 0-1 / 1-0
    beads cheaper.
    ``clause_break``: when clauses are aligned (:func:`split_clauses`), the cost of a bead
    boundary inside a sentence, on each side where it falls (0: clauses are aligned as freely
    as sentences; docs/design/decisions.md, "Clauses are the units").
    The units are sentences or clauses, whichever :func:`align` aligns.
    """

    beads: Mapping[tuple[int, int], float] = field(
        default_factory=lambda: {
            (1, 1): 0.0,
            (1, 2): 2.0,
            (2, 1): 2.0,
            (2, 2): 3.5,
            (1, 3): 4.5,
            (3, 1): 4.5,
            (2, 3): 6.0,
            (3, 2): 6.0,
            (1, 4): 6.0,
            (4, 1): 6.0,
            (1, 0): 3.5,
            (0, 1): 3.5,
        }
    )
    lexical_weight: float = 24.0
    merge_cover: float = 0.35
    merge_penalty: float = 5.0
    min_content: float = 2.0
    length_ratio: tuple[float, float] = (0.93, 1.07)
    insertion_rate: float = 0.05
    embed_weight: float = 12.0
    embed_floor: float = 0.1
    clause_break: float = 4.0

    def __post_init__(self) -> None:
        lo, hi = self.length_ratio
        if not 0 < lo <= hi:
            raise InputError(f"length_ratio {self.length_ratio} is not a range of positive ratios")
        if self.clause_break < 0:
            raise InputError(f"clause_break {self.clause_break} is negative")
        if not 0 <= self.insertion_rate < 1:
            raise InputError(f"insertion_rate {self.insertion_rate} is not in [0, 1)")
        for di, dj in self.beads:
            if di < 0 or dj < 0 or di + dj == 0:
                raise InputError(f"bead shape ({di}, {dj}) is not a block of sentences")
        if (1, 1) not in self.beads:
            raise InputError("the bead shapes must include (1, 1)")


def default_costs(vectors: bool = False) -> Costs:
    """The tuned costs: without sentence vectors, or with them (``scripts/tune_align.py``).

    Vectors carry much of the word table's signal, so it weighs less beside them (8 against 24),
    and they judge insertions well enough that a 1-0 / 0-1 bead may cost more (4.0 against 3.5).
    """
    base = Costs()
    if not vectors:
        return base
    beads = dict(base.beads) | {(1, 0): 4.0, (0, 1): 4.0}
    return replace(base, lexical_weight=8.0, beads=beads, clause_break=6.0)


@dataclass(frozen=True)
class Link:
    """One bead: French sentence indices, English sentence indices, and its score."""

    fr: list[int]
    en: list[int]
    score: float

    def gold_format(self) -> str:
        return f"{self.fr}:{self.en}".replace(" ", "")


def _french(sentence: str) -> tuple[int, list[tuple[frozenset[str], float]]]:
    """Length, and for each content word: the keys an English match may contain, its weight."""
    cands = []
    for w in TOKEN.findall(sentence):
        keys = french_keys(w)
        if keys is not None:
            cands.append((keys, word_weight(w.lower(), "fr")))
    return len(sentence), cands


def _english(sentence: str) -> tuple[int, list[tuple[frozenset[str], float]], frozenset[str]]:
    """Length, each content word's keys (itself, its stem, its cognate key) with weight, and all
    keys."""
    words = []
    for w in TOKEN.findall(sentence):
        keys = english_keys(w)
        if keys is not None:
            words.append((keys, word_weight(w.lower(), "en")))
    return len(sentence), words, frozenset().union(*(k for k, _ in words)) if words else frozenset()


_ANCHOR_MAX_POSTINGS = 40  # sentences within the window a key may occur in and still anchor


def _anchors(
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


def _matcher(
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


def _similarity(a_hits: float, a_total: float, b_hits: float, b_total: float) -> float:
    """Share of both sides' content weight that the other side matches."""
    return (min(a_hits, a_total) + min(b_hits, b_total)) / max(a_total + b_total, 1)


_SQRT_HALF = math.sqrt(0.5)


def _insertion_priors(
    costs: Costs, fr_chars: int, en_chars: int, ratio: float, n: int, m: int
) -> Costs:
    """``costs`` with cheaper 0-1 (1-0) beads when the English (French) is longer than predicted.

    The surplus characters, in sentences of that side's mean length, estimate how many of its
    sentences have no counterpart; when that share exceeds ``insertion_rate`` the bead's prior
    falls by the log of the ratio (an abridged translation, as Emma's French is, makes the
    English side's 0-1 beads cheaper).
    """
    if costs.insertion_rate <= 0 or (0, 1) not in costs.beads or (1, 0) not in costs.beads:
        return costs
    beads = dict(costs.beads)
    rate = costs.insertion_rate
    en_surplus = max(0.0, en_chars - fr_chars * ratio) / max(en_chars / m, 1.0) / m
    fr_surplus = max(0.0, fr_chars - en_chars / ratio) / max(fr_chars / n, 1.0) / n
    beads[(0, 1)] -= math.log(max(en_surplus, rate) / rate)
    beads[(1, 0)] -= math.log(max(fr_surplus, rate) / rate)
    return replace(costs, beads=beads)


class PairEncoder(Protocol):
    """What ``align(..., embedder=...)`` needs: :class:`mt.embed.Embedder` has it."""

    def pair_vectors(
        self, fr: Sequence[str], en: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]: ...


# a sentence is cut into clauses after a semicolon or a colon; a piece shorter than this (in
# characters) stays with its neighbour
CLAUSE_BREAK = re.compile(r"(?<=[;:])\s+")
MIN_CLAUSE_CHARS = 10


# the widest side of the default beads: what a sentence is cut into at most
MAX_CLAUSES = max(max(shape) for shape in Costs().beads)


def split_clauses(
    sentences: Sequence[str], max_clauses: int = MAX_CLAUSES
) -> tuple[list[str], list[int]]:
    """The clauses :func:`align` aligns by default, and the sentence each one belongs to.

    Translators of literary prose move clause boundaries across sentence boundaries ("…: no one
    had reproved John;" ends one English sentence, begins a French one); aligning clauses lets a
    bead end inside a sentence, and the sentences its clauses link are then joined.
    ``max_clauses``: a sentence cut into more pieces has its shortest neighbouring pieces joined
    until that many are left, so that a bead can hold it whole (a list of nine items after
    semicolons must still meet a translation that separates them by commas); ``align`` passes
    its widest bead side."""
    clauses: list[str] = []
    owner: list[int] = []
    for i, sentence in enumerate(sentences):
        parts: list[str] = []
        for part in CLAUSE_BREAK.split(sentence):
            if parts and (len(part) < MIN_CLAUSE_CHARS or len(parts[-1]) < MIN_CLAUSE_CHARS):
                parts[-1] += " " + part
            elif part.strip() or not parts:
                parts.append(part)
        while len(parts) > max(max_clauses, 1):
            k = min(range(len(parts) - 1), key=lambda x: len(parts[x]) + len(parts[x + 1]))
            parts[k : k + 2] = [parts[k] + " " + parts[k + 1]]
        clauses += parts
        owner += [i] * len(parts)
    return clauses, owner


def align(
    fr: Sequence[str],
    en: Sequence[str],
    *,
    translations: Sequence[str] | None = None,
    scorer: Scorer | None = None,
    band: int | None = None,
    lexical_weight: float | None = None,
    costs: Costs | None = None,
    vectors: tuple[np.ndarray, np.ndarray] | None = None,
    embedder: PairEncoder | None = None,
    clauses: bool = True,
) -> list[Link]:
    """Align French sentences with English ones; returns links covering both sides in order.

    With ``clauses`` (the default) both sides are cut into clauses (:func:`split_clauses`) and
    the clauses are aligned; a bead boundary inside a sentence costs ``costs.clause_break``, and
    the sentences that linked clauses belong to are joined into one link
    (docs/design/decisions.md, "Clauses are the units").
    ``clauses=False`` aligns whole sentences.

    ``translations`` (machine translations of ``fr``, one per sentence, so only with
    ``clauses=False``) add the word overlap between each translation and the English. ``scorer``
    (optional, e.g. ``Translator.score_pairs``:
    the mean log-probability per token of English texts given French ones) checks every 1-0 /
    0-1 bead of the result: the sentence joins a neighbouring bead when that makes the
    neighbour's English more probable per token (see :func:`_absorb_unmatched`).
    ``embedder`` (optional, e.g. :class:`mt.embed.Embedder`) encodes what is aligned, clauses or
    sentences; ``vectors`` gives the same rows ready made: one per French and per English
    clause (or sentence with ``clauses=False``), each its summed token states. A bead's two
    sides are compared by the cosine of their rows' sums, rewarded by ``costs.embed_weight``
    above ``costs.embed_floor``.
    ``band``: how far (in clauses or sentences) the path may stray from the line through the
    anchors; by default it is set per stretch between two anchors, :data:`MIN_BAND` where they
    are close and wider for longer stretches and for texts of different lengths. ``costs``
    defaults to :func:`default_costs` (tuned on the six books of ``eval/align.py``, with and
    without vectors); ``lexical_weight`` overrides its weight, ``0`` gives a length-only
    Gale–Church aligner.
    """
    if translations is not None and len(translations) != len(fr):
        raise InputError(f"{len(translations)} translations for {len(fr)} French sentences")
    if translations is not None and clauses:
        raise InputError("translations are given per sentence: align them with clauses=False")
    if vectors is not None and embedder is not None:
        raise InputError("give vectors or an embedder, not both")
    # the widest bead bounds the clauses per sentence; default_costs() differs from Costs() in
    # priors only, so its shapes are known before vectors decide which defaults apply
    shapes = (costs or Costs()).beads
    fr_units, fr_owner = _units(fr, clauses, max(di for di, _ in shapes))
    en_units, en_owner = _units(en, clauses, max(dj for _, dj in shapes))
    if embedder is not None:
        vectors = embedder.pair_vectors(fr_units, en_units)
    if vectors is not None:
        fv, ev = vectors
        if fv.ndim != 2 or ev.ndim != 2 or (len(fv), len(ev)) != (len(fr_units), len(en_units)):
            unit = "clause (mt.align.split_clauses)" if clauses else "sentence"
            raise InputError(
                f"vectors for {len(fv)} French and {len(ev)} English texts, "
                f"expected {len(fr_units)} and {len(en_units)}: one row per {unit}"
            )
        if fv.shape[1] != ev.shape[1]:
            raise InputError(f"French vectors have {fv.shape[1]} dimensions, English {ev.shape[1]}")
    costs = costs or default_costs(vectors is not None)
    if lexical_weight is not None:
        costs = replace(costs, lexical_weight=lexical_weight)
    breaks = (_breaks(fr_owner, costs.clause_break), _breaks(en_owner, costs.clause_break))
    links = _align_units(fr_units, en_units, translations, band, costs, vectors, breaks)
    if clauses:
        links = _join_clauses(links, fr_owner, en_owner)
    return _absorb_unmatched(links, fr, en, scorer) if scorer is not None else links


def _units(sentences: Sequence[str], clauses: bool, widest: int) -> tuple[list[str], list[int]]:
    """What is aligned on one side, and the sentence each unit belongs to: its clauses (at most
    ``widest`` a sentence, the widest bead side), or the sentences themselves."""
    if clauses:
        return split_clauses(sentences, widest)
    return list(sentences), list(range(len(sentences)))


def _breaks(owner: list[int], cost: float) -> list[float]:
    """The cost of a bead boundary before each unit and after the last: ``cost`` inside a
    sentence (between two of its clauses), 0 between sentences."""
    inside = [k > 0 and owner[k] == owner[k - 1] for k in range(len(owner))]
    return [cost if x else 0.0 for x in inside] + [0.0]


def _join_clauses(links: list[Link], fr_owner: list[int], en_owner: list[int]) -> list[Link]:
    """Clause links as sentence links: the sentences that linked clauses belong to make one
    link (its score the sum of theirs); a sentence none of whose clauses linked stays alone."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for link in links:
        nodes = [("f", fr_owner[k]) for k in link.fr] + [("e", en_owner[k]) for k in link.en]
        for node in nodes[1:]:
            parent[root(node)] = root(nodes[0])
    # the clause path is monotone, so each group's sentences are consecutive and the groups come
    # in the order their first clause link does
    groups: dict[tuple[str, int], tuple[set[int], set[int], list[float]]] = {}
    for link in links:
        first = ("f", fr_owner[link.fr[0]]) if link.fr else ("e", en_owner[link.en[0]])
        f_set, e_set, scores = groups.setdefault(root(first), (set(), set(), []))
        f_set.update(fr_owner[k] for k in link.fr)
        e_set.update(en_owner[k] for k in link.en)
        scores.append(link.score)
    return [Link(sorted(f), sorted(e), round(sum(sc), 3)) for f, e, sc in groups.values()]


def _align_units(
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
    fr_info = [_french(s) for s in fr]
    en_info = [_english(s) for s in en]
    # English/French length ratio, within the range translations keep: what lies beyond it is
    # text one side has and the other lacks (an abridged translation, a partial reference)
    fr_chars, en_chars = sum(c for c, _ in fr_info), sum(c for c, _, _ in en_info)
    lo, hi = costs.length_ratio
    ratio = min(max((en_chars + 1) / (fr_chars + 1), lo), hi)
    base_costs, costs = costs, _insertion_priors(costs, fr_chars, en_chars, ratio, n, m)
    fr_keys = [frozenset().union(*(k for k, _ in c)) if c else frozenset() for _, c in fr_info]
    fr_total = [sum(w for _, w in c) for _, c in fr_info]
    en_total = [sum(w for _, w in c) for _, c, _ in en_info]
    anchors = _anchors(fr_info, en_info, fr_total, en_total) if lexical_weight > 0 else []
    points = [(0, 0), *anchors, (n, m)]
    # one band per stretch between anchors: anchors close together pin the path down there,
    # and a long stretch without one (or a text without any) is searched widely, within a
    # budget of cells
    gaps = [(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points)]
    bands = (
        _within_budget([_stretch_band(dn, dm) for dn, dm in gaps], gaps)
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

    overlap = _matcher([words for _, words in fr_info], fr_keys, en_info)
    # the machine translation of each French sentence, read as English: its content words
    # match the English side's words, stems and cognates directly
    tr_info = [_english(t) for t in translations] if translations is not None else []
    tr_total = [sum(w for _, w in words) for _, words, _ in tr_info]
    tr_overlap = _matcher([w for _, w, _ in tr_info], [k for _, _, k in tr_info], en_info)

    def tr_sim(fi: range, ej: range) -> float:
        t_hits = e_hits = 0.0
        for i in fi:
            for j in ej:
                a, b = tr_overlap(i, j)
                t_hits += a
                e_hits += b
        nt = sum(tr_total[i] for i in fi)
        ne = sum(en_total[j] for j in ej)
        return _similarity(t_hits, nt, e_hits, ne)

    cover, min_content = costs.merge_cover, costs.min_content
    windows = _windows(vectors, costs) if vectors is not None else None

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
        sim = _similarity(f_hits, nf, e_hits, ne)
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
        return _align_units(
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


# half-width of the band (sentences) between anchors close together: the six gold books of
# eval/align.py align the same from 10 up; below that, Alice's first loses links
MIN_BAND = 15


def _stretch_band(dn: int, dm: int) -> int:
    """How far the path may stray from the line between two anchors ``dn`` French and ``dm``
    English sentences apart."""
    gap = dn + dm
    if gap <= 400:
        return max(MIN_BAND, gap // 6)
    return max(30, abs(dn - dm) + 20, int(0.03 * max(dn, dm)))


# cells of the dynamic programme the automatic band may search: CELLS_PER_UNIT per French unit,
# at least MIN_CELLS and at most CELL_BUDGET, so texts with few anchors cost what others do
# (docs/design/decisions.md, "The search has a cell budget")
CELLS_PER_UNIT = 70
MIN_CELLS = 200_000
CELL_BUDGET = 1_000_000


def _passable(dn: int, dm: int) -> int:
    """The narrowest band through which a path can cross a stretch ``dn`` French by ``dm``
    English units: a row's window must reach the next one's, which lies ``dm / dn`` further on,
    by 0-1 beads within the row and at most 4 units more with the next bead."""
    return max(1, math.ceil((dm / max(dn, 1) - 4) / 2) + 1)


def _within_budget(bands: list[int], gaps: list[tuple[int, int]]) -> list[int]:
    """The bands of the stretches ``gaps`` (French and English units each spans), the widest
    narrowed to one cap, so that the search stays within its budget of cells
    (:data:`CELLS_PER_UNIT` per row, within :data:`MIN_CELLS` and :data:`CELL_BUDGET`): time and
    memory stay linear in length even where no anchor pins the path (texts that share no words,
    of very different lengths). No band is narrowed below :data:`MIN_BAND`, and each is widened
    to what its stretch needs (:func:`_passable`), so a stretch between two anchors never forces
    the search to start again wider everywhere."""
    rows = [dn for dn, _ in gaps]
    floors = [_passable(dn, dm) for dn, dm in gaps]
    budget = min(CELL_BUDGET, max(MIN_CELLS, CELLS_PER_UNIT * sum(rows)))

    def capped(cap: int) -> list[int]:
        return [max(min(b, cap), f) for b, f in zip(bands, floors, strict=True)]

    def cells(cap: int) -> int:
        return sum((r + 1) * (2 * b + 1) for b, r in zip(capped(cap), rows, strict=True))

    if not bands or cells(max(bands)) <= budget:
        return capped(max(bands, default=0))
    lo, hi = MIN_BAND, max(bands)
    while lo < hi:  # the widest cap within the budget
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if cells(mid) <= budget else (lo, mid - 1)
    return capped(lo)


def _windows(
    vectors: tuple[np.ndarray, np.ndarray], costs: Costs
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Unit vectors of every run of 1..k consecutive sentences, per side (k: widest bead).

    Each side's vectors are centred on their mean first: a sentence encoder's vectors share a
    common direction per language (cosines of unrelated sentences sit far above 0), which
    otherwise rewards every bead alike and so favours more, smaller beads. The mean of a short text
    is shrunk towards zero, as it says little.
    """
    out = []
    for side, vec in enumerate(vectors):
        widths = {shape[side] for shape in costs.beads if shape[side]}
        prefix = np.concatenate(
            [np.zeros((1, vec.shape[1])), np.cumsum(vec, axis=0, dtype=np.float64)]
        )
        runs = {}
        for w in widths:
            v = _unit(prefix[w:] - prefix[:-w])
            if len(v):
                v = _unit(v - v.mean(0) * len(v) / (len(v) + _CENTRE_SHRINK))
            runs[w] = v.astype(np.float32)
        out.append(runs)
    return out[0], out[1]


_CENTRE_SHRINK = 10  # sentences: a side this long is centred on half its mean


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def _absorb_unmatched(
    links: list[Link], fr: Sequence[str], en: Sequence[str], scorer: Scorer
) -> list[Link]:
    """Merge 1-0 / 0-1 beads into a neighbour when the translation model says they belong there.

    The dynamic programme leaves a sentence unmatched when its words and length fit neither
    neighbour well: short or loosely translated sentences (a line of verse, a reply) that the
    gold merges. For each such sentence and each neighbouring bead with both sides, compare
    the neighbour's score with the merged bead's: if the sentence raises the mean
    log-probability per token of the English given the French, it is part of that bead.
    The best-raising neighbour wins; a sentence that raises neither stays unmatched.
    """
    candidates: list[tuple[int, int]] = []  # (unmatched bead, neighbour)
    pairs: list[tuple[str, str]] = []  # each neighbour's text without and with the sentence
    for k, link in enumerate(links):
        if bool(link.fr) == bool(link.en):
            continue
        for j in (k - 1, k + 1):
            if not 0 <= j < len(links) or not (links[j].fr and links[j].en):
                continue
            candidates.append((k, j))
            pairs.append(_bead_text(links[j].fr, links[j].en, fr, en))
            pairs.append(
                _bead_text(sorted(links[j].fr + link.fr), sorted(links[j].en + link.en), fr, en)
            )
    if not candidates:
        return links
    scores = scorer([a for a, _ in pairs], [b for _, b in pairs])
    best: dict[int, tuple[float, int]] = {}  # unmatched bead -> (gain, neighbour)
    for c, (k, j) in enumerate(candidates):
        before, after = scores[2 * c], scores[2 * c + 1]
        if before is None or after is None or after <= before:
            continue
        if k not in best or after - before > best[k][0]:
            best[k] = (after - before, j)
    out = list(links)
    for k, (_, j) in sorted(best.items()):
        # a bead can take a sentence from each side: merge into what it has become so far
        target = out[j]
        out[j] = Link(
            sorted(target.fr + links[k].fr),
            sorted(target.en + links[k].en),
            round(target.score + links[k].score, 3),
        )
        out[k] = Link([], [], 0.0)
    return [link for link in out if link.fr or link.en]


def _bead_text(
    fr_idx: list[int], en_idx: list[int], fr: Sequence[str], en: Sequence[str]
) -> tuple[str, str]:
    return " ".join(fr[i] for i in fr_idx), " ".join(en[j] for j in en_idx)
