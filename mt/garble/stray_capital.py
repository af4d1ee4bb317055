"""A capitalised article or function word mid-sentence: ``qui La Russie``."""

from __future__ import annotations

import re

from mt.garble.base import SENTENCE_OPENERS, TOKEN, opens_name
from mt.records import Flag
from mt.text.lexicon import known

_STRAY_WORDS = frozenset(
    "le la les l un une des du de au aux ce cette ces il elle ils elles mais et qui que dans "
    "pour sur avec par en son sa ses leur leurs mon ma mes notre nos votre vos".split()
)


# nouns that introduce a title, whose own capitalised article is not stray
_WORK_NOUNS = frozenset(
    "film films livre roman journal quotidien magazine hebdomadaire mensuel série album chanson "
    "titre pièce opéra tableau émission exposition jeu essai ouvrage revue site blog podcast "
    "spectacle feuilleton recueil poème".split()
)
# a capitalised article before a capitalised word may begin a title ("Le Petit Prince"): less
# sure than one before a lowercase word ("qui La Russie")
BEFORE_CAPITAL = 0.6


def _first_word(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins the sentence (after quotes or a dash at most)."""
    return start < 4 and not text[:start].strip(" \"“«'-—(")


def detect(text: str) -> list[Flag]:
    flags = []
    for m in TOKEN.finditer(text):
        word = m.group()
        base = re.split(r"['’]", word)[0]
        if (
            not base[:1].isupper()
            or base.lower() not in _STRAY_WORDS
            or (base.isupper() and len(base) > 1)
        ):
            continue
        before = text[max(0, m.start() - 60) : m.start()].rstrip()
        if not before or before[-1] in SENTENCE_OPENERS or before[-1] in "”»\n":
            continue
        after = TOKEN.match(text, m.end() + 1)
        # the word before, looked for nearby only: a long text stays linear
        window = max(0, m.start() - 60)
        prev = list(TOKEN.finditer(text, window, m.start()))
        if (
            prev
            and prev[-1].group()[:1].isupper()
            and not prev[-1].group().isupper()
            and not _first_word(text, prev[-1].start())
            and (after is None or after.group()[:1].isupper() or len(after.group()) <= 2)
        ):
            continue  # inside a multi-word name: "Kim Jong Un", "Saint Louis et Des Moines"
        elided = word[len(base) + 1 :]
        if elided and not known(elided, 3.0):
            continue  # a brand or name: "L’Oreal"
        if len(base) == 1 and text[m.end() : m.end() + 1] == ".":
            continue  # an initial: "Monsieur L."
        if prev and prev[-1].group().lower() in _WORK_NOUNS:
            continue  # a title: "le film Les Misérables", "le quotidien Le Monde"
        if opens_name(base, after):
            continue
        if after and after.group()[:1].isupper() and not known(after.group(), 3.0):
            continue  # part of a rare name: "Bill De Blasio", "Marine Le Pen"
        suggestion = word[0].lower() + word[1:]
        flags.append(
            Flag(
                "stray_capital",
                m.start(),
                m.start() + len(base),
                base,
                f"capitalised '{base}' in the middle of a sentence",
                BEFORE_CAPITAL if after and after.group()[:1].isupper() else 0.85,
                suggestion[: len(base)],
            )
        )
    return flags
