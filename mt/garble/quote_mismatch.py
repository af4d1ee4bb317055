"""Quotation marks: a mark used against its direction (``d'”encourageante”``, ``“mot“``), a
quote opened with one kind of mark and closed with another (``«mot”``), a mark left unmatched."""

from __future__ import annotations

from mt.records import Flag

UNBALANCED = "unbalanced quotation marks"
WRONG_WAY = "a closing quotation mark used to open a quote"
WRONG_WAY_CLOSE = "an opening quotation mark used to close a quote"
TWO_KINDS = "a quote opened and closed with marks of two kinds"
# each mark's kind, and the way it faces (None: a straight mark faces both ways)
_MARKS: dict[str, tuple[str, str | None]] = {
    "«": ("guillemet", "open"),
    "»": ("guillemet", "close"),
    "“": ("curly", "open"),
    "”": ("curly", "close"),
    '"': ("straight", None),
}
_OPENER_OF = {"»": "«", "”": "“"}
_CLOSER_OF = {"«": "»", "“": "”"}


def _role(text: str, i: int) -> str | None:
    """What the mark at ``i`` does where it stands: opens a quote (a word starts right after it,
    none ends right before), closes one (the other way round), or cannot be told (spaced
    guillemets, a mark between words)."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    word_before = before.isalnum() or before in ".,;:!?…)]%"
    word_after = after.isalnum()
    if word_after and not word_before:
        return "open"
    if word_before and not word_after:
        return "close"
    return None


def detect(text: str) -> list[Flag]:
    flags: list[Flag] = []
    marks = [(i, c) for i, c in enumerate(text) if c in _MARKS]
    roles = [_role(text, i) or _MARKS[c][1] for i, c in marks]
    for (i, c), role in zip(marks, roles, strict=True):
        facing = _MARKS[c][1]
        if facing and role and facing != role:
            right = _OPENER_OF.get(c) or _CLOSER_OF[c]
            reason = WRONG_WAY if role == "open" else WRONG_WAY_CLOSE
            flags.append(Flag("quote_mismatch", i, i + 1, c, reason, 0.9, right))
    flagged = {f.start for f in flags}
    for k in range(len(marks) - 1):
        (i, a), (j, b) = marks[k], marks[k + 1]
        if roles[k] != "open" or roles[k + 1] != "close" or _MARKS[a][0] == _MARKS[b][0]:
            continue
        if i in flagged or j in flagged:
            continue  # a mark already flagged for its direction
        closer = _CLOSER_OF.get(a, '"')
        flags.append(Flag("quote_mismatch", j, j + 1, b, TWO_KINDS, 0.9, closer))
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
