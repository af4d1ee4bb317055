"""The French content words a translation shows no sign of: a reference-free check for lost
meaning ("Kherson sous le feu" → "Kherson under the Ukrainian forces": ``feu`` is gone).

A French word counts as rendered when the English shares one of its match keys
(:func:`mt.text.lexicon.french_keys`: the stems of its likely translations in the bundled table, the
word itself for names, its first letters for cognates), or is the same number. Common words
(Zipf frequency ≥ :data:`COMMON_ZIPF`: "fait", "bien", "vers") are not judged: their English
varies too much for a table to follow. The table does not know every rendering ("affirmé" →
"said"), so one word without a match says little; the share of the sentence's content weight
without one is the signal (``eval/quality.py`` measures how it tracks chrF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mt.text.lexicon import TOKEN, english_keys, french_keys, weight, zipf

COMMON_ZIPF = 5.5


@dataclass(frozen=True)
class Missing:
    """A French content word with no counterpart in the translation (offsets in the source)."""

    word: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Coverage:
    """How much of a source sentence's content its translation renders."""

    share: float  # judged content weight with a counterpart, 1.0 when nothing was judged
    missing: list[Missing] = field(default_factory=list)
    judged: int = 0  # how many content words (and numbers) were judged


def _number(token: str) -> frozenset[str] | None:
    """A number's key, its digits alone ("7,5" meets "7.5", "1.000" meets "1,000"); None for a
    word."""
    return frozenset(["#" + re.sub(r"[.,]", "", token)]) if token[0].isdigit() else None


def coverage(source: str, translation: str) -> Coverage:
    """Which content words of ``source`` (French) have no counterpart in ``translation``."""
    english: set[str] = set()
    for token in TOKEN.findall(translation):
        english |= _number(token) or english_keys(token) or frozenset()
    total = 0.0
    judged = 0
    missing = []
    for m in TOKEN.finditer(source):
        token = m.group()
        keys = _number(token)
        w = 1.0
        if keys is None:
            if zipf(token, "fr") >= COMMON_ZIPF:
                continue
            keys = french_keys(token)
            w = round(weight(token.lower(), "fr"), 3)
        if keys is None:
            continue
        total += w
        judged += 1
        if keys.isdisjoint(english):
            missing.append(Missing(token, m.start(), m.end(), w))
    if total == 0:
        return Coverage(1.0)
    return Coverage(round(1 - sum(x.weight for x in missing) / total, 4), missing, judged)
