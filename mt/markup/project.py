"""Inline tags carried from the French onto the English words they cover.

A tag over French words lands on the English words linked to them (:mod:`mt.align.words`),
as the hull of the largest close group of those words, so one stray link does not stretch it
across the sentence; a tag over whole sentences covers their whole translations. Tags stay
nested as they were: a child is kept inside its parent and siblings do not overlap. A tag
whose words have no link goes around the nearest free words and is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from mt.align.words import WordLinks


@dataclass(frozen=True)
class Aligned:
    """A sentence of a block: its French and English character spans and its word links."""

    fr_start: int
    fr_end: int
    en_start: int
    en_end: int
    links: WordLinks


@dataclass(frozen=True)
class Placement:
    """Where an inline tag went: French and English character spans in the block, and how
    (``links``: on its words' links; ``weak``: on the words heeding them most, below the
    attention a link needs; ``nearest``: no link, put around the nearest words)."""

    tag: str
    fr_start: int
    fr_end: int
    en_start: int
    en_end: int
    how: str


@dataclass(frozen=True)
class Tag:
    """What projection needs of an inline element: name, French span, parent, whether it is
    kept whole at a point (opaque)."""

    tag: str
    start: int
    end: int
    parent: int | None
    opaque: bool


class _Words:
    """Both sides' words of a block in block offsets, with their links."""

    def __init__(self, sentences: Sequence[Aligned]) -> None:
        self.fr: list[tuple[int, int]] = []
        self.en: list[tuple[int, int]] = []
        self.fr_sentence: list[int] = []
        self.en_sentence: list[int] = []
        self.links: dict[int, set[int]] = {}
        self.weak: dict[int, int] = {}
        self.sentences = list(sentences)
        for k, s in enumerate(sentences):
            f0, e0 = len(self.fr), len(self.en)
            self.fr += [(s.fr_start + a, s.fr_start + b) for a, b in s.links.fr]
            self.en += [(s.en_start + a, s.en_start + b) for a, b in s.links.en]
            self.fr_sentence += [k] * len(s.links.fr)
            self.en_sentence += [k] * len(s.links.en)
            for f, e in s.links.pairs:
                self.links.setdefault(f0 + f, set()).add(e0 + e)
            for f, e in s.links.weak:
                self.weak[f0 + f] = e0 + e

    def fr_in(self, start: int, end: int) -> list[int]:
        return [k for k, (a, b) in enumerate(self.fr) if a < end and b > start]

    def en_of_sentence(self, k: int) -> list[int]:
        return [e for e, s in enumerate(self.en_sentence) if s == k]

    def fr_of_sentence(self, k: int) -> list[int]:
        return [f for f, s in enumerate(self.fr_sentence) if s == k]


def _cluster(indices: list[int], gap: int) -> list[int]:
    """The largest run of ``indices`` (sorted) whose neighbours are at most ``gap`` apart."""
    best: list[int] = []
    run: list[int] = []
    for i in sorted(indices):
        if run and i - run[-1] > gap:
            best = run if len(run) > len(best) else best
            run = []
        run.append(i)
    return run if len(run) > len(best) else best


def _linked(words: _Words, fr: list[int]) -> list[int]:
    english = sorted({e for f in fr for e in words.links.get(f, ())})
    whole = {
        k for k in {words.fr_sentence[f] for f in fr} if set(words.fr_of_sentence(k)) <= set(fr)
    }
    if not english:
        return [e for k in sorted(whole) for e in words.en_of_sentence(k)]
    group = _cluster(english, max(2, len(fr)))
    for k in whole:  # a tag over whole sentences covers their whole translations
        group += words.en_of_sentence(k)
    return sorted(set(group))


