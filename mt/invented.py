"""Words a translation made up: neither English nor taken from the source ("deocate",
"consterned", "regrettted"), what a small model writes when it half-knows a rare word."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mt.lexicon import zipf

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_LENGTH = 4


@dataclass(frozen=True)
class Invented:
    """A made-up word of the translation (character offsets in it)."""

    word: str
    start: int
    end: int


def invented(source: str, translation: str) -> list[Invented]:
    """The lower-case words of ``translation`` that English does not know (wordfreq) and that
    are not in ``source``. Capitalised words are left alone: names are not in word lists."""
    in_source = {w.lower() for w in _WORD.findall(source)}
    out = []
    for m in _WORD.finditer(translation):
        word = m.group()
        if (
            len(word) >= MIN_LENGTH
            and word.islower()
            and word not in in_source
            and zipf(word, "en") == 0
        ):
            out.append(Invented(word, m.start(), m.end()))
    return out
