"""Word frequencies (wordfreq's bundled data) for French, English and neighbouring languages,
and the French → English tables ``scripts/build_dictionary.py`` writes into ``mt/data``."""

from __future__ import annotations

import gzip
import math
from functools import cache, lru_cache
from pathlib import Path

import wordfreq

LANGUAGES = ("fr", "en", "es", "it", "de", "pt")


@cache
def _table(lang: str) -> dict[str, float]:
    return wordfreq.get_frequency_dict(lang, wordlist="best")


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "fr") -> float:
    """Zipf frequency (log10 per billion words) of a lower-cased word; 0 when unknown."""
    freq = _table(lang).get(word.lower().replace("’", "'"))
    if not freq:
        return 0.0
    return max(0.0, math.log10(freq) + 9)


def known(word: str, threshold: float = 1.0) -> bool:
    """Whether ``word`` is a French or English word (or a name seen in either)."""
    return zipf(word, "fr") >= threshold or zipf(word, "en") >= threshold


def detect_language(words: list[str]) -> tuple[str, float]:
    """Most likely language of a word list and a confidence in [0, 1] (from mean zipf scores)."""
    words = [w for w in words if w.isalpha()]
    if len(words) < 3:
        return "fr", 0.0
    french = sum(1 for w in words if (z := zipf(w, "fr")) >= 3.0 and z >= zipf(w, "en"))
    if french >= 0.85 * len(words):
        # nearly every word is common French, and more French than English: skip the rest
        return "fr", 1.0
    scores = {lang: sum(zipf(w, lang) for w in words) / len(words) for lang in LANGUAGES}
    best = max(scores, key=lambda k: scores[k])
    margin = (
        scores[best] - scores["fr"]
        if best != "fr"
        else scores["fr"] - max(v for k, v in scores.items() if k != "fr")
    )
    return best, max(0.0, min(1.0, margin / 2))


def translation_table(path: Path) -> dict[str, list[tuple[str, float]]]:
    """A table of ``scripts/build_dictionary.py`` (one ``french<TAB>english:dice ...`` line per
    French key): French key → its English entries with their Dice coefficient, best first.
    Empty when the file is missing."""
    if not path.is_file():
        return {}
    table = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            fr, _, rest = line.rstrip("\n").partition("\t")
            entries = (item.rpartition(":") for item in rest.split())
            table[fr] = [(english, float(dice)) for english, _, dice in entries]
    return table
