"""Two words glued together: ``Khersonsous`` (a link's text and the next word),
``AlfredHitchcock``, ``avecles``."""

from __future__ import annotations

import re

from mt.garble.base import WORD
from mt.records import Flag
from mt.text.lexicon import known, zipf

# Short words that machine translation glues to a neighbour ("Khersonsous" = "Kherson sous").
_GLUE_WORDS = frozenset(
    """sous dans pour avec sur par de des du la le les et ou en au aux à qui que mais contre
    entre après avant depuis pendant vers chez sans selon lors où est a ont sont un une ce""".split()
)
# After a name, only prepositions and conjunctions count (not "est", "ont": "Ornest").
_NAME_GLUE = _GLUE_WORDS - {"est", "ont", "sont", "une"}
# Two-letter words glued after a common name ("Nobelde", "Cottonne"): only after a name that
# common, so that rare names ending in these letters are left alone.
_SHORT_NAME_GLUE = frozenset("de du en et ne se la le au".split())
COMMON_NAME = 3.5
# The glued words that wordfreq still knows as rare words of their own (web typos such as
# "avecles", surnames): below this zipf, a split into a function word and a common word wins.
RARE_WORD = 2.0
# the short words that such typos glue on; not "entre", "contre", "sous", which begin real
# compounds ("entretués")
_RARE_GLUE = frozenset(
    "la le les de des du un une et en au aux avec sur par pour qui que est".split()
)
# "ledit", "lesdites", "audit": legal words that read as a function word and another
_LEGAL = ("ledit", "ladite", "lesdit", "desdit", "dudit", "audit", "auxdit", "susdit")
# Word endings and prefixes that make a rare word look like two ("mineront" = "miner ont").
_SUFFIXES = frozenset(
    """ont ons ions ez iez ent aient ait ais ant ment ements er eur eurs euse ité age isme iste
    able ible eau aux rent ra ras rez rons ront ments rais rait rions ai ira eux""".split()
)
_PREFIXES = frozenset(
    "bio dés dé re ré pré anti auto micro macro multi néo post pro sous super inter extra hyper "
    "mini ultra semi co contre sur in".split()
)


def _part_ok(part: str, z: float) -> bool:
    """Whether a piece of a split is a plausible word on its own (short pieces must be common)."""
    if len(part) >= 4:
        return z >= 2.5
    if len(part) >= 2:
        return z >= 4.0
    return part in {"à", "a", "y"}


def _split_merged(word: str, initial: bool = False) -> tuple[str, str] | None:
    """Best split of an unknown word into two known words, or None.

    ``initial``: the word starts the sentence, so a capital does not make it a name.
    """
    best: tuple[float, str, str] | None = None
    capital = word[:1].isupper()
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        zl, zr = zipf(left, "fr"), zipf(right, "fr")
        plain = (
            _part_ok(left, zl)
            and _part_ok(right, zr)
            # "fourballs" is English, not two French words
            and zl + zr >= zipf(left, "en") + zipf(right, "en")
            and right.lower() not in _SUFFIXES
            # a prefix joins a word, never a function word ("contreles" is "contre les")
            and (left.lower() not in _PREFIXES or right.lower() in _GLUE_WORDS)
        )
        if capital:
            # a name glued to a short word ("Khersonsous", "Nobelde"), two words at a sentence
            # start, or a capitalised noun glued to a common word ("Travaillistesdemandent")
            name = max(zl, zipf(left, "en"))
            ok = (
                (len(left) >= 3 and name >= 1.5 and len(right) >= 3 and right in _NAME_GLUE)
                or (len(left) >= 3 and name >= COMMON_NAME and right in _SHORT_NAME_GLUE)
                or (initial and plain and zl >= 3.5)
                or (plain and min(len(left), len(right)) >= 5 and min(zl, zr) >= 3.0)
            )
        else:
            ok = plain
        if ok:
            score = min(zl, zr)
            if best is None or score > best[0]:
                best = (score, left, right)
    return (best[1], best[2]) if best else None


# longest token read as two words glued together: French words run to 25 letters
# ("anticonstitutionnellement"); a longer token is not two of them, and trying every split of
# it would look up every prefix and suffix, which grows with the square of its length
MAX_MERGED = 50


_CASE_JOIN = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")


def _camel_split(word: str) -> tuple[str, str] | None:
    """A word and a name glued at a change of case ("AlfredHitchcock", "ofThrones"); not a
    brand written that way ("YouTube", "iPhone"), which dictionaries know."""
    joins = [m.start() for m in _CASE_JOIN.finditer(word)]
    if len(joins) != 1 or known(word):
        return None
    left, right = word[: joins[0]], word[joins[0] :]
    if len(left) < 2 or len(right) < 2:
        return None
    if min(max(zipf(p, "fr"), zipf(p, "en")) for p in (left, right)) < 2.0:
        return None
    return left, right


def _rare_split(word: str) -> tuple[str, str] | None:
    """A rare known word that is a function word glued to a common one ("avecles")."""
    if not word.islower() or zipf(word, "fr") >= RARE_WORD or word.startswith(_LEGAL):
        return None
    for i in range(2, len(word) - 2):
        left, right = word[:i], word[i:]
        if left in _RARE_GLUE and zipf(right, "fr") >= 4.0 and right not in _SUFFIXES:
            return left, right
    return None


def detect(text: str) -> list[Flag]:
    flags = []
    for m in WORD.finditer(text):
        word = m.group()
        if not 6 <= len(word) <= MAX_MERGED or word.isupper():
            continue
        initial = m.start() < 4 and not text[: m.start()].strip(" \"“«'-—")
        if known(word):
            split = _rare_split(word)
        else:
            split = _camel_split(word) or _split_merged(word, initial=initial)
        if split:
            flags.append(
                Flag(
                    "merged_token",
                    m.start(),
                    m.end(),
                    word,
                    f"unknown word; reads as '{split[0]} {split[1]}'",
                    0.9,
                    f"{split[0]} {split[1]}",
                )
            )
    return flags
