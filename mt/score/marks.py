"""What reports and the dashboard highlight: the words the score's reasons name, as flags."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

from mt.score.coverage import coverage
from mt.score.invented import invented
from mt.score.quality import coverage_factor
from mt.translate.untranslated import find as find_untranslated


def _mark(
    kind: str, start: int, end: int, text: str, reason: str, suggestion: str | None = None
) -> dict[str, Any]:
    """One flag record (the fields of :class:`mt.garble.Flag`)."""
    return {
        "type": kind,
        "start": start,
        "end": end,
        "text": text,
        "reason": reason,
        "confidence": 1.0,
        "suggestion": suggestion,
    }


def translation_marks(
    source: str, translation: str, unlikely: Sequence[Sequence[int]] = ()
) -> list[dict[str, Any]]:
    """The words of ``translation`` the score's reasons name, as flag records (the fields of
    :class:`mt.garble.Flag`) for reports and the dashboard to highlight: French words left
    untranslated (type ``untranslated``), made-up words (type ``invented``), and the stored
    ``unlikely`` spans, words the model found unlikely (type ``unlikely``) where no other mark
    says more about them."""
    marks = [
        _mark(
            "untranslated", u.start, u.end, u.word, "French word left untranslated", u.replacement
        )
        for u in find_untranslated(source, translation)
    ]
    marks += [
        _mark("invented", v.start, v.end, v.word, "not an English word, nor in the French")
        for v in invented(source, translation)
    ]
    named = list(marks)
    marks += [
        _mark("unlikely", start, end, translation[start:end], "the model found this unlikely")
        for start, end in unlikely
        if 0 <= start < end <= len(translation)
        and not any(m["start"] < end and start < m["end"] for m in named)
    ]
    return sorted(marks, key=lambda m: m["start"])


def source_marks(
    source: str, translation: str, repaired: str | None = None
) -> list[dict[str, Any]]:
    """The French words the coverage reason names, as flag records over ``source`` (type
    ``lost``), when the coverage lowers the quality (:func:`coverage_factor`; otherwise none): for
    reports and the dashboard to highlight beside the garble flags.

    ``repaired`` is the text that was translated when a repair or a metadata split changed the
    source: coverage is judged on it, as the score judged it, and each word's place is carried
    back onto ``source`` (a word a repair wrote marks the span it replaced)."""
    judged = source if repaired is None else repaired
    rendered = coverage(judged, translation)
    if coverage_factor(rendered) == 1.0:
        return []
    reason = f"no counterpart found in the translation (coverage {rendered.share:.2f})"
    place = _span_mapper(judged, source)
    marks: list[dict[str, Any]] = []
    for m in rendered.missing:
        start, end = place(m.start, m.end)
        if start < end and not any(k["start"] == start and k["end"] == end for k in marks):
            marks.append(_mark("lost", start, end, source[start:end], reason))
    return marks


def _span_mapper(a: str, b: str) -> Callable[[int, int], tuple[int, int]]:
    """Carries a span of ``a`` onto ``b`` through their character diff: exactly inside unchanged
    text, onto the whole replaced stretch of ``b`` where the span touches an edit."""
    if a == b:
        return lambda start, end: (start, end)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    def point(pos: int, is_end: bool) -> int:
        for tag, i1, i2, j1, j2 in ops:
            inside = i1 < pos <= i2 if is_end else i1 <= pos < i2
            if inside:
                if tag == "equal":
                    return j1 + pos - i1
                return j2 if is_end else j1
        return len(b) if is_end else 0

    return lambda start, end: (point(start, False), point(end, True))
