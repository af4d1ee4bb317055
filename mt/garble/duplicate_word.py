"""A word repeated: ``les les``."""

from __future__ import annotations

import re

from mt.garble.base import LETTERS
from mt.records import Flag

_DUPLICATE = re.compile(rf"\b([{LETTERS}]+)\s+(\1)\b", re.IGNORECASE)
_LEGIT_DOUBLES = frozenset({"nous", "vous"})


def detect(text: str) -> list[Flag]:
    return [
        Flag(
            "duplicate_word",
            m.start(),
            m.end(),
            m.group(),
            f"'{m.group(1)}' repeated",
            0.9,
            m.group(1),
        )
        for m in _DUPLICATE.finditer(text)
        if m.group(1).lower() not in _LEGIT_DOUBLES and not m.group(1)[:1].isupper()
    ]
