"""Word links between a French sentence and its English translation.

Each English word is linked to the French word it attends to most under the translation model
(:class:`mt.translate.attention.TokenAttention`), with the bilingual word table's and identical
strings' evidence added: attention alone drifts to a neighbouring function word, the table
alone knows no word order. French words nothing points at are linked from the English word
that attends to them most, when that attention is clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from mt.text.lexicon import english_keys, french_keys

WORD = re.compile(r"[^\W_]+|[^\w\s]")
LEXICAL_WEIGHT = 0.5  # what a word-table match adds to an attention share (a row sums to 1)
REVERSE_MIN = 0.3  # attention share an unlinked French word must get to be linked back


class Attention(Protocol):
    """Token-level attention (:class:`mt.translate.attention.TokenAttention`)."""

    @property
    def fr(self) -> list[tuple[int, int]]: ...
    @property
    def en(self) -> list[tuple[int, int]]: ...
    @property
    def weights(self) -> np.ndarray: ...


@dataclass(frozen=True)
class WordLinks:
    """Word spans of both sides and the links between them, as (French, English) indices;
    ``weak``: for each French word left unlinked, the English word that attends to it most."""

    fr: list[tuple[int, int]]
    en: list[tuple[int, int]]
    pairs: list[tuple[int, int]]
    weak: list[tuple[int, int]] = field(default_factory=list)


def words(text: str) -> list[tuple[int, int]]:
    """Character spans of the words (letter and digit runs) and punctuation marks of ``text``."""
    return [m.span() for m in WORD.finditer(text)]


def _owners(tokens: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[int]:
    """The word each token starts in (-1: none)."""
    out = []
    k = 0
    for start, end in tokens:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        out.append(k if k < len(spans) and spans[k][0] < end else -1)
    return out


def _matches(fr: list[str], en: list[str]) -> list[tuple[int, int]]:
    """(French, English) word pairs that are the same string or that the word table pairs."""
    fk = [french_keys(w) if w[0].isalnum() else None for w in fr]
    ek = [english_keys(w) if w[0].isalnum() else None for w in en]
    by_key: dict[str, list[int]] = {}
    by_text: dict[str, list[int]] = {}
    for f, (word, keys) in enumerate(zip(fr, fk, strict=True)):
        if len(word) > 1 or word.isdigit() or not word.isalnum():
            by_text.setdefault(word.lower(), []).append(f)
        for key in keys or ():
            by_key.setdefault(key, []).append(f)
    out: set[tuple[int, int]] = set()
    for e, (word, keys) in enumerate(zip(en, ek, strict=True)):
        out.update((f, e) for f in by_text.get(word.lower(), ()))
        for key in keys or ():
            out.update((f, e) for f in by_key.get(key, ()))
    return sorted(out)


def link_words(fr: str, en: str, attention: Attention | None) -> WordLinks:
    """Links between the words of ``fr`` and ``en`` (attention None: the word table only)."""
    fw, ew = words(fr), words(en)
    score = np.zeros((len(ew), len(fw)), dtype=np.float32)
    if attention is not None and len(fw) and len(ew):
        rows, cols = attention.weights.shape
        f_of = _owners(attention.fr[:cols], fw)
        e_of = _owners(attention.en[:rows], ew)
        # token → word membership: English tokens averaged, French tokens summed
        e_map = np.zeros((len(ew), rows), dtype=np.float32)
        f_map = np.zeros((cols, len(fw)), dtype=np.float32)
        for j, e in enumerate(e_of):
            if e >= 0:
                e_map[e, j] = 1.0
        for i, f in enumerate(f_of):
            if f >= 0:
                f_map[i, f] = 1.0
        e_map /= np.maximum(e_map.sum(axis=1, keepdims=True), 1.0)
        score += (
            e_map[:, : len(e_of)] @ attention.weights[: len(e_of), : len(f_of)] @ f_map[: len(f_of)]
        )
    ftext = [fr[a:b] for a, b in fw]
    etext = [en[a:b] for a, b in ew]
    for f, e in _matches(ftext, etext):
        score[e, f] += LEXICAL_WEIGHT
    pairs: set[tuple[int, int]] = set()
    weak: list[tuple[int, int]] = []
    if len(fw) and len(ew):
        for e in range(len(ew)):
            if score[e].max() > 0:
                pairs.add((int(score[e].argmax()), e))
        linked = {f for f, _ in pairs}
        for f in range(len(fw)):
            if f in linked or score[:, f].max() <= 0:
                continue
            if score[:, f].max() >= REVERSE_MIN:
                pairs.add((f, int(score[:, f].argmax())))
            else:
                weak.append((f, int(score[:, f].argmax())))
    return WordLinks(fw, ew, sorted(pairs), weak)
