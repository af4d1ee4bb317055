"""An English noun compound with both its articles kept: ``le OTAN Le secrétaire général``."""

from __future__ import annotations

import re

from mt.garble.base import APOSTROPHES, LETTERS, SENTENCE_OPENERS
from mt.records import Flag

# An English noun compound with its own article ("the NATO Secretary-General") came out with
# both articles: "le OTAN Le secrétaire général". The French is "le secrétaire général de
# l'OTAN"; fixing only the elision ("l'OTAN Le secrétaire") makes the model write "NATO,
# Secretary-General," (two people). In the 2.8 M training pairs the pattern occurs on six
# lines, each where a heading ending in an acronym is glued to a sentence.
_ARTICLE_COMPOUND = re.compile(
    rf"\b([Ll]e|[Ll]a|[Ll]es|[Ll]['’]) ?([A-Z][A-Z0-9]+) (?:(Le|La|Les) |(L['’]))"
    rf"([a-zà-öø-ÿ][{LETTERS}]*(?:-[{LETTERS}]+)*)"
)
_NEXT_WORD = re.compile(rf" ([{LETTERS}]+(?:-[{LETTERS}]+)*)")
# adjectives that come before the noun ("le premier président")
_BEFORE_NOUN = frozenset(
    """premier première premiers premières nouveau nouvel nouvelle nouveaux nouvelles ancien
    ancienne anciens anciennes célèbre grand grande grands grandes petit petite petits petites
    jeune jeunes vieux vieille haut haute hauts hautes seul seule dernier dernière derniers
    dernières futur future prochain prochaine principal principale principaux vice""".split()
)
# adjectives after the noun, by their endings ("général", "américaine", "intérieur")
_ADJECTIVE = re.compile(
    r"[a-zà-öø-ÿ-]+(?:al|ale|aux|ales|ien|ienne|iens|iennes|ain|aine|ains|aines|ais|aise|ique|"
    r"iques|if|ive|ifs|ives|el|elle|els|elles|aire|aires|eur|eure|eurs|eures|é|ée|és|ées)"
)
# verbs with those endings: "provienne", "obtienne"
_NOT_ADJECTIVE = re.compile(r".*(?:vienne|tienne|viennes|tiennes)")
# words after a participle that make it a verb with its complement, not an adjective
_COMPLEMENT = frozenset("à de d du des par pour en".split())


def _compound_end(text: str, noun: str, end: int) -> int:
    """Where the noun phrase of ``noun`` (ending at ``end``) ends: with up to two adjectives."""
    if noun.lower() in _BEFORE_NOUN:
        after = _NEXT_WORD.match(text, end)
        if after and after.group(1).islower():
            end = after.end()
    for _ in range(2):
        adj = _NEXT_WORD.match(text, end)
        if (
            not adj
            or not _ADJECTIVE.fullmatch(adj.group(1))
            or _NOT_ADJECTIVE.fullmatch(adj.group(1))
        ):
            break
        following = _NEXT_WORD.match(text, adj.end())
        if (
            adj.group(1).endswith(("é", "ée", "és", "ées"))
            and following
            and following.group(1).lower() in _COMPLEMENT
        ):
            break  # "la création destinée à éviter": a participle with its complement
        end = adj.end()
    return end


def detect(text: str) -> list[Flag]:
    flags = []
    for m in _ARTICLE_COMPOUND.finditer(text):
        article, acronym = m.group(1).lower(), m.group(2)
        own = (m.group(3) or m.group(4)).lower()
        end = _compound_end(text, m.group(5), m.end())
        if article == "les":
            of = f"des {acronym}"
        elif article[-1] in APOSTROPHES or acronym[0] in "AEIOUY":
            apostrophe = "’" if "’" in text else "'"  # the text's own
            of = f"de l{apostrophe}{acronym}"
        else:
            of = f"du {acronym}" if article == "le" else f"de la {acronym}"
        noun = text[m.start(5) : end]
        fix = f"{own}{'' if own[-1] in APOSTROPHES else ' '}{noun} {of}"
        before = text[: m.start()].rstrip()
        if not before or before[-1] in SENTENCE_OPENERS:  # the sentence's first word
            fix = fix[0].upper() + fix[1:]
        flags.append(
            Flag(
                "article_compound",
                m.start(),
                end,
                text[m.start() : end],
                f"'{m.group(1)} {acronym}' before '{own}…': an English compound with two articles",
                0.85,
                fix,
            )
        )
    return flags
