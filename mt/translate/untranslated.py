"""French words a translation kept as they were, and their replacement from a word table.

A small translation model copies the French words it cannot translate ("the tournoi", "Moscou
ordered"). :func:`find` locates them: words of the translation that also occur in the source,
that French knows and English does not (wordfreq). A lower-case one is untranslated; a
capitalised one inside the sentence, or a rare one opening it, is taken for a name unless the
word table translates it into an English name (Moscou → Moscow). A French title copied before a
name is found too (M. → Mr, Mme → Mrs, Mlle → Miss). :func:`fix` replaces titles and the words
the table is confident about, keeping their case; the table (``mt/data/fr-en-words.tsv.gz``) is
built from the training pairs by ``scripts/build_dictionary.py --words``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mt.text.lexicon import translation_table, zipf
from mt.text.words import LATIN_WORD as WORD

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "fr-en-words.tsv.gz"
# Zipf frequency below which English does not know a word, and at or above which French does.
FOREIGN_BELOW = 2.0
# Zipf frequency from which a capitalised word opening a sentence is read as a common word
# ("Dommage", "Bilan") rather than a name ("Modiano", "Cyrulnik").
COMMON = 3.0
# Dice coefficient (sentence co-occurrence in the training pairs) a replacement needs.
MIN_DICE = 0.5
# Bumped when the rules of find/fix change what they do (translation caches key on it).
RULES = 3
# French titles before a name and the English the training pairs give them most
# (`python eval/data_gaps.py --phrase '\bM\. [A-Z]' '\bMr\.? [A-Z]'`: 66,839 of 74,415 pairs;
# Mme → Mrs 25,815 of 30,932; Mlle → Miss 15 of 28). "MM." is left: its English is "Messrs"
# or "MM." in 82 of 1,864 pairs and has "Mr" in 1,618 ("Mr X and Mr Y").
TITLES = {"M.": "Mr", "Mme": "Mrs", "Mlle": "Miss"}
# a title as a word of its own, before a capitalised word (the name); French often puts a
# no-break space after it
TITLE = re.compile(
    rf"(?<![\w.])(?:{'|'.join(map(re.escape, TITLES))})(?=[ \u00a0\u202f][A-ZÀ-ÖØ-Þ])"
)

# a word as the table's French keys were cut (scripts/build_dictionary.py uses this one)


@dataclass(frozen=True)
class Untranslated:
    """A French word kept in a translation: where it is, and its replacement (None: none)."""

    word: str
    start: int  # character offsets in the translation it was found in
    end: int
    replacement: str | None


@cache
def word_table() -> dict[str, tuple[str, float]]:
    """French word (lower case) → (English word, Dice); empty when the table is missing."""
    return {fr: entries[0] for fr, entries in translation_table(TABLE_PATH).items()}


@cache
def fix_key() -> str:
    """Identifies the rules and the word table's contents (translation caches key on it)."""
    table = (
        hashlib.sha256(TABLE_PATH.read_bytes()).hexdigest()[:12] if TABLE_PATH.is_file() else "none"
    )
    return f"rules {RULES}, table {table}"


def foreign(word: str) -> bool:
    """A word French knows and English does not: one a reader of English would not recognise."""
    low = word.lower()
    return zipf(low, "en") < FOREIGN_BELOW <= zipf(low, "fr")


def _replacement(word: str, name: bool, min_dice: float) -> str | None:
    """The table's English for ``word`` in the case it needs; ``name``: ``word`` looks like a
    name, so only an English name replaces it (Moscou → Moscow, not Marteau → hammer)."""
    entry = word_table().get(word.lower())
    if entry is None:
        return None
    english, dice = entry
    low = english.lower()
    if dice < min_dice or low == word.lower() or zipf(low, "en") < FOREIGN_BELOW:
        return None
    if english != low:  # English writes it capitalised: a name, a month, an acronym
        return english
    if name:
        return None
    if word.isupper() and len(word) > 1:
        return english.upper()
    return english[:1].upper() + english[1:] if word[0].isupper() else english


def _name_like(word: str, first: str) -> bool:
    """Whether a capitalised ``word`` is more likely a name than a copied common word."""
    if not word[0].isupper():
        return False
    if word.isupper():  # an acronym, unless a long and common word in a capitalised headline
        return len(word) <= 4 or zipf(word, "fr") < COMMON
    if word != first:  # capitalised inside the sentence
        return True
    return zipf(word, "fr") < COMMON  # opening it: a rare word is more likely a name


def _titles(source: str, translation: str) -> list[Untranslated]:
    """French titles before a name ("M. Stoltenberg") that ``translation`` copied from ``source``."""
    in_source = set(TITLE.findall(source))
    return [
        Untranslated(m.group(), m.start(), m.end(), TITLES[m.group()])
        for m in TITLE.finditer(translation)
        if m.group() in in_source
    ]


def find(source: str, translation: str, *, min_dice: float = MIN_DICE) -> list[Untranslated]:
    """The French words of ``source`` that ``translation`` kept untranslated, in order."""
    source_words = WORD.findall(source)
    first = source_words[0] if source_words else ""
    in_source = set(source_words)
    out = _titles(source, translation)
    titles = {u.start for u in out}
    for m in WORD.finditer(translation):
        word = m.group()
        if m.start() in titles or word not in in_source or not foreign(word):
            continue
        name = _name_like(word, first)
        replacement = _replacement(word, name, min_dice)
        if name and replacement is None:
            continue  # a name, as far as the table can tell
        out.append(Untranslated(word, m.start(), m.end(), replacement))
    return sorted(out, key=lambda u: u.start)


def fix(
    source: str, translation: str, *, min_dice: float = MIN_DICE
) -> tuple[str, list[Untranslated]]:
    """``translation`` with the untranslated words the table knows replaced, and every word
    :func:`find` found (offsets in the returned text; ``replacement`` None where none was made).
    """
    parts: list[str] = []
    found: list[Untranslated] = []
    pos = shift = 0
    for u in find(source, translation, min_dice=min_dice):
        new = u.replacement or u.word
        parts.append(translation[pos : u.start] + new)
        found.append(
            Untranslated(u.word, u.start + shift, u.start + shift + len(new), u.replacement)
        )
        shift += len(new) - len(u.word)
        pos = u.end
    parts.append(translation[pos:])
    return "".join(parts), found
