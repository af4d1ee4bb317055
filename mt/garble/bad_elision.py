"""A missing elision: ``le OTAN``, ``de ukrainiens``, ``si il``."""

from __future__ import annotations

import re

from mt.garble.base import LETTERS, VOWEL
from mt.records import Flag
from mt.text.lexicon import zipf

_ELIDABLE = re.compile(
    rf"\b(le|la|de|je|me|te|se|ne|ce|que|jusque|lorsque|puisque|si)\s+([{VOWEL}h][{LETTERS}]*)",
    re.IGNORECASE,
)
# Words that begin with a vowel letter but take no elision, and common h-muet words that do.
_NO_ELISION = frozenset("un une onze oui ouate ouistiti uhlan".split())
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
        if len(word) == 1 or zipf(word, "en") > zipf(word, "fr") + 1.0 >= 1.0 + 2.0:
            continue  # an initial ("de A. Šternfeld") or an English name ("la University")
        if art.lower() == "si" and not low.startswith("il"):
            continue  # only "si il(s)" elides
        fixed = (
            f"{art[0]}'{word}"
            if art.lower() not in {"que", "jusque", "lorsque", "puisque"}
            else (f"{art[:-1]}'{word}")
        )
        flags.append(
            Flag(
                "bad_elision",
                m.start(),
                m.end(),
                m.group(),
                f"'{art} {word}' should elide",
                0.9,
                fixed,
            )
        )
    return flags
