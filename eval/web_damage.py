"""Damage as machine translation of scraped web pages leaves it, written from a description of
that damage rather than from the detectors (``eval/garble.py`` has the generator the detectors
were built beside; this one shares no code or word list with it or with ``mt.garble``).

What a translated web page goes through: its links, emphasis and quotes are cut out of the
text, translated on their own and pasted back; quotation marks come from the page, the
translator and the copy-paste; whole phrases are sometimes left in English. So:

- ``merged_token``: a link's text glued to the word after it, or the word before glued to it;
- ``stray_capital``: a link's text pasted mid-sentence in title case (its article capitalised,
  or every word);
- ``missing_space``: punctuation glued to the next word (after ``, ; : . ? ! » % )``), before any
  letter, accented or not, elided words too;
- ``quote_mismatch``: a quoted word or phrase between marks of the wrong kind or of two kinds;
- ``duplicate_word``: a short word doubled where two text pieces overlap;
- ``word_order``: two neighbouring words swapped;
- ``english_leak``: an English word or phrase left in the French;
- ``bad_elision``: an elision undone, spaced apart, or its apostrophe lost.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Damage:
    text: str
    type: str | None  # None: left clean
    start: int = 0
    end: int = 0


Damager = Callable[[str, random.Random], Damage | None]
_L = "A-Za-zÀ-ÖØ-öø-ÿŒœÆæ"
_TOKEN = re.compile(rf"[{_L}]+")


def _words(s: str, lower: bool = False, min_len: int = 1) -> list[re.Match[str]]:
    return [
        m
        for m in _TOKEN.finditer(s)
        if len(m.group()) >= min_len and (not lower or m.group().islower())
    ]


def _splice(s: str, start: int, end: int, new: str, kind: str, at: int, to: int) -> Damage:
    return Damage(s[:start] + new + s[end:], kind, at, to)


def link_glue(s: str, rng: random.Random) -> Damage | None:
    # the space at a link's edge lost: "Kherson sous" -> "Khersonsous"
    gaps = [
        (a, b)
        for a, b in zip(_words(s, min_len=2), _words(s, min_len=2)[1:], strict=False)
        if s[a.end() : b.start()] == " " and len(a.group()) + len(b.group()) >= 7
    ]
    if not gaps:
        return None
    a, b = rng.choice(gaps)
    return _splice(s, a.end(), b.start(), "", "merged_token", a.start(), b.end() - 1)


_DETERMINERS = {"le", "la", "les", "un", "une", "des", "du", "ce", "cette", "ces", "son", "sa"}


def title_link(s: str, rng: random.Random) -> Damage | None:
    # link text pasted in title case: "selon le ministère" -> "selon Le ministère" / "Le Ministère"
    ws = _words(s)
    spots = [
        i
        for i in range(1, len(ws) - 1)
        if ws[i].group() in _DETERMINERS
        and ws[i + 1].group().islower()
        and len(ws[i + 1].group()) > 2
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    span = [ws[i], ws[i + 1]]
    if rng.random() < 0.4 and i + 2 < len(ws) and ws[i + 2].group().islower():
        span.append(ws[i + 2])
    every = rng.random() < 0.4
    out = list(s)
    for k, m in enumerate(span):
        if k == 0 or every:
            out[m.start()] = out[m.start()].upper()
    return Damage("".join(out), "stray_capital", span[0].start(), span[-1].end())


def glued_punctuation(s: str, rng: random.Random) -> Damage | None:
    # "en mai, à Paris" -> "en mai,à Paris"; "» , a-t-il" -> "»,a-t-il"; "5 % des" -> "5 %des"
    spots = list(re.finditer(rf"([,;:.?!»%)]) (?=[{_L}])", s))
    spots = [m for m in spots if m.group(1) not in ".?!" or s[m.end()].isupper()]
    if not spots:
        return None
    m = rng.choice(spots)
    return _splice(s, m.start(), m.end(), m.group(1), "missing_space", m.start(), m.start() + 2)


_QUOTE_PAIRS = [("”", "”"), ("“", "“"), ("«", "”"), ("“", "»"), ('"', "»"), ("«", '"'), ("”", "“")]


def odd_quotes(s: str, rng: random.Random) -> Damage | None:
    # a quoted word or short phrase whose marks came from two sources: ”ceci”, «cela”
    ws = _words(s, lower=True, min_len=4)
    if not ws or any(c in s for c in '«»“”"'):
        return None  # a sentence with quotes of its own: its marks would blur the label
    i = rng.randrange(len(ws))
    j = min(len(ws) - 1, i + rng.choice([0, 0, 1, 2]))
    if s[ws[i].start() : ws[j].end()].count(",") or s[ws[i].start() : ws[j].end()].count("."):
        j = i
    left, right = rng.choice(_QUOTE_PAIRS)
    new = f"{left}{s[ws[i].start() : ws[j].end()]}{right}"
    return _splice(
        s,
        ws[i].start(),
        ws[j].end(),
        new,
        "quote_mismatch",
        ws[i].start(),
        ws[i].start() + len(new),
    )


_SHORT = {
    "de",
    "la",
    "le",
    "les",
    "à",
    "et",
    "en",
    "du",
    "des",
    "un",
    "une",
    "a",
    "est",
    "que",
    "qui",
    "pour",
    "dans",
}


def doubled_word(s: str, rng: random.Random) -> Damage | None:
    # two text pieces overlapping by a word: "la la ville", "de de"
    spots = [m for m in _words(s) if m.group() in _SHORT]
    if not spots:
        return None
    m = rng.choice(spots)
    return _splice(
        s,
        m.end(),
        m.end(),
        " " + m.group(),
        "duplicate_word",
        m.start(),
        m.end() * 2 - m.start() + 1,
    )


def swapped(s: str, rng: random.Random) -> Damage | None:
    # two neighbouring words exchanged
    ws = _words(s, lower=True, min_len=2)
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(ws)
        if s[a.end() : b.start()] == " " and a.group() != b.group()
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    return _splice(
        s, a.start(), b.end(), f"{b.group()} {a.group()}", "word_order", a.start(), b.end()
    )


_LEFT_IN_ENGLISH = {
    "et": ["and"],
    "avec": ["with"],
    "mais": ["but"],
    "selon": ["according to"],
    "pour": ["for"],
    "sans": ["without"],
    "aussi": ["also"],
    "déjà": ["already"],
    "encore": ["still", "yet"],
    "toujours": ["always", "still"],
    "beaucoup": ["a lot"],
    "personnes": ["people"],
    "semaines": ["weeks"],
    "années": ["years"],
    "gens": ["people"],
    "jour": ["day"],
    "monde": ["world"],
    "très": ["very"],
    "pourquoi": ["why"],
    "quand": ["when"],
    "parce": ["because"],
    "depuis": ["since"],
    "entre": ["between"],
    "contre": ["against"],
    "ont": ["have"],
    "était": ["was"],
    "peut": ["can"],
    "fait": ["made", "done"],
    "dit": ["said"],
}


def english_left(s: str, rng: random.Random) -> Damage | None:
    # a word the translator left in English (or a phrase it translated back)
    spots = [m for m in _words(s) if m.group() in _LEFT_IN_ENGLISH]
    if not spots:
        return None
    m = rng.choice(spots)
    new = rng.choice(_LEFT_IN_ENGLISH[m.group()])
    return _splice(s, m.start(), m.end(), new, "english_leak", m.start(), m.start() + len(new))


def broken_elision(s: str, rng: random.Random) -> Damage | None:
    # "l'homme" -> "le homme" / "l' homme" / "l homme"; "qu'il" -> "que il"
    spots = list(re.finditer(rf"\b([lLdDjJnNsScC]|[qQ]u)['’]([{_L}]+)", s))
    if not spots:
        return None
    m = rng.choice(spots)
    head, word = m.group(1), m.group(2)
    full = {
        "l": rng.choice(["le", "la"]),
        "d": "de",
        "j": "je",
        "n": "ne",
        "s": "se",
        "c": "ce",
        "qu": "que",
    }[head.lower()]
    if head[0].isupper():
        full = full.capitalize()
    apostrophe = s[m.start() + len(head)]
    new = rng.choice(
        [f"{full} {word}", f"{full} {word}", f"{head}{apostrophe} {word}", f"{head} {word}"]
    )
    return _splice(s, m.start(), m.end(), new, "bad_elision", m.start(), m.start() + len(new))


DAMAGES: dict[str, Damager] = {
    "merged_token": link_glue,
    "stray_capital": title_link,
    "missing_space": glued_punctuation,
    "quote_mismatch": odd_quotes,
    "duplicate_word": doubled_word,
    "word_order": swapped,
    "english_leak": english_left,
    "bad_elision": broken_elision,
}


def damage_half(sentences: list[str], rng: random.Random) -> list[Damage]:
    """Every other sentence damaged once, the types taken in turn (a type that does not fit a
    sentence passes to the next that does); the others left clean."""
    out: list[Damage] = []
    types = list(DAMAGES)
    turn = 0
    for i, s in enumerate(sentences):
        if i % 2 == 0:
            out.append(Damage(s, None))
            continue
        for t in types[turn % len(types) :] + types[: turn % len(types)]:
            d = DAMAGES[t](s, rng)
            if d is not None:
                out.append(d)
                break
        else:
            out.append(Damage(s, None))
        turn += 1
    return out
