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

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from mt.align.band import CELL_BUDGET, CELLS_PER_UNIT, MIN_BAND, MIN_CELLS
from mt.align.clauses import (
    MAX_CLAUSES,
    MIN_CLAUSE_CHARS,
    boundary_costs,
    join_clauses,
    split_clauses,
    units,
)
from mt.align.costs import Costs, default_costs
from mt.align.search import align_units
from mt.align.unmatched import Scorer, absorb_unmatched
from mt.errors import InputError
from mt.records import Link

__all__ = [
    "CELLS_PER_UNIT",
    "CELL_BUDGET",
    "MAX_CLAUSES",
    "MIN_BAND",
    "MIN_CELLS",
    "MIN_CLAUSE_CHARS",
    "Costs",
    "Link",
    "PairEncoder",
    "Scorer",
    "align",
    "default_costs",
    "split_clauses",
]


class PairEncoder(Protocol):
    """What ``align(..., embedder=...)`` needs: :class:`mt.align.embed.Embedder` has it."""

    def pair_vectors(
        self, fr: Sequence[str], en: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]: ...


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
    neighbour's English more probable per token (see :func:`absorb_unmatched`).
    ``embedder`` (optional, e.g. :class:`mt.align.embed.Embedder`) encodes what is aligned, clauses or
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
    fr_units, fr_owner = units(fr, clauses, max(di for di, _ in shapes))
    en_units, en_owner = units(en, clauses, max(dj for _, dj in shapes))
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
    breaks = (
        boundary_costs(fr_owner, costs.clause_break),
        boundary_costs(en_owner, costs.clause_break),
    )
    links = align_units(fr_units, en_units, translations, band, costs, vectors, breaks)
    if clauses:
        links = join_clauses(links, fr_owner, en_owner)
    return absorb_unmatched(links, fr, en, scorer) if scorer is not None else links
