"""English words left in the French."""

from __future__ import annotations

import re

from mt.garble.base import WORD
from mt.records import Flag
from mt.text.lexicon import zipf


def detect(text: str) -> list[Flag]:
    flags: list[Flag] = []
    words = list(WORD.finditer(text))
    for k, m in enumerate(words):
        word = m.group()
        if word[:1].isupper() or len(word) < 2:
            continue
        if _inside_name(words, k):
            continue  # "Institute for Fiscal Studies", "The Times of India"
        en, fr = zipf(word, "en"), zipf(word, "fr")
        if en >= 3.0 and en - fr >= 2.0:
            if flags and text[flags[-1].end : m.start()].strip() == "":
                last = flags.pop()
                span = text[last.start : m.end()]
                flags.append(
                    Flag("english_leak", last.start, m.end(), span, f"English words '{span}'", 0.9)
                )
            else:
                conf = round(min(0.7, 0.35 + 0.1 * (en - fr - 2.0)), 2)
                flags.append(
                    Flag("english_leak", m.start(), m.end(), word, f"English word '{word}'", conf)
                )
    return flags


def _inside_name(words: list[re.Match[str]], k: int) -> bool:
    """Whether word ``k`` is a small word inside an English name: capitalised words on both
    sides, with at most one more small word between ("Bank of the West")."""
    before = next((w for w in reversed(words[max(0, k - 2) : k]) if w.group()[:1].isupper()), None)
    after = next((w for w in words[k + 1 : k + 3] if w.group()[:1].isupper()), None)
    return before is not None and after is not None
