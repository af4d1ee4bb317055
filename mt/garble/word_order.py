"""Two neighbouring words swapped, judged by a small classifier over the French bigram table.

A pair is a candidate when swapping it makes the three bigrams it changes more likely (the
swap gain is above :data:`MIN_GAIN`); a LightGBM classifier, fitted by
``scripts/train_word_order.py`` on pairs swapped at random in clean French, then reads the
counts of the pair and its neighbours in both orders against the words' own frequencies, and
flags the pair when its probability of being swapped reaches :data:`FLAG_AT`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mt.garble.base import LETTERS, WORD
from mt.records import Flag
from mt.text import lm
from mt.text.lexicon import zipf

if TYPE_CHECKING:
    import lightgbm as lgb

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "word-order-model.txt"
# the classifier's probability at which a pair is flagged: chosen on the dev halves of the
# garble benchmarks by eval/word_order.py
FLAG_AT = 0.97
# a pair is a candidate when its swap gains more than this (nats): the swaps the classifier
# is sure of gain more, and leaving the rest out keeps checking fast
MIN_GAIN = 1.0
# zipf frequency standing in for the sentence's edges, which are as common as words get
EDGE_ZIPF = 8.0

FEATURES = (
    "pair",
    "swapped",
    "before_first",
    "second_after",
    "before_second",
    "first_after",
    "gain",
    "pair_lead",
    "zipf_first",
    "zipf_second",
    "zipf_before",
    "zipf_after",
    "len_first",
    "len_second",
    "pmi_pair",
    "pmi_swapped",
    "pmi_before_first",
    "pmi_second_after",
    "pmi_before_second",
    "pmi_first_after",
    "outer_before",
    "outer_after",
    "at_start",
    "at_end",
)


# two lowercase words one space apart (the second found by a lookahead, so that pairs overlap)
_LOWER = "a-zß-öø-ÿœæ"
_LOWER_PAIR = re.compile(rf"(?<![{LETTERS}])[{_LOWER}]+ (?=[{_LOWER}]+(?![{LETTERS}]))")


def swappable(text: str, matches: Sequence[re.Match[str]]) -> list[int]:
    """Indices ``i`` of the pairs (``i``, ``i+1``) of ``text``'s words (``matches`` of
    :data:`~mt.garble.base.WORD`) that could be two swapped words: different lowercase words
    one space apart."""
    index = {m.start(): i for i, m in enumerate(matches)}
    found = []
    for pair in _LOWER_PAIR.finditer(text):
        i = index[pair.start()]
        if matches[i].group() != matches[i + 1].group():
            found.append(i)
    return found


# offsets of the five written bigrams around a pair, from the one before it to the one after
_AROUND = np.arange(-2, 3)[:, None]

# log counts of bigrams given as two arrays of word hashes (mt.text.lm.counts_of)
Counts = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _swap_counts(
    words: Sequence[str], pairs: Sequence[int], counts: Counts
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair: the five written bigrams around it (outer_before, before_first, pair,
    second_after, outer_after), the three its swap makes (before_second, swapped,
    first_after), each a row of log counts, and its swap gain."""
    # two markers at each edge, so that every pair has two neighbours on each side
    hashes = lm.word_hashes([lm.BOS, lm.BOS, *words, lm.EOS, lm.EOS])
    at = np.asarray(pairs, dtype=np.intp) + 2  # the first word of each pair, padded
    x, a, b, y = hashes[at - 1], hashes[at], hashes[at + 1], hashes[at + 2]
    # the sentence's bigrams as written, then the three each swap makes: one lookup
    found = counts(np.concatenate([hashes[:-1], x, b, a]), np.concatenate([hashes[1:], b, a, y]))
    around = found[: len(hashes) - 1][at + _AROUND]
    swaps = found[len(hashes) - 1 :].reshape(3, -1)
    return around, swaps, swaps.sum(axis=0) - around[1:4].sum(axis=0)


def swap_gains(words: Sequence[str], pairs: Sequence[int]) -> np.ndarray:
    """How much more likely (in nats) the sentence of lowercased ``words`` is with each of
    ``pairs`` (the index of its first word) swapped. Only the three bigrams a swap changes
    are compared; unigram terms cancel out."""
    return _swap_counts(words, pairs, lm.counts_of)[2]


def candidates(
    words: Sequence[str], pairs: Sequence[int], counts: Counts = lm.counts_of
) -> tuple[list[int], np.ndarray]:
    """Of ``pairs`` (indices into the lowercased ``words``), those whose swap the bigram table
    prefers, with the classifier's features of each (a row per pair, :data:`FEATURES`
    order). ``counts`` reads the table (the training script's reads it as if the sentence
    were not in it)."""
    if not len(pairs):
        return [], np.zeros((0, len(FEATURES)))
    around, swaps, gain = _swap_counts(words, pairs, counts)
    keep = np.flatnonzero(gain > MIN_GAIN)
    if not len(keep):
        return [], np.zeros((0, len(FEATURES)))
    kept = [pairs[int(k)] for k in keep]
    xb, ba, ay = swaps[:, keep]
    outer_before, xa, ab, by, outer_after = around[:, keep]
    n = len(words)

    def frequency(j: int) -> float:
        return zipf(words[j]) if 0 <= j < n else EDGE_ZIPF

    zx, za, zb, zy = np.array([[frequency(i + d) for i in kept] for d in (-1, 0, 1, 2)])
    first = np.array(kept)
    features = np.column_stack(
        [
            ab,
            ba,
            xa,
            by,
            xb,
            ay,
            gain[keep],
            ba - ab,
            za,
            zb,
            zx,
            zy,
            [len(words[i]) for i in kept],
            [len(words[i + 1]) for i in kept],
            ab - za - zb,
            ba - za - zb,
            xa - zx - za,
            by - zb - zy,
            xb - zx - zb,
            ay - za - zy,
            outer_before,
            outer_after,
            first == 0,
            first + 2 >= n,
        ]
    ).astype(np.float64)
    return kept, features


@cache
def _model() -> lgb.Booster | None:
    if not MODEL_PATH.is_file() or not lm.available():
        return None
    import lightgbm as lgb

    return lgb.Booster(model_str=MODEL_PATH.read_text(encoding="utf-8"))


def available() -> bool:
    """Whether the classifier and the bigram table it reads are installed."""
    return _model() is not None


def swap_probabilities(text: str) -> list[tuple[int, int, float]]:
    """``(start, end, probability)`` of each candidate pair of ``text`` being two swapped
    words; the spans are character offsets of the pair."""
    model = _model()
    if model is None:
        return []
    matches = list(WORD.finditer(text))
    words = [m.group().lower() for m in matches]
    kept, x = candidates(words, swappable(text, matches))
    if not kept:
        return []
    probabilities = model.predict(x, num_threads=1)
    return [
        (matches[i].start(), matches[i + 1].end(), float(p))
        for i, p in zip(kept, probabilities, strict=True)
    ]


def detect(text: str) -> list[Flag]:
    flags: list[Flag] = []
    # of two overlapping pairs ("a b c"), the likelier swap is the one reported
    for start, end, p in sorted(swap_probabilities(text), key=lambda c: -c[2]):
        if p < FLAG_AT or any(f.start < end and start < f.end for f in flags):
            continue
        first, second = text[start:end].split(" ")
        flags.append(
            Flag(
                "word_order",
                start,
                end,
                text[start:end],
                f"'{second} {first}' reads far more naturally (swap probability {p:.2f})",
                round(p, 2),
                f"{second} {first}",
            )
        )
    return sorted(flags, key=lambda f: f.start)
