"""Damage at tag edges, which machine translation of web pages leaves behind, found and repaired
in a page's French before translation.

- ``tag_glued``: a word glued to an inline element's edge (``<a>Kherson</a>sous``): the two
  make no word, each part is one. Repaired by a space at the edge.
- ``tag_in_word``: an element's edge inside a word (``Kher<a>son</a>``). The text is sound;
  the tag is carried onto whole English words anyway, so nothing is changed.
- ``tag_title_case``: an element's text opens mid-sentence with a capitalised common word
  (``qui <a>La Russie</a>``: an article, pronoun or conjunction), the capital of a linked
  title. Repaired by a lower-case letter.

The plain-text detectors (:mod:`mt.garble`) run over each block's text as well; every flag
carries its offsets in the HTML source (``Flag.html``).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from mt.garble import add_flags, check, repair
from mt.markup.page import Block, Page
from mt.records import Change, Flag, SentenceReport
from mt.text.lexicon import FR_STOP, zipf

_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = set(".!?:;«“\"'(…—–")
# place names whose article is part of the name and keeps its capital mid-sentence
_NAMED = {"haye", "caire", "havre", "mecque", "paz", "mans", "réunion", "rochelle", "plata"}
WORD_MIN = 3.0  # zipf frequency of a word each part of a glued pair must reach
KNOWN = 1.5  # zipf frequency (French or English) of a joined token that is a word or a name
# a capitalised word this common in lower case is a title's word (Le Monde), not a name
TITLE_WORD = 5.5


def _word_at(text: str, at: int) -> tuple[int, int]:
    """The letter run around offset ``at`` (letters on either side)."""
    a = at
    while a > 0 and text[a - 1].isalpha():
        a -= 1
    b = at
    while b < len(text) and text[b].isalpha():
        b += 1
    return a, b


def _is_word(word: str) -> bool:
    """A common word, or a capitalised one long enough to be a name."""
    return zipf(word.lower(), "fr") >= WORD_MIN or (word[:1].isupper() and len(word) > 3)


def _title_damage(following: str) -> bool:
    """Whether a capitalised article before ``following`` is a title's capital out of place:
    before a common word in lower case (``Le secrétaire``), or before a name that takes a
    lower-case article (``La Russie``), but not in a name or title of its own (``Le Monde``,
    ``La Haye``)."""
    if following[0].islower():
        return True
    low = following.lower()
    return low not in _NAMED and zipf(low, "fr") < TITLE_WORD


def tag_flags(block: Block) -> list[Flag]:
    """Flags at the edges of ``block``'s inline elements (offsets in the block's text)."""
    text = block.text
    flags: dict[tuple[str, int], Flag] = {}
    for span in block.spans:
        if span.opaque or span.end <= span.start:
            continue
        for edge in (span.start, span.end):
            if not (0 < edge < len(text) and text[edge - 1].isalpha() and text[edge].isalpha()):
                continue
            a, b = _word_at(text, edge)
            left, right, whole = text[a:edge], text[edge:b], text[a:b]
            if max(zipf(whole.lower(), "fr"), zipf(whole.lower(), "en")) >= KNOWN:
                flags[("tag_in_word", edge)] = Flag(
                    "tag_in_word",
                    a,
                    b,
                    whole,
                    f"the edge of <{span.tag}> falls inside the word '{whole}'",
                    0.6,
                    None,
                )
            elif _is_word(left) and _is_word(right):
                flags[("tag_glued", edge)] = Flag(
                    "tag_glued",
                    a,
                    b,
                    whole,
                    f"'{left}' and '{right}' glued at the edge of <{span.tag}>",
                    0.95 if zipf(right.lower(), "fr") >= WORD_MIN else 0.8,
                    f"{left} {right}",
                )
        m = _LETTERS.match(text, span.start)
        if m and m.group()[0].isupper() and m.end() <= span.end:
            word = m.group()
            before = text[: span.start].rstrip()
            following = _LETTERS.match(text, m.end() + 1)
            if (
                before
                and before[-1] not in _SENTENCE_END
                and word.lower() in FR_STOP
                and following is not None
                and _title_damage(following.group())
            ):
                flags[("tag_title_case", span.start)] = Flag(
                    "tag_title_case",
                    m.start(),
                    m.end(),
                    word,
                    f"<{span.tag}> opens mid-sentence with a capital: '{word}'",
                    0.85,
                    word.lower(),
                )
    return sorted(flags.values(), key=lambda f: f.start)


def source_map(source: str, page: Page) -> dict[tuple[Any, str], list[int]]:
    """For each text slot of the tree (element, ``text`` or ``tail``): the HTML source offset
    of each of its characters, where the slot's text is found in the source's text."""
    decoded: list[str] = []
    where: list[int] = []
    at = 0
    for m in re.finditer(
        r"<!--.*?(?:-->|\Z)|<[^>]*>?|&(?:#\d+|#[xX][0-9a-fA-F]+|\w+);?", source, re.S
    ):
        for k in range(at, m.start()):
            decoded.append(source[k])
            where.append(k)
        if m.group().startswith("&"):
            for c in html_lib.unescape(m.group()):
                decoded.append(c)
                where.append(m.start())
        at = m.end()
    for k in range(at, len(source)):
        decoded.append(source[k])
        where.append(k)
    stream = "".join(decoded)
    out: dict[tuple[Any, str], list[int]] = {}
    cursor = 0

    def visit(el: Any) -> Iterator[tuple[Any, str]]:
        yield el, "text"
        for child in el:
            yield from visit(child)
        yield el, "tail"

    for el, slot in visit(page.root):
        if slot == "text" and not isinstance(el.tag, str):
            continue  # a comment's own text is not the page's text
        value = el.text if slot == "text" else el.tail
        if not value or not value.strip():
            continue
        found = stream.find(value, cursor)
        if found >= 0:
            out[(el, slot)] = where[found : found + len(value)]
            cursor = found + len(value)
    return out


def _locate(block: Block, offsets: dict[tuple[Any, str], list[int]], i: int) -> int | None:
    if not block.origin:
        return None
    el, slot, k = block.origin[min(max(i, 0), len(block.origin) - 1)]
    found = offsets.get((el, slot))
    return found[k] if found and k < len(found) else None


def check_page(source: str, page: Page) -> list[SentenceReport]:
    """Garble reports for every sentence of every block, numbered through the page: the
    plain-text detectors' flags and those at tag edges, each flag with its HTML offsets and
    each report's ``start``/``end`` in the HTML source."""
    offsets = source_map(source, page)
    out: list[SentenceReport] = []
    blocks = [b for b in page.blocks if b.translatable]
    for block in blocks:
        for rep in add_flags(check(block.text), tag_flags(block)):
            flags = [
                replace(f, html=_span(block, offsets, rep.start + f.start, rep.start + f.end))
                for f in rep.flags
            ]
            start = _locate(block, offsets, rep.start)
            end = _locate(block, offsets, max(rep.end - 1, rep.start))
            out.append(
                replace(
                    rep,
                    index=len(out),
                    flags=flags,
                    start=start if start is not None else rep.start,
                    end=end + 1 if end is not None else rep.end,
                )
            )
    return out


