"""Translated segments put back into their document: records and paragraph structure."""

from __future__ import annotations

from collections.abc import Sequence

from mt.records import DocumentTranslation, SegmentTranslation, SentenceTranslation
from mt.text.segment import Document


def record(
    paragraph: int, sentence: int, source: str, start: int, end: int, seg: SegmentTranslation
) -> SentenceTranslation:
    return SentenceTranslation(
        paragraph=paragraph,
        sentence=sentence,
        source=source,
        translation=seg.translation,
        logprob=seg.logprob,
        src_tokens=seg.src_tokens,
        tgt_tokens=seg.tgt_tokens,
        split_long=seg.split_long,
        chunks=seg.chunks,
        repetition_guard=seg.repetition_guard,
        start=start,
        end=end,
    )


def assemble(doc: Document, results: Sequence[SegmentTranslation]) -> DocumentTranslation:
    """Put translated sentences back into the document's paragraph structure."""
    records: list[SentenceTranslation] = []
    parts = [doc.leading]
    k = 0
    for p in doc.paragraphs:
        english = []
        for i, s in enumerate(p.sentences):
            rec = record(p.index, i, s.text, s.start, s.end, results[k])
            k += 1
            records.append(rec)
            english.append(rec.translation)
        body = " ".join(e for e in english if e)
        if p.metadata:
            body = f"{p.metadata} {body}" if body else p.metadata
        parts.append(body + p.separator)
    return DocumentTranslation(
        "".join(parts), records, doc.paragraphs[0].metadata if doc.paragraphs else None
    )