def _nearest(words: _Words, fr: list[int], start: int, size: int, limit: int) -> tuple[int, int]:
    """Characters of about ``len(fr)`` English words at the French words' relative place."""
    if not words.en:
        return (0, 0) if limit == 0 else (0, limit)
    if fr:
        k = words.fr_sentence[fr[0]]
        fs, es = words.fr_of_sentence(k), words.en_of_sentence(k)
        at = (fs.index(fr[0]) + fs.index(fr[-1])) / 2 / max(len(fs), 1) if fs else 0.0
    else:
        k = next((s for s, a in enumerate(words.sentences) if a.fr_end >= start), 0)
        es = words.en_of_sentence(k) or list(range(len(words.en)))
        a = words.sentences[k] if words.sentences else None
        at = (start - a.fr_start) / max(a.fr_end - a.fr_start, 1) if a else 0.0
    if not es:
        es = list(range(len(words.en)))
    mid = min(int(at * len(es)), len(es) - 1)
    width = max(1, min(len(fr), len(es)))
    lo = max(0, min(mid - width // 2, len(es) - width))
    chosen = es[lo : lo + width]
    return words.en[chosen[0]][0], words.en[chosen[-1]][1]


def _point(words: _Words, at: int, size: int) -> int:
    """English offset for a point of the French text: after the English of the word before it."""
    before = [f for f, (_, b) in enumerate(words.fr) if b <= at]
    for f in reversed(before):
        if words.links.get(f):
            return max(words.en[e][1] for e in words.links[f])
    after = [f for f, (a, _) in enumerate(words.fr) if a >= at]
    for f in after:
        if words.links.get(f):
            return min(words.en[e][0] for e in words.links[f])
    return 0 if not before else size


def place(tags: Sequence[Tag], sentences: Sequence[Aligned], english: str) -> list[Placement]:
    """English spans for ``tags`` (parents before children, as parsed), properly nested."""
    words = _Words(sentences)
    size = len(english)
    out: list[Placement] = []
    taken: dict[int | None, list[tuple[int, int]]] = {}
    for t in tags:
        lo, hi = (0, size) if t.parent is None else (out[t.parent].en_start, out[t.parent].en_end)
        fr = words.fr_in(t.start, t.end) if t.end > t.start else []
        how = "links"
        if t.opaque or not fr:
            p = min(max(_point(words, t.start, size), lo), hi)
            for a, b in taken.get(t.parent, []):
                if a < p < b:  # not inside a sibling: at its nearer edge
                    p = a if p - a <= b - p else b
            out.append(Placement(t.tag, t.start, t.end, p, p, how))
            continue
        en = _linked(words, fr)
        weak = sorted({words.weak[f] for f in fr if f in words.weak})
        if en:
            start, end = words.en[en[0]][0], words.en[en[-1]][1]
        elif weak:  # only faint attention: the English word that heeds these words most
            group = _cluster(weak, max(2, len(fr)))
            start, end = words.en[group[0]][0], words.en[group[-1]][1]
            how = "weak"
        else:
            start, end = _nearest(words, fr, t.start, size, size)
            how = "nearest"
        start, end = max(start, lo), min(end, hi)
        for a, b in taken.get(t.parent, []):
            if start < b and end > a:  # overlaps a sibling: keep the larger free side
                left, right = (start, min(end, a)), (max(start, b), end)
                start, end = left if left[1] - left[0] >= right[1] - right[0] else right
        while start < end and english[start].isspace():  # a tag holds words, not the space
            start += 1
        while end > start and english[end - 1].isspace():
            end -= 1
        if end <= start:
            start, end = _free(words, taken.get(t.parent, []), lo, hi, start)
            how = "nearest"
        taken.setdefault(t.parent, []).append((start, end))
        out.append(Placement(t.tag, t.start, t.end, start, end, how))
    # a point placed before a later sibling came to cover it goes to that sibling's nearer edge
    for k, (t, put) in enumerate(zip(tags, out, strict=True)):
        if put.en_start == put.en_end:
            at = put.en_start
            for a, b in taken.get(t.parent, []):
                if a < at < b:
                    at = a if at - a <= b - at else b
            out[k] = replace(put, en_start=at, en_end=at)
    return out


def _free(
    words: _Words, siblings: list[tuple[int, int]], lo: int, hi: int, near: int
) -> tuple[int, int]:
    """The English word within ``lo``–``hi`` that no sibling holds, nearest to ``near``
    (a point at ``near`` when there is none)."""
    free = [
        (a, b)
        for a, b in words.en
        if a >= lo and b <= hi and not any(a < y and b > x for x, y in siblings)
    ]
    if not free:
        p = min(max(near, lo), hi)
        for x, y in siblings:
            if x < p < y:
                p = x
        return p, p
    return min(free, key=lambda w: abs(w[0] - near))
