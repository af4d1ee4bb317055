"""Text the model cannot carry, kept out of its way: numbers grouped with spaces or long, URLs,
e-mail addresses, and runs of characters its vocabulary does not have (emoji, other scripts).

Each such span becomes a placeholder the model copies (``XX1``, ``XX2``…) and is put back into
the English. Where the model drops or doubles a placeholder, the segment is translated again in
pieces around its spans, which are then copied as they are: nothing the input holds is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from mt.translate.passthrough import Piece

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"«»]+")
# starting at a token's first character only, so that a long run of letters is scanned once
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a number in groups of three digits parted by spaces (French thousands), or one of five digits
# or more: the model drops groups and digits from both
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{5,}(?![\d])")
_TOKEN = re.compile(r"\S+")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Span:
    """One protected span: its placeholder, its text in the source, its text in the English."""

    placeholder: str
    source: str
    english: str


@dataclass(frozen=True)
class Protected:
    """A segment with a placeholder for each span the model cannot carry."""

    text: str
    masked: str
    spans: tuple[Span, ...]


def protect(segment: str, unknown: Callable[[str], bool]) -> Protected:
    """Find the spans of ``segment`` the model cannot carry (``unknown``: whether a character is
    outside the model's vocabulary) and put a placeholder in place of each."""
    if not any(c.isalpha() for c in segment):
        return Protected(segment, segment, ())  # copied whole (mt.translate.passthrough)
    found: list[tuple[int, int, str]] = []  # start, end, English

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b, _ in found)

    for pattern in (_URL, _EMAIL):
        for m in pattern.finditer(segment):
            end = m.end() - (len(m.group()) - len(m.group().rstrip(_TRAILING)))
            if free(m.start(), end):
                found.append((m.start(), end, segment[m.start() : end]))
    for m in _GROUPED.finditer(segment):
        if free(m.start(), m.end()):
            found.append((m.start(), m.end(), ",".join(re.split(r"[ \u00a0\u202f]", m.group()))))
    for m in _LONG_NUMBER.finditer(segment):
        if free(m.start(), m.end()):
            found.append((m.start(), m.end(), m.group()))
    for start, end in _unknown_runs(segment, unknown):
        if free(start, end):
            found.append((start, end, segment[start:end]))
    if not found:
        return Protected(segment, segment, ())
    prefix = next(p for p in ("XX", "ZZ", "QX", "XQ") if p not in segment)
    found.sort()
    spans = []
    masked = []
    at = 0
    for n, (start, end, english) in enumerate(found, 1):
        placeholder = f"{prefix}{n}"
        spans.append(Span(placeholder, segment[start:end], english))
        masked += [segment[at:start], placeholder]
        at = end
    masked.append(segment[at:])
    return Protected(segment, "".join(masked), tuple(spans))


def restore(protected: Protected, translation: str) -> str | None:
    """``translation`` with each placeholder replaced by its span's English; None when the
    model dropped or doubled one."""
    for span in protected.spans:
        if len(re.findall(rf"{span.placeholder}(?!\d)", translation)) != 1:
            return None
    for span in protected.spans:
        english = span.english.replace("\\", "\\\\")  # literal in a replacement
        translation = re.sub(rf"{span.placeholder}(?!\d)", english, translation)
    return translation


def pieces(protected: Protected) -> list[Piece]:
    """The segment in pieces: the text around the spans for the model, each span as it is."""
    out: list[Piece] = []
    rest = protected.masked
    for span in protected.spans:
        before, _, rest = rest.partition(span.placeholder)
        if before.strip():
            out.append((any(c.isalpha() for c in before), before.strip()))
        out.append((False, span.english))
    if rest.strip():
        out.append((any(c.isalpha() for c in rest), rest.strip()))
    return out


def _unknown_runs(segment: str, unknown: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Runs of words written wholly in characters outside the vocabulary (emoji, Cyrillic,
    Arabic…), their edge punctuation trimmed. A word that mixes them with what the model reads
    ("ukrainiennes…") is left to the model: copying it would copy French."""

    def foreign(c: str) -> bool:
        return unknown(c) and unicodedata.category(c)[0] in "LMSC"

    runs: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(segment):
        start, end = m.start(), m.end()
        while start < end and not foreign(segment[start]) and not segment[start].isalnum():
            start += 1
        while end > start and not foreign(segment[end - 1]) and not segment[end - 1].isalnum():
            end -= 1
        if start == end or not all(foreign(c) for c in segment[start:end]):
            continue
        if runs and not segment[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)  # the next word of the same run
        else:
            runs.append((start, end))
    return runs
