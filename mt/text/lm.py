"""A compact French word-bigram model (hashed, log-quantised counts) for word-order signals.

Built by ``scripts/build_lm.py`` from the French side of the training corpora and shipped as
``mt/data/fr-bigrams.npz``.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

import numpy as np

LM_PATH = Path(__file__).resolve().parent.parent / "data" / "fr-bigrams.npz"
BOS, EOS = "<s>", "</s>"
BITS = 24
_SCALE = 8.0  # stored value = round(log2(count + 1) * _SCALE), saturating at 255


def bigram_key(a: str, b: str) -> int:
    """Bucket of a bigram in the hashed table (stable across processes)."""
    return zlib.crc32(f"{a} {b}".encode()) & ((1 << BITS) - 1)


@cache
def _table() -> np.ndarray | None:
    if not LM_PATH.is_file():
        return None
    with np.load(LM_PATH) as data:
        return data["q"]


def available() -> bool:
    return _table() is not None


def log_count(a: str, b: str) -> float:
    """Natural log of (bigram count + 1), from the quantised table; 0 when unseen."""
    table = _table()
    if table is None:
        return 0.0
    return float(table[bigram_key(a, b)]) / _SCALE * 0.6931471805599453


def swap_gain(words: list[str], i: int) -> float:
    """How much more likely (in nats) the sentence is with words i and i+1 swapped.

    Only the three bigrams that change are compared; unigram terms cancel out.
    """
    x = words[i - 1] if i > 0 else BOS
    a, b = words[i], words[i + 1]
    y = words[i + 2] if i + 2 < len(words) else EOS
    before = log_count(x, a) + log_count(a, b) + log_count(b, y)
    after = log_count(x, b) + log_count(b, a) + log_count(a, y)
    return after - before
