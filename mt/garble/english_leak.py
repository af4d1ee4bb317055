"""English words left in the French."""

from __future__ import annotations

import re

from mt.garble.base import WORD
from mt.records import Flag
from mt.text import lm
from mt.text.lexicon import common_french, zipf

# A word common in English and rarer in French ("but", "new", "or") is English when the
# French bigram table has seen it beside neither of its neighbours: "le but de" is French,
# "Dorset but il" is not.
SHARED_EN_ZIPF = 6.0
SHARED_EN_LEAD = 1.0
FRENCH_CONTEXT = 3.5  # log(count + 1) of the word with either neighbour, below which it is alone
# the raw confidence of such a flag, as sure as an English word 2.5 zipf rarer in French: the
# calibration (eval/garble_heldout.py --calibrate) turns it into a probability
CONTEXT_CONFIDENCE = 0.4


def detect(text: str) -> list[Flag]:
    flags: list[Flag] = []
    words = list(WORD.finditer(text))
    for k, m in enumerate(words):
        word = m.group()
        if word[:1].isupper() or len(word) < 2 or common_french(word):
            continue  # a common French word is never more English than French
        en, fr = zipf(word, "en"), zipf(word, "fr")
        out_of_context = en - fr < 2.0 and _out_of_french_context(words, k, en, fr)
        if not ((en >= 3.0 and en - fr >= 2.0) or out_of_context):
            continue
        if _inside_name(words, k):
            continue  # "Institute for Fiscal Studies", "The Times of India"
        if flags and text[flags[-1].end : m.start()].strip() == "":
            last = flags.pop()
            span = text[last.start : m.end()]
            flags.append(
                Flag("english_leak", last.start, m.end(), span, f"English words '{span}'", 0.9)
            )
        else:
            conf = (
                CONTEXT_CONFIDENCE
                if out_of_context
                else round(min(0.7, 0.35 + 0.1 * (en - fr - 2.0)), 2)
            )
            flags.append(
                Flag("english_leak", m.start(), m.end(), word, f"English word '{word}'", conf)
            )
    return flags


def _out_of_french_context(words: list[re.Match[str]], k: int, en: float, fr: float) -> bool:
    """Whether word ``k``, a word of both languages leaning English, has no French neighbour
    it is usually seen with."""
    if en < SHARED_EN_ZIPF or en - fr < SHARED_EN_LEAD or not lm.available():
        return False
    m = words[k]
    text = m.string
    if text[m.end() : m.end() + 1] == "-" or text[max(0, m.start() - 1) : m.start()] == "-":
        return False  # part of a compound: "new-yorkais"
    word = m.group().lower()
    before = words[k - 1].group().lower() if k > 0 else lm.BOS
    after = words[k + 1].group().lower() if k + 1 < len(words) else lm.EOS
    return float(lm.log_counts([(before, word), (word, after)]).max()) < FRENCH_CONTEXT


def _inside_name(words: list[re.Match[str]], k: int) -> bool:
    """Whether word ``k`` is a small word inside an English name: capitalised words on both
    sides, with at most one more small word between ("Bank of the West")."""
    before = next((w for w in reversed(words[max(0, k - 2) : k]) if w.group()[:1].isupper()), None)
    after = next((w for w in words[k + 1 : k + 3] if w.group()[:1].isupper()), None)
    return before is not None and after is not None