def _span(
    block: Block, offsets: dict[tuple[Any, str], list[int]], a: int, b: int
) -> tuple[int, int] | None:
    start = _locate(block, offsets, a)
    end = _locate(block, offsets, max(b - 1, a))
    return (start, end + 1) if start is not None and end is not None else None


def repair_block(block: Block) -> list[Change]:
    """Apply the confident fixes to ``block``'s text (tag edges first, then the plain-text
    repairs), moving its spans with the text; returns the changes, in the old text's offsets."""
    # (reported change, what is applied: start, end, new text)
    edits: list[tuple[Change, tuple[int, int, str]]] = []
    for f in tag_flags(block):
        if f.suggestion is None or f.confidence < 0.8:
            continue
        change = Change(f.type, f.start, f.end, f.text, f.suggestion)
        if f.type == "tag_glued":  # a space inserted at the edge, outside the tag
            edge = f.start + f.suggestion.index(" ")
            edits.append((change, (edge, edge, " ")))
        else:
            edits.append((change, (f.start, f.end, f.suggestion)))
    taken = [(c.start, c.end) for c, _ in edits]
    fixed = repair(block.text)
    for c in fixed.changes:
        if c.type != "metadata" and not any(c.start <= b and c.end >= a for a, b in taken):
            edits.append((c, (c.start, c.end, c.after)))
    text = block.text
    for _, (start, end, new) in sorted(edits, key=lambda e: e[1][0], reverse=True):
        text = text[:start] + new + text[end:]
        delta = len(new) - (end - start)
        for s in block.spans:
            s.start = _moved(s.start, start, end, new, delta, is_start=True)
            s.end = _moved(s.end, start, end, new, delta, is_start=False)
    block.text = text
    block.origin = []  # offsets into the source no longer hold
    return sorted((c for c, _ in edits), key=lambda c: c.start)


def _moved(at: int, start: int, end: int, new: str, delta: int, *, is_start: bool) -> int:
    """Where offset ``at`` goes when ``[start, end)`` becomes ``new``."""
    if at > end or (at == end and end > start):
        return at + delta
    if at < start:
        return at
    if start == end:  # an insertion at the edge: the tag keeps to its own side
        return at + delta if is_start else at
    # inside a replaced stretch: keep the same distance from its start, within the new text
    return min(at, start + len(new))
