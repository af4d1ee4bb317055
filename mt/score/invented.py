"""Words a translation made up: neither English nor taken from the source ("deocate",
"consterned", "regrettted"), what a small model writes when it half-knows a rare word."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mt.text.lexicon import zipf

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
MIN_LENGTH = 4
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class Invented:
    """A made-up word of the translation (character offsets in it)."""

    word: str
    start: int
    end: int


def invented(source: str, translation: str) -> list[Invented]:
    """The lower-case words of ``translation`` that English does not know (wordfreq) and that
    are not in ``source``, and its first word when only its place capitalises it ("Regulately.",
    "Bonjourn"). Other capitalised words are left alone: names are not in word lists."""
    in_source = {w.lower() for w in _WORD.findall(source)}
    out = []
    for k, m in enumerate(_WORD.finditer(translation)):
        word = m.group()
        # a name starts a sentence as often as a word does: the first word counts when it is
        # in the source neither alone nor before a possessive ("Pattloch's")
        first = k == 0 and word[:1].isupper() and word[1:].islower()
        lower = word.lower()
        if (
            len(word) >= MIN_LENGTH
            and (word.islower() or first)
            and lower not in in_source
            and _POSSESSIVE.sub("", lower) not in in_source
            and zipf(lower, "en") == 0
        ):
            out.append(Invented(word, m.start(), m.end()))
    return out
