"""Word frequencies (wordfreq's bundled data) for French, English and neighbouring languages,
the French → English tables ``scripts/build_dictionary.py`` writes into ``mt/data``, and the
match keys built on them, which tell whether an English text renders a French word."""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer
import wordfreq

LANGUAGES = ("fr", "en", "es", "it", "de", "pt")
STEMS_PATH = Path(__file__).resolve().parent.parent / "data" / "fr-en-stems.tsv.gz"
# the tokens match keys are built for: words, and numbers with their decimal marks ("7,5")
TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*")


@cache
def _table(lang: str) -> dict[str, float]:
    return wordfreq.get_frequency_dict(lang, wordlist="best")


# longer than any word the frequency tables hold: such a token is unknown, and is not cached
# (the caches below count entries, not characters)
LONGEST_WORD = 100


def zipf(word: str, lang: str = "fr") -> float:
    """Zipf frequency (log10 per billion words) of a lower-cased word; 0 when unknown."""
    return 0.0 if len(word) > LONGEST_WORD else _zipf(word, lang)


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    freq = _table(lang).get(word.lower().replace("’", "'"))
    if not freq:
        return 0.0
    return max(0.0, math.log10(freq) + 9)


def known(word: str, threshold: float = 1.0) -> bool:
    """Whether ``word`` is a French or English word (or a name seen in either)."""
    return zipf(word, "fr") >= threshold or zipf(word, "en") >= threshold


@cache
def _common_french() -> frozenset[str]:
    """The French words of zipf frequency 3 or more, at least as frequent in French as in
    English (the table lists words from the most frequent down)."""
    found = []
    for word, freq in _table("fr").items():
        if freq < 1e-6 * 0.99:
            break
        if (z := zipf(word, "fr")) >= 3.0 and z >= zipf(word, "en"):
            found.append(word)
    return frozenset(found)


def common_french(word: str) -> bool:
    """Whether ``word`` is a common French word, more French than English (``zipf(word, "fr")``
    at least 3.0 and at least ``zipf(word, "en")``): one set lookup, where the two
    frequencies cost two."""
    return word.lower().replace("’", "'") in _common_french()


def detect_language(words: list[str]) -> tuple[str, float]:
    """Most likely language of a word list and a confidence in [0, 1] (from mean zipf scores)."""
    words = [w for w in words if w.isalpha()]
    if len(words) < 3:
        return "fr", 0.0
    french = sum(1 for w in words if common_french(w))
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


FR_STOP = frozenset(
    "le la les l un une des du de d à au aux et ou en dans sur par pour avec ne pas plus que qu qui "
    "se s il elle ils elles je j me m te t tu nous vous on son sa ses leur leurs ce c cet cette ces "
    "mon ma mes ton ta tes est a été être avoir y lui eux mais si comme tout tous".split()
)
EN_STOP = frozenset(
    "the a an and or of to in on at by for with not no it its he she they we you me him her "
    "them his their our your my is was were be been has have had do did that this these those "
    "as but if so all from there which who what".split()
)

_STEMMERS = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of a lower-cased word ("filles" → "fill", "daughters" → "daughter")."""
    return str(_STEMMERS[lang].stemWord(word))


@cache
def stem_table() -> dict[str, frozenset[str]]:
    """French stem → keys of its likely English translations (empty when the table is missing)."""
    return {
        fr: frozenset("=" + english for english, _ in entries)
        for fr, entries in translation_table(STEMS_PATH).items()
    }


@cache
def _en_stop_keys() -> frozenset[str]:
    return frozenset("=" + stem(w, "en") for w in EN_STOP)


def fold(word: str) -> str:
    """Lower-cased, accents removed ("Élan" → "elan")."""
    return "".join(
        c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)
    )


def weight(word: str, lang: str) -> float:
    """Rare words say more about a match than common ones (an idf-like weight from wordfreq)."""
    return min(3.0, max(0.5, 1.0 + (5.5 - zipf(word, lang)) / 2))


# Match keys: "=stem" for an English stem (a French word's are its table translations'),
# the lower-cased word itself (names and numbers match themselves), "~" + its first five
# letters without accents (cognates: "gouvernement" ~ "government").


@lru_cache(maxsize=200_000)
def french_keys(word: str) -> frozenset[str] | None:
    """The keys an English rendering of a French word shares with it; None for a function word."""
    low = word.lower()
    if low in FR_STOP:
        return None
    translations = stem_table().get(stem(low, "fr"), frozenset())
    if translations and translations <= _en_stop_keys() and not word[0].isupper():
        return None  # a function word the stop list misses ("avait" → had, was)
    keys = set(translations)
    keys.add(low)
    if len(low) >= 5 and low.isalpha():
        keys.add("~" + fold(low)[:5])
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def english_keys(word: str) -> frozenset[str] | None:
    """An English word's keys (itself, its stem, its cognate key); None for a function word."""
    low = word.lower()
    if low in EN_STOP:
        return None
    keys = {low, "=" + stem(low, "en")}
    if len(low) >= 5 and low.isalpha():
        keys.add("~" + fold(low)[:5])
    return frozenset(keys)
