"""A broken elision: undone (``le OTAN``, ``de ukrainiens``, ``si il``), spaced apart
(``l' homme``) or without its apostrophe (``l homme``, ``qu on``)."""

from __future__ import annotations

import re

from mt.garble.base import LETTERS, VOWEL
from mt.records import Flag
from mt.text.lexicon import zipf

_ELIDABLE = re.compile(
    rf"\b(le|la|de|je|me|te|se|ne|ce|que|jusque|lorsque|puisque|si)\s+([{VOWEL}h][{LETTERS}]*)",
    re.IGNORECASE,
)
_HEADS = r"[lLdDjJnNsScCmMtT]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu"
# "l' homme": the apostrophe kept, a space after it
_SPACED = re.compile(rf"\b({_HEADS})(['’])\s+(?=[{VOWEL}h][{LETTERS}])")
# "l homme", "qu on": the apostrophe lost; not a unit after a number ("100 m au-dessus")
_LOST = re.compile(rf"(?<![\d°] )(?<![\d°])\b({_HEADS}) (?=[{VOWEL}h][{LETTERS}])")
# Words that begin with a vowel letter but take no elision, and common h-muet words that do.
_NO_ELISION = frozenset("oui ouate ouistiti uhlan ou où".split())
# the number and the front page: "le un", "la une", "le onze"
_NO_ELISION_AFTER_ARTICLE = frozenset("un une onze".split())
# the words that elide before the verb "a" and the pronoun "y"
_BEFORE_A_Y = frozenset("ne que je se me te si".split())
_H_MUET = frozenset(
    "homme hommes heure heures histoire hôpital hiver habitant habitants hôtel humanité "
    "homologue honneur huile hier habitude herbe hélicoptère héritage hypothèse".split()
)


def detect(text: str) -> list[Flag]:
    flags = []
    for m in _ELIDABLE.finditer(text):
        art, word = m.group(1), m.group(2)
        low = word.lower()
        if low in _NO_ELISION or (low[0] == "h" and low not in _H_MUET):
            continue
        if art.lower() in ("le", "la") and low in _NO_ELISION_AFTER_ARTICLE:
            continue
        if word.isupper() and low[0] == "u":
            continue  # an acronym read letter by letter from a consonant sound: "le UKIP"
        if len(word) == 1 and not (low in "ay" and art.lower() in _BEFORE_A_Y):
            continue  # "ce à quoi", an initial ("de A. Šternfeld"); but "ne a", "que y"
        if art.lower() == "ce" and low[0] not in "eé":
            continue  # "ce" elides before "est", "était", "en" only
        if zipf(word, "en") > zipf(word, "fr") + 1.0 >= 1.0 + 2.0:
            continue  # an English name ("la University")
        if art.lower() == "si" and not low.startswith("il"):
            continue  # only "si il(s)" elides
        fixed = (
            f"{art[0]}'{word}"
            if art.lower() not in {"que", "jusque", "lorsque", "puisque"}
            else (f"{art[:-1]}'{word}")
        )
        flags.append(_flag(m, f"'{art} {word}' should elide", 0.9, fixed))
    for m in _SPACED.finditer(text):
        flags.append(
            _flag(m, "a space after the elision's apostrophe", 0.9, m.group(1) + m.group(2))
        )
    for m in _LOST.finditer(text):
        flags.append(_flag(m, f"'{m.group(1)}' without its apostrophe", 0.85, m.group(1) + "’"))
    return flags


def _flag(m: re.Match[str], reason: str, confidence: float, fix: str) -> Flag:
    return Flag("bad_elision", m.start(), m.end(), m.group(), reason, confidence, fix)
