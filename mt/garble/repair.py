"""Repair: apply the fixes of confident flags, from the end of the text so offsets stay valid."""

from __future__ import annotations

from mt.garble.check import check
from mt.garble.quote_mismatch import TWO_KINDS
from mt.records import Change, Repair, SentenceReport
from mt.text.segment import split_metadata

REPAIRABLE = frozenset(
    {
        "merged_token",
        "bad_elision",
        "quote_mismatch",
        "missing_space",
        "duplicate_word",
        "qui_subject",
        "article_compound",
        "metadata",
    }
)


def repair(text: str, *, min_confidence: float = 0.8) -> Repair:
    """Apply the high-confidence fixes (merged tokens, elision, quotes, spacing, repeated words,
    "qui" before a new subject, metadata)."""
    edits: list[Change] = []
    metadata = None
    for rep in check(text):
        # first, so that in a sentence of mixed styles they win over a single quote fix
        edits.extend(_normalise_quotes(text, rep))
        for f in rep.flags:
            if f.type not in REPAIRABLE or f.confidence < min_confidence or f.suggestion is None:
                continue
            start, end = rep.start + f.start, rep.start + f.end
            after = f.suggestion
            if f.type == "metadata":
                metadata = f.text
                end = rep.start + split_metadata(rep.text)[1]  # the metadata and its space
                after = ""
            edits.append(Change(f.type, start, end, text[start:end], after))
    edits = _non_overlapping(edits)
    out = text
    for c in sorted(edits, key=lambda c: c.start, reverse=True):
        out = out[: c.start] + c.after + out[c.end :]
    return Repair(out, sorted(edits, key=lambda c: c.start), metadata)


def _normalise_quotes(text: str, rep: SentenceReport) -> list[Change]:
    """Turn “ ” into « » (French quotation marks) in a sentence where a quote mixes kinds."""
    if not any(f.reason == TWO_KINDS for f in rep.flags):
        return []
    openers = {f.start for f in rep.flags if f.suggestion == "“"}  # a ” that opens a quote
    changes = []
    for i, c in enumerate(rep.text):
        if c in "“”":
            pos = rep.start + i
            after = "« " if c == "“" or i in openers else " »"
            # one space inside the marks, as French writes them, not two
            if after == "« " and rep.text[i + 1 : i + 2].isspace():
                after = "«"
            elif after == " »" and rep.text[i - 1 : i].isspace():
                after = "»"
            changes.append(Change("quote_mismatch", pos, pos + 1, c, after))
    return changes


def _non_overlapping(edits: list[Change]) -> list[Change]:
    kept: list[Change] = []
    for c in sorted(edits, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and c.start < kept[-1].end:
            continue
        kept.append(c)
    return kept
