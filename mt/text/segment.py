"""French-aware document segmentation: paragraphs, a glued metadata prefix, sentences.

Every piece keeps its character offsets into the input, so that callers can put the document
back together exactly (paragraph separators included) and point at spans.

A small rule-based splitter is used instead of a general library: pysbd's French mode splits
"J.-C." and "p. 12" apart and never splits inside quotation marks, which news prose needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Abbreviations that end with a full stop without ending a sentence (lower-cased, without the dot).
ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle mlles dr drs pr me mgr st ste sts stes ms mr mrs
    etc cf env av apr ap j.-c jc p pp vol chap art al éd ed coll fig no n° nos
    ex min max approx tél tel hab gén col cdt lt sgt adj réf ref vs s.a inc ltd co corp
    janv févr fév avr juil sept oct nov déc
    """.split()
)

_TERMINATOR = re.compile(r"[.!?…]+|\.\.\.")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“«(["
# A sentence may begin with an opening quote or dash, a capital, a digit.
_STARTER = re.compile(r"[\"'“«(\[–—-]?\s*[A-ZÀ-ÖØ-Þ0-9ÉÈÊÀÂÎÔÛÇ]")
_WORD_BEFORE = re.compile(r"([\w.\-'’°]+)$")
_METADATA = re.compile(
    r"""^\s*
    (?P<meta>
      (?:[a-zà-ÿ]+(?:[ _-][a-zà-ÿ]+){0,2}\s*:?\s*)       # a lower-case key: "date", "publié le"
      (?:\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2})?)?  # ISO date, month or timestamp
        |\d{1,2}/\d{1,2}/\d{2,4})
    )
    \s+(?=[\"“«A-ZÀ-ÖØ-Þ])""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its character offsets in the whole document."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A blank-line separated block; ``separator`` is the exact whitespace that followed it."""

    index: int
    text: str
    start: int
    end: int
    separator: str
    sentences: list[Sentence] = field(default_factory=list)
    metadata: str | None = None


@dataclass(frozen=True)
class Document:
    """A segmented document; ``leading`` is the whitespace before the first paragraph."""

    leading: str
    paragraphs: list[Paragraph]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]


def split_metadata(text: str) -> tuple[str | None, int]:
    """Find a metadata prefix such as ``date 2022-11`` glued to the start of the prose.

    Returns the prefix (or None) and the offset where the prose starts.
    """
    m = _METADATA.match(text)
    if not m:
        return None, 0
    return m.group("meta").strip(), m.end()


# characters before a full stop searched for the word it ends: more than any abbreviation or
# dotted acronym; searching from the paragraph's start would make each stop cost the paragraph's
# length
_ABBREVIATION_WINDOW = 40


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` closes an abbreviation or an initial."""
    lo = max(0, dot - _ABBREVIATION_WINDOW)
    m = _WORD_BEFORE.search(text, lo, dot)
    if not m:
        return False
    if m.start() == lo and lo > 0 and _WORD_BEFORE.match(text[lo - 1]):
        return False  # the word runs on before the window: too long to be an abbreviation
    word = m.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS or word.replace("’", "'") in ABBREVIATIONS:
        return True
    # single-letter initials ("J. Dupont", "U.S.") and dotted acronyms ("J.-C.", "N.B.")
    return (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:\w\.-?)+\w", word))


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split one paragraph of French prose into sentences, with offsets shifted by ``offset``."""
    out: list[Sentence] = []
    start = 0
    n = len(text)
    for m in _TERMINATOR.finditer(text):
        end = m.end()
        # swallow closing quotes/brackets, allowing French spacing ("? »")
        j = end
        while j < n:
            if text[j] in _CLOSERS:
                j += 1
                end = j
            elif text[j] in " \u00a0\u202f" and j + 1 < n and text[j + 1] in "»”":
                j += 1
            else:
                break
        if end >= n:
            break
        if not text[end].isspace():
            continue
        nxt = end
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt >= n or not _STARTER.match(text, nxt):
            continue
        if m.group() == "." and _is_abbreviation(text, m.start()):
            continue
        # a closing quote followed by "a déclaré" etc. starts lower-case, so it never gets here
        seg = text[start:end].strip()
        if seg:
            lead = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            out.append(Sentence(seg, offset + lead, offset + lead + len(seg)))
        start = nxt
    seg = text[start:].strip()
    if seg:
        lead = start + (len(text[start:]) - len(text[start:].lstrip()))
        out.append(Sentence(seg, offset + lead, offset + lead + len(seg)))
    return out


# a clause boundary: the space after a semicolon or a colon (the aligner cuts there, and the
# translator first when a sentence is too long for the model)
CLAUSE_BREAK = re.compile(r"(?<=[;:])\s+")

# a line end: LF, CRLF, or a CR alone (old Mac files)
_EOL = r"(?:\r\n|\r(?!\n)|\n)"
# a blank line; the "\r" of a CRLF line end belongs to the break, not to the paragraph
_PARA_BREAK = re.compile(rf"{_EOL}[ \t\f\v]*{_EOL}\s*")


def segment(text: str, *, sentences: bool = True) -> Document:
    """Segment a document into paragraphs (blank-line separated) and sentences.

    With ``sentences=False`` each paragraph is one segment (no sentence splitting).
    A metadata prefix glued to the first paragraph is kept apart in ``Paragraph.metadata``.
    """
    body_start = len(text) - len(text.lstrip())
    leading = text[:body_start]
    paragraphs: list[Paragraph] = []
    pos = body_start
    for m in [*_PARA_BREAK.finditer(text, body_start), None]:
        end = m.start() if m else len(text.rstrip())
        sep = m.group() if m else text[len(text.rstrip()) :]
        if end > pos or m is None:
            para = text[pos:end]
            meta, prose_at = (None, 0)
            if not paragraphs:
                meta, prose_at = split_metadata(para)
            prose = para[prose_at:]
            if sentences:
                sents = split_sentences(prose, pos + prose_at)
            else:
                stripped = prose.strip()
                lead = pos + prose_at + (len(prose) - len(prose.lstrip()))
                sents = [Sentence(stripped, lead, lead + len(stripped))] if stripped else []
            if para.strip():
                paragraphs.append(Paragraph(len(paragraphs), para, pos, end, sep, sents, meta))
        if m:
            pos = m.end()
    return Document(leading, paragraphs)


def segment_lines(text: str) -> list[str]:
    """One segment per input line (``--segmented``); blank lines stay as empty segments."""
    lines = re.split(_EOL, text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_end(text: str) -> str:
    """The line end to write segments of ``text`` back with: CRLF where it has them, CR where
    it has only those, else LF."""
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"
