"""No space after punctuation: ``guerre.Il``, ``là,je``, ``mois,s'est``, ``»,a-t-il``,
``12 %des``, ``(publié mardi)montre``."""

from __future__ import annotations

import re

from mt.garble.base import LETTERS
from mt.records import Flag

_MISSING_SPACE = re.compile(
    # a sentence end glued to the next sentence's capital
    rf"(?:(?<=[{LETTERS}]{{2}})|(?<=\d))([.!?])(?=[A-ZÀ-ÖØ-Þ][{LETTERS}])"
    # a comma, semicolon or colon glued to any word: accented, elided, one letter
    rf"|([,;:])(?=[{LETTERS}])"
    # a closing guillemet, a per cent sign or a closing parenthesis glued to a word; not the
    # parenthesised endings of inclusive writing ("ami(e)s")
    rf"|([»%])(?=[{LETTERS}])|(?<![(][^\s()]{{1}})(?<![(][^\s()]{{2}})(?<![(][^\s()]{{3}})(\))(?=[{LETTERS}])"
)


def detect(text: str) -> list[Flag]:
    return [
        Flag(
            "missing_space",
            m.start(),
            m.end() + 1,
            text[m.start() : m.end() + 1],
            f"no space after '{m.group()}'",
            0.85,
            f"{m.group()} {text[m.end()]}",
        )
        for m in _MISSING_SPACE.finditer(text)
    ]
