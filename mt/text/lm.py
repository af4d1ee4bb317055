"""A compact French word-bigram model (log-quantised counts under 32-bit keys) for word-order
signals.

Built by ``scripts/build_lm.py`` from the French side of the training corpora and shipped as
``mt/data/fr-bigrams.npz``. A bigram's key mixes its two words' hashes, so that a sentence's
words are hashed once and all its bigrams, in any order, are looked up in one search.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

LM_PATH = Path(__file__).resolve().parent.parent / "data" / "fr-bigrams.npz"
BOS, EOS = "<s>", "</s>"
_SCALE = 8.0  # stored value = round(log2(count + 1) * _SCALE), saturating at 255
_NATS = 0.6931471805599453 / _SCALE  # a stored value in nats
_MIX = np.uint32(2654435761)  # Knuth's multiplicative constant: spreads the first word's hash
_LAST = np.uint32(0xFFFFFFFF)


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Each word's hash (stable across processes), as the table's keys are built from."""
    return np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint32, count=len(words))


def sentence_keys(words: Sequence[str]) -> np.ndarray:
    """The keys of a sentence's bigrams, its lowercased words between sentence markers, as
    the table counts them."""
    hashes = word_hashes([BOS, *words, EOS])
    return bigram_keys(hashes[:-1], hashes[1:])


def bigram_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The 32-bit keys of the bigrams (``first[k]``, ``second[k]``), from word hashes
    (unsigned 32-bit arithmetic wraps around: the key is the sum modulo 2^32)."""
    return first * _MIX + second


@cache
def _table() -> tuple[np.ndarray, np.ndarray] | None:
    """The table's sorted bigram keys and their stored values."""
    if not LM_PATH.is_file():
        return None
    with np.load(LM_PATH) as data:
        keys = np.cumsum(data["gaps"], dtype=np.uint32)
        # a last key above every other, worth nothing: a search never runs off the end
        return np.append(keys, _LAST), np.append(data["q"], np.uint8(0))


def available() -> bool:
    return _table() is not None


def counts_of(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Natural log of (count + 1) of the bigrams (``first[k]``, ``second[k]``) given as word
    hashes (:func:`word_hashes`); 0 when unseen."""
    table = _table()
    if table is None or not len(first):
        return np.zeros(len(first))
    keys, stored = table
    wanted = bigram_keys(first, second)
    at = np.searchsorted(keys, wanted)
    return np.where(keys[at] == wanted, stored[at], 0) * _NATS


def log_counts(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """Natural log of (bigram count + 1) of each pair of words; 0 when unseen."""
    if not pairs:
        return np.zeros(0)
    hashes = word_hashes([w for pair in pairs for w in pair])
    return counts_of(hashes[0::2], hashes[1::2])


def stored(count: np.ndarray) -> np.ndarray:
    """The table's stored value for bigrams seen ``count`` times."""
    return np.minimum(np.round(np.log2(count + 1) * _SCALE), 255).astype(np.uint8)


def quantised(count: np.ndarray) -> np.ndarray:
    """What :func:`counts_of` reads for bigrams seen ``count`` times."""
    return stored(count) * _NATS
