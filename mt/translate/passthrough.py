"""What the model never reads: text without a letter, and tokens too long to be words.

Such text comes back as it is. Decoding it would cost the most and give the least: a run of
symbols or a 20,000-letter "word" makes the model write until its length limit, chunk after
chunk, and what it writes is noise.
"""

from __future__ import annotations

from collections.abc import Iterator

from mt.errors import InputError
from mt.records import SegmentTranslation

# characters: longer than any word of any language; a URL or an identifier this long is copied
LONGEST_TOKEN = 100
# characters of one segment (a sentence, or a line with --segmented): far beyond any sentence
MAX_SEGMENT_CHARS = 50_000

# a piece of a segment: whether the model translates it, and its text
Piece = tuple[bool, str]


def plan(segment: str) -> list[Piece]:
    """``segment`` as pieces: runs of words for the model, and what is copied as it is — the
    whole segment when it holds no letter, and every token over :data:`LONGEST_TOKEN`.

    Raises :class:`~mt.errors.InputError` for a segment over :data:`MAX_SEGMENT_CHARS`.
    """
    check_length(segment)
    if not segment.strip():
        return [(True, segment)]
    if not _has_letter(segment):
        return [(False, segment)]
    tokens = segment.split()
    if all(len(t) <= LONGEST_TOKEN for t in tokens):
        return [(True, segment)]
    pieces: list[Piece] = []
    run: list[str] = []
    for token in tokens:
        if len(token) <= LONGEST_TOKEN:
            run.append(token)
            continue
        if run:
            pieces.append(_words(" ".join(run)))
            run = []
        pieces.append((False, token))
    if run:
        pieces.append(_words(" ".join(run)))
    return pieces


def check_length(segment: str) -> None:
    """Refuse a segment over :data:`MAX_SEGMENT_CHARS` with :class:`~mt.errors.InputError`."""
    if len(segment) > MAX_SEGMENT_CHARS:
        raise InputError(
            f"a sentence of {len(segment):,} characters is over the limit of "
            f"{MAX_SEGMENT_CHARS:,}: the text has no sentence end for so long"
        )


def combine(pieces: list[Piece], translated: Iterator[SegmentTranslation]) -> SegmentTranslation:
    """One segment's translation from its pieces: the model's translations, in order, taken from
    ``translated``, and the copied pieces as they are."""
    if len(pieces) == 1 and pieces[0][0]:
        return next(translated)
    texts: list[str] = []
    records: list[SegmentTranslation] = []
    for translate, text in pieces:
        if translate:
            records.append(next(translated))
            texts.append(records[-1].translation)
        else:
            texts.append(" ".join(text.split()))
    tgt = sum(r.tgt_tokens for r in records)
    return SegmentTranslation(
        translation=" ".join(t for t in texts if t),
        logprob=round(sum(r.logprob * r.tgt_tokens for r in records) / max(tgt, 1), 4),
        src_tokens=sum(r.src_tokens for r in records),
        tgt_tokens=tgt,
        split_long=len(pieces) > 1,
        chunks=sum(r.chunks for r in records),
        repetition_guard=any(r.repetition_guard for r in records),
    )


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _words(text: str) -> Piece:
    return (_has_letter(text), text)
