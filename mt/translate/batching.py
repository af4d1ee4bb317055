"""Batches by a token budget, sentences split to fit the model, and repetition loops."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from mt.text.segment import CLAUSE_BREAK


def length_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices sorted by length, grouped so that batch size × longest length ≤ ``budget``.

    A single item longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    batch: list[int] = []
    for i in order:
        if batch and lengths[i] * (len(batch) + 1) > budget:
            batches.append(batch)
            batch = []
        batch.append(i)
    if batch:
        batches.append(batch)
    return batches


def has_loop(ids: Sequence[int], max_n: int = 6) -> bool:
    """Whether a token sequence ends in, or contains, a repetition loop.

    A loop is an n-gram (n ≤ ``max_n``) repeated back to back: four times for single tokens,
    three times for longer n-grams.
    """
    seq = list(ids)
    for n in range(1, max_n + 1):
        need = 4 if n == 1 else 3
        span = n * need
        for i in range(0, len(seq) - span + 1):
            gram = seq[i : i + n]
            if all(seq[i + k * n : i + (k + 1) * n] == gram for k in range(1, need)):
                return True
    return False


# Clause boundaries, strongest first, used to split a sentence that is too long for the model.
_SPLIT_PATTERNS = (
    CLAUSE_BREAK,
    re.compile(r"(?<=[,–—)])\s+|\s+(?=[–—(])"),
    re.compile(
        r"\s+(?=(?:et|mais|ou|donc|car|puis|qui|que|qu'|dont|où|lorsque|quand|parce|afin|alors|"
        r"tandis|si|comme|pour|avec|sans|selon)\b)",
        re.IGNORECASE,
    ),
    re.compile(r"\s+"),
)


def split_to_fit(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` split at clause boundaries (strongest first, nearest the middle) until every
    chunk ``fits``; a chunk with no boundary left is cut in the middle, losing nothing."""
    if fits(text):
        return [text]
    middle = len(text) / 2
    for pattern in _SPLIT_PATTERNS:
        points = [m.start() for m in pattern.finditer(text) if 0 < m.start() < len(text)]
        points = [p for p in points if text[:p].strip() and text[p:].strip()]
        if points:
            at = min(points, key=lambda p: abs(p - middle))
            return split_to_fit(text[:at].strip(), fits) + split_to_fit(text[at:].strip(), fits)
    at = len(text) // 2
    return split_to_fit(text[:at], fits) + split_to_fit(text[at:], fits)
