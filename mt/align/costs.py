"""The costs of a bead: one value, with the tuned defaults."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mt.errors import InputError


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
    keep; a text longer than that predicts holds insertions (see :func:`insertion_priors`),
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


def insertion_priors(
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
