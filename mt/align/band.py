"""How far the search may stray from the anchors: a band per stretch, within a cell budget."""

from __future__ import annotations

import math

# half-width of the band (sentences) between anchors close together: the six gold books of
# eval/align.py align the same from 10 up; below that, Alice's first loses links
MIN_BAND = 15


def stretch_band(dn: int, dm: int) -> int:
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


def passable(dn: int, dm: int) -> int:
    """The narrowest band through which a path can cross a stretch ``dn`` French by ``dm``
    English units: a row's window must reach the next one's, which lies ``dm / dn`` further on,
    by 0-1 beads within the row and at most 4 units more with the next bead."""
    return max(1, math.ceil((dm / max(dn, 1) - 4) / 2) + 1)


def within_budget(bands: list[int], gaps: list[tuple[int, int]]) -> list[int]:
    """The bands of the stretches ``gaps`` (French and English units each spans), the widest
    narrowed to one cap, so that the search stays within its budget of cells
    (:data:`CELLS_PER_UNIT` per row, within :data:`MIN_CELLS` and :data:`CELL_BUDGET`): time and
    memory stay linear in length even where no anchor pins the path (texts that share no words,
    of very different lengths). No band is narrowed below :data:`MIN_BAND`, and each is widened
    to what its stretch needs (:func:`passable`), so a stretch between two anchors never forces
    the search to start again wider everywhere."""
    rows = [dn for dn, _ in gaps]
    floors = [passable(dn, dm) for dn, dm in gaps]
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
