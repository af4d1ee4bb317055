"""Checking: every detector over every sentence, quote balance over the paragraph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from mt.garble.base import WORD
from mt.garble.calibration import calibrated
from mt.garble.quote_mismatch import UNBALANCED, unbalanced_quotes
from mt.garble.registry import DETECTORS
from mt.records import Flag, SegmentTranslation, SentenceReport
from mt.text.lexicon import detect_language
from mt.text.segment import segment, segment_lines, split_metadata

# garble_score at which a sentence is flagged: chosen on the dev halves of
# eval/garble_heldout.py (best F1 with at most 1.5 % of clean sentences flagged, the highest of
# equals); see docs/design/decisions.md, "Flag confidences are calibrated probabilities"
FLAG_THRESHOLD = 0.5

# sentences in, the model's mean log-probability of each one's translation out
Scorer = Callable[[Sequence[str]], Sequence[float | None]]


class Translates(Protocol):
    """Anything that translates segments into records with a ``logprob`` (an ``mt.Translator``)."""

    def translate_segments(self, segments: Sequence[str]) -> list[SegmentTranslation]: ...


def detector_flags(text: str) -> list[Flag] | None:
    """Every detector's flags on one sentence, with the detectors' own confidences (None: the
    sentence is not French, and is not checked)."""
    flags: list[Flag] = []
    meta, prose_at = split_metadata(text)
    if meta:
        flags.append(Flag("metadata", 0, len(meta), meta, "metadata glued to the text", 0.95, ""))
    language, confidence = detect_language(WORD.findall(text[prose_at:]))
    if language != "fr" and confidence >= 0.25:
        return None
    prose = text[prose_at:]
    for detect in DETECTORS.values():
        for f in detect(prose):
            flags.append(replace(f, start=f.start + prose_at, end=f.end + prose_at))
    # a compound's elision and capital are parts of its one error, with its one fix
    spans = [(f.start, f.end) for f in flags if f.type == "article_compound"]
    return [
        f
        for f in flags
        if f.type == "article_compound" or not any(a <= f.start and f.end <= b for a, b in spans)
    ]


def check_sentence(text: str, index: int = 0, start: int = 0) -> SentenceReport:
    """Run every detector on one sentence; flag confidences are calibrated probabilities."""
    flags = detector_flags(text)
    if flags is None:
        language = detect_language(WORD.findall(text[split_metadata(text)[1] :]))[0]
        return SentenceReport(index, text, 0.0, False, [], language, start, start + len(text))
    return with_flags(
        SentenceReport(index, text, 0.0, False, [], "fr", start, start + len(text)),
        [calibrated(f) for f in flags],
    )


def with_flags(report: SentenceReport, flags: list[Flag]) -> SentenceReport:
    """``report`` with ``flags`` (sorted), its garble score and verdict recomputed from them."""
    flags = sorted(flags, key=lambda f: (f.start, f.end))
    remaining = 1.0
    for f in flags:
        remaining *= 1 - f.confidence
    score = round(1 - remaining, 4)
    return replace(report, garble_score=score, flagged=score >= FLAG_THRESHOLD, flags=flags)


def add_flags(reports: list[SentenceReport], flags: Sequence[Flag]) -> list[SentenceReport]:
    """``reports`` with each of ``flags`` (offsets in the checked text, as the reports'
    ``start``) in the sentence it starts in; one over the same words as a detector's flag
    replaces it (an HTML page's tag-edge flags say more than the plain-text ones)."""
    if not flags:
        return reports
    out = []
    for rep in reports:
        mine = [
            replace(f, start=f.start - rep.start, end=f.end - rep.start)
            for f in flags
            if rep.start <= f.start < rep.end
        ]
        same = {(f.start, f.end) for f in mine}
        kept = [f for f in rep.flags if (f.start, f.end) not in same]
        out.append(with_flags(rep, [*kept, *mine]) if mine else rep)
    return out


def in_context(report: SentenceReport, source: SentenceReport) -> SentenceReport:
    """``report`` (a check of ``source``'s sentence after a repair) with the quote balance its
    document gave ``source``: whether a quotation mark is matched depends on the sentences
    around it, which a check of one sentence does not see."""
    kept = [f for f in report.flags if f.reason != UNBALANCED]
    if len(kept) == len(report.flags) or any(f.reason == UNBALANCED for f in source.flags):
        return report
    return with_flags(report, kept)


def check(
    text: str,
    *,
    segmented: bool = False,
    scorer: Scorer | None = None,
    translator: Translates | None = None,
) -> list[SentenceReport]:
    """Check French text sentence by sentence (or line by line with ``segmented=True``).

    Quote balance is judged over each paragraph (with ``segmented=True``, a run of lines
    between blank ones), so a quote may open and close in different sentences.

    With a ``scorer`` (sentences in, the model's mean log-probability of each one's translation
    out) or a ``translator`` (an :class:`mt.Translator`), each report also carries that score
    (``model_logprob``): low values point at sentences the model found hard.
    """
    reports = _check_segments(text, segmented)
    if scorer is None and translator is not None:
        scorer = translation_scorer(translator)
    if scorer is None:
        return reports
    scores = scorer([r.text for r in reports])
    return [
        replace(r, model_logprob=score if r.text.strip() else None)
        for r, score in zip(reports, scores, strict=True)
    ]


def translation_scorer(translator: Translates) -> Scorer:
    """A scorer from a translator: the mean log-probability of each sentence's translation."""
    return lambda texts: [t.logprob for t in translator.translate_segments(texts)]


def _check_segments(text: str, segmented: bool) -> list[SentenceReport]:
    paragraphs: list[list[SentenceReport]] = [[]]
    if segmented:
        pos = 0
        for i, line in enumerate(segment_lines(text)):
            if line.strip():
                paragraphs[-1].append(check_sentence(line, i, pos))
            else:  # a blank line ends a paragraph
                paragraphs.append([check_sentence(line, i, pos)])
                paragraphs.append([])
            pos += len(line) + 1
    else:
        for p in segment(text).paragraphs:
            paragraphs.append([])
            for s in p.sentences:
                begin = s.start
                if p.metadata and s is p.sentences[0]:
                    begin = p.start  # report the glued metadata with the sentence it sticks to
                paragraphs[-1].append(check_sentence(text[begin : s.end], 0, begin))
    paragraphs = [p for p in paragraphs if p]
    reports: list[SentenceReport] = []
    for n, para in enumerate(paragraphs):
        following = next((q[0].text.lstrip() for q in paragraphs[n + 1 :] if q[0].text.strip()), "")
        reports.extend(_balance_quotes(para, continued=following[:1] in ("«", "“")))
    if segmented:
        return reports  # indexed by input line, blank lines included
    return [replace(r, index=i) for i, r in enumerate(reports)]


def _balance_quotes(paragraph: list[SentenceReport], continued: bool) -> list[SentenceReport]:
    """Judge quote balance over the paragraph instead of sentence by sentence."""
    out = []
    context = unbalanced_quotes([r.text for r in paragraph], continued)
    for report, unmatched in zip(paragraph, context, strict=True):
        kept = [f for f in report.flags if f.reason != UNBALANCED]
        if report.language != "fr" or any(f.type == "quote_mismatch" for f in kept):
            unmatched = []  # not checked (another language), or its quotes already flagged
        if len(kept) == len(report.flags) and not unmatched:
            out.append(report)
        else:
            out.append(with_flags(report, kept + unmatched))
    return out
