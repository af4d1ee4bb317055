"""Sentence vectors of every bead: summed, centred and normalised rows."""

from __future__ import annotations

import numpy as np

from mt.align.costs import Costs


def bead_vectors(
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
