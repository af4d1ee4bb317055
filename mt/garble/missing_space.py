"""No space after punctuation: ``guerre.Il``, ``là,je``."""

from __future__ import annotations

import re

from mt.garble.base import LETTERS
from mt.records import Flag

_MISSING_SPACE = re.compile(
    rf"(?<=[{LETTERS}]{{2}})([.!?;])(?=[A-ZÀ-ÖØ-Þ][{LETTERS}])|(?<=[{LETTERS}]{{2}})([,:])(?=[{LETTERS}]{{2}})"
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
