"""English words left in the French."""

from __future__ import annotations

from mt.garble.base import WORD
from mt.records import Flag
from mt.text.lexicon import zipf


def detect(text: str) -> list[Flag]:
    flags: list[Flag] = []
    for m in WORD.finditer(text):
        word = m.group()
        if word[:1].isupper() or len(word) < 2:
            continue
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
