"""Quotation marks: a closing mark used to open, « » mixed with “ ”, a mark left unmatched."""

from __future__ import annotations

import re

from mt.records import Flag

_QUOTE_CHARS = {"«": "fr", "»": "fr", "“": "en", "”": "en"}
UNBALANCED = "unbalanced quotation marks"
MIXED = "« » and “ ” mixed"
_QUOTE_AS_OPENER = re.compile(r"(?<=[A-Za-z])['’]”")


def detect(text: str) -> list[Flag]:
    flags = []
    for m in _QUOTE_AS_OPENER.finditer(text):
        flags.append(
            Flag(
                "quote_mismatch",
                m.start() + 1,
                m.end(),
                m.group()[1:],
                "closing quotation mark used to open a quote",
                0.9,
                "“",  # the opening mark of the same style: the sentence keeps its quotes
            )
        )
    styles = {_QUOTE_CHARS[c] for c in text if c in _QUOTE_CHARS}
    if len(styles) > 1:
        i = next(i for i, c in enumerate(text) if c in "“”")
        if not any(f.start == i for f in flags):
            flags.append(Flag("quote_mismatch", i, i + 1, text[i], MIXED, 0.8, None))
    if not flags:
        flags.extend(unbalanced_quotes([text])[0])
    return flags


def unbalanced_quotes(sentences: list[str], continued: bool = False) -> list[list[Flag]]:
    """Flags for quotation marks left unmatched in a paragraph, one list per sentence.

    A quote may open in one sentence and close in a later one of the same paragraph; one left
    open at the paragraph's end is news style when the next paragraph opens a quote again
    (``continued``), the quote running on.
    """
    out: list[list[Flag]] = [[] for _ in sentences]
    for open_, close in (("«", "»"), ("“", "”")):
        opened: list[tuple[int, int]] = []  # (sentence, offset) of the quotes still open
        for k, text in enumerate(sentences):
            for i, c in enumerate(text):
                if c == open_:
                    opened.append((k, i))
                elif c == close:
                    if opened:
                        opened.pop()
                    else:
                        out[k].append(Flag("quote_mismatch", i, i + 1, c, UNBALANCED, 0.35))
        if not (continued and opened):
            for k, i in opened:
                out[k].append(Flag("quote_mismatch", i, i + 1, open_, UNBALANCED, 0.35))
    # one flag a sentence is enough: the score counts each flag as independent evidence
    return [f[:1] for f in out]
