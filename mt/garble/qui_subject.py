"""``qui`` before a capitalised article and a name: a mistranslated English "that"."""

from __future__ import annotations

import re

from mt.garble.base import APOSTROPHES, LETTERS, TOKEN, opens_name
from mt.records import Flag

# "qui" then a capitalised article and a name: English "a report that Russia had ..." came out
# as "un rapport qui La Russie aurait ...", a subject relative ("qui") before a new subject.
# Clean French never writes it (no line of the 2.8 M training pairs does); "que" reads right, and
# the translation gets "that Russia would have" instead of dropping Russia.
_QUI_SUBJECT = re.compile(rf"\bqui (Les|Le|La|L['’])(?=\s*[A-ZÀ-Ý][{LETTERS}])")
_PREPOSITIONS = frozenset("à de pour avec par sur chez contre sans vers entre envers".split())


def detect(text: str) -> list[Flag]:
    flags = []
    for m in _QUI_SUBJECT.finditer(text):
        before = TOKEN.findall(text[max(0, m.start() - 30) : m.start()])
        if before and before[-1].lower() in _PREPOSITIONS:
            continue  # "à qui La Poste a écrit": "qui" is the object of the preposition
        article = m.group(1)
        name = opens_name(
            article, TOKEN.match(text, m.end() + (0 if article[-1] in APOSTROPHES else 1))
        )
        flags.append(
            Flag(
                "qui_subject",
                m.start(),
                m.end(),
                m.group(),
                f"'qui' before the new subject '{article}…': a mistranslated 'that'",
                0.85,
                f"que {article if name else article.lower()}",  # "que Le Monde a publié"
            )
        )
    return flags
