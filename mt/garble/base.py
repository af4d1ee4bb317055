"""What every detector shares: the :class:`Detector` protocol and the patterns of French words.

A detector looks for one kind of damage in a sentence's prose and returns :class:`Flag` objects
whose ``start`` / ``end`` are character offsets in the text it was given.
"""

from __future__ import annotations

import re
from typing import Protocol

from mt.records import Flag
from mt.text.words import LATIN_WORD as WORD
from mt.text.words import LETTERS

TOKEN = re.compile(rf"[{LETTERS}]+(?:[-'’][{LETTERS}]+)*")
VOWEL = "aeiouàâäéèêëîïôöùûüœæAEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ"
SENTENCE_OPENERS = set('.!?:;«“"(—–-…')
APOSTROPHES = "'’"

__all__ = [
    "APOSTROPHES",
    "LETTERS",
    "SENTENCE_OPENERS",
    "TOKEN",
    "VOWEL",
    "WORD",
    "Detector",
    "opens_name",
]


class Detector(Protocol):
    """Flags one kind of damage in a sentence (its prose, without a metadata header)."""

    def __call__(self, text: str) -> list[Flag]: ...


# Proper names that start with a capitalised article or preposition.
NAMES_WITH_ARTICLE = frozenset(
    """la haye|la paz|le caire|le havre|le mans|le monde|le figaro|le pen|la mecque|le cap|
    les échos|la rochelle|la réunion|le parisien|la croix|la poste|le point|les républicains|
    la défense|le bourget|la valette|la nouvelle|le touquet|la fontaine|la tribune|
    les verts|la manche|le libéria|la libre|le soir|le temps|le devoir|la presse|
    de gaulle|le drian|le maire|la rédaction|du bellay|de villepin|des moines|la palma|
    le salvador|la nouvelle-orléans|la havane|le québec|la silicon|le louvre|le bon marché""".replace(
        "\n", ""
    ).split("|")
)


def opens_name(article: str, after: re.Match[str] | None) -> bool:
    """Whether ``article`` and the word ``after`` it begin a name such as *La Haye* or *Le Pen*."""
    pair = f"{article.lower()} {after.group().lower()}" if after else ""
    return any(pair.startswith(n) for n in NAMES_WITH_ARTICLE)
