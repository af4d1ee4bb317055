"""The document pipeline: check → (repair) → translate → align to a reference → score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from mt.align import align
from mt.garble import FLAG_THRESHOLD, add_flags, check, check_sentence, in_context, repair
from mt.records import (
    DocumentResult,
    Flag,
    SegmentTranslation,
    SentenceResult,
)
from mt.score import Calibration, load_calibration, reference_metrics, score_sentence
from mt.score.estimator import Estimate, Estimator, pair_signals, unlikely_spans
from mt.text.segment import segment, split_metadata
from mt.translate import SegmentCache, Translator

if TYPE_CHECKING:
    from mt.align.embed import Embedder

__all__ = ["DocumentResult", "SentenceResult", "run_document", "summarise"]


def summarise(sentences: list[SentenceResult]) -> dict[str, Any]:
    """Mean quality, worst sentences and counts by flag type."""
    scored = [s for s in sentences if s.source.strip()]
    qualities = [s.quality for s in scored]
    flag_types = Counter(f["type"] for s in scored for f in s.flags)
    worst = sorted(scored, key=lambda s: s.quality)[:5]
    summary: dict[str, Any] = {
        "sentences": len(scored),
        "flagged": sum(s.flagged for s in scored),
        "mean_quality": round(sum(qualities) / len(qualities), 4) if qualities else None,
        "flag_types": dict(flag_types),
        "worst": [s.index for s in worst],
    }
    with_ref = [s.metrics["chrf"] for s in scored if "chrf" in s.metrics]
    if with_ref:
        summary["mean_chrf"] = round(sum(with_ref) / len(with_ref), 4)
    return summary


def run_document(
    text: str,
    translator: Translator,
    *,
    name: str = "document",
    reference: str | None = None,
    repair_source: bool = False,
    cache: SegmentCache | None = None,
    calibration: Calibration | None = None,
    embedder: Embedder | None = None,
    estimator: Estimator | None = None,
    extra_flags: Sequence[Flag] = (),
    extra_reasons: Sequence[tuple[int, str]] = (),
) -> DocumentResult:
    """Process one French document (and optionally its English reference).

    ``cache`` (e.g. a :class:`mt.store.Store`) serves sentences translated before;
    ``calibration`` defaults to the model directory's (:func:`mt.score.load_calibration`).
    ``embedder`` (e.g. :func:`mt.align.embed.bundled_embedder`) adds sentence vectors to the alignment
    with the reference. ``estimator`` (:func:`mt.score.estimator.load_estimator`) scores each
    sentence from its signals. ``extra_flags`` (offsets in ``text``) join the garble
    check's, in the sentence they start in; ``extra_reasons`` are (offset in ``text``, reason)
    given to the sentence holding the offset (an HTML page's tag-edge flags and repairs).
    """
    calibration = calibration or load_calibration(translator.path)
    reports = add_flags(check(text), extra_flags)
    paragraphs = [p.index for p in segment(text).paragraphs for _ in p.sentences]
    metadata = None
    prose = []
    for rep in reports:
        meta, at = split_metadata(rep.text)
        if meta and rep.index == 0:
            metadata = meta
        prose.append(rep.text[at:] if meta else rep.text)
    repairs = [repair(p) if repair_source else None for p in prose]
    repaired = [r.text if r is not None else p for r, p in zip(repairs, prose, strict=True)]
    counting = MemoryCache(cache) if cache is not None else None
    translated = translator.translate_segments(repaired, cache=counting)

    refs: list[str | None] = [None] * len(reports)
    link_metrics: list[dict[str, float]] = [{} for _ in reports]
    if reference is not None and reference.strip():
        en = [s.text for s in segment(reference).sentences]
        # the model places sentences the aligner leaves unmatched; its translations' word
        # overlap is not passed: on the gold books it did not help (eval/align.py --translate)
        links = align(repaired, en, scorer=translator.score_pairs, embedder=embedder)
        for link in links:
            if not link.fr or not link.en:
                continue  # nothing in the reference for these sentences: no reference score
            joined_ref = " ".join(en[j] for j in link.en)
            joined_hyp = " ".join(translated[i].translation for i in link.fr)
            metrics = reference_metrics(joined_hyp, joined_ref)
            for i in link.fr:
                refs[i] = joined_ref
                link_metrics[i] = metrics

    # the garble of what was translated: a header split off or a repair made is no longer
    # damage the translation suffers (the source's own flags stay in the record)
    garbles = [
        in_context(check_sentence(repaired[k]), rep).garble_score
        if repaired[k] != rep.text
        else rep.garble_score
        for k, rep in enumerate(reports)
    ]
    estimates: list[Estimate | None] = [None] * len(reports)
    if estimator is not None:
        todo = [k for k in range(len(reports)) if repaired[k].strip()]
        fr = [repaired[k] for k in todo]
        found = pair_signals(
            translator,
            fr,
            [translated[k].translation for k in todo],
            [garbles[k] for k in todo],
            logprobs=[translated[k].logprob for k in todo],
            with_agreement=estimator.needs_agreement,
        )
        for k, est in zip(todo, estimator.estimate(found), strict=True):
            estimates[k] = est
    sentences = []
    blamed = []  # flagged sentences whose score blames the model's confidence
    for k, (rep, seg) in enumerate(zip(reports, translated, strict=True)):
        translated_garble = garbles[k]
        score = score_sentence(
            repaired[k],
            seg.translation,
            logprob=seg.logprob,
            garble_score=translated_garble,
            reference_scores=link_metrics[k] or None,
            calibration=calibration,
            estimate=estimates[k],
        )
        reasons = [r for at, r in extra_reasons if rep.start <= at < max(rep.end, rep.start + 1)]
        reasons += score.reasons
        fixed = repairs[k]
        if fixed is not None and fixed.changes:
            done = ", ".join(f"'{c.before}' → '{c.after}'" for c in fixed.changes)
            reasons.insert(0, f"source repaired before translation: {done}")
        flagged = score.flagged or translated_garble >= FLAG_THRESHOLD
        if flagged and score.blames_confidence:
            blamed.append(k)
        sentences.append(
            SentenceResult(
                index=k,
                paragraph=paragraphs[k] if k < len(paragraphs) else 0,
                source=rep.text,
                repaired=repaired[k],
                translation=seg.translation,
                reference=refs[k],
                logprob=seg.logprob,
                garble_score=rep.garble_score,
                quality=score.quality,
                flagged=flagged,
                reasons=reasons,
                flags=[asdict(f) for f in rep.flags],
                metrics=score.signals,
            )
        )
    # the English words the model found unlikely, by forced decoding (decoding gave one score
    # per sentence, not per token)
    if blamed:
        marked = unlikely_spans(
            translator, [repaired[k] for k in blamed], [sentences[k].translation for k in blamed]
        )
        for k, spans in zip(blamed, marked, strict=True):
            sentences[k] = replace(sentences[k], unlikely=spans)
    summary = summarise(sentences)
    summary["cache_hits"] = counting.hits if counting else 0
    return DocumentResult(name, metadata, sentences, summary)


class MemoryCache:
    """Segments translated in this process, in front of another cache (or none); counts what
    the other cache served."""

    def __init__(self, inner: SegmentCache | None = None) -> None:
        self.inner = inner
        self.items: dict[tuple[str, str], SegmentTranslation] = {}
        self.hits = 0

    def get_many(self, settings: str, keys: list[str]) -> dict[str, SegmentTranslation]:
        found = {k: self.items[(settings, k)] for k in keys if (settings, k) in self.items}
        rest = [k for k in keys if k not in found]
        if rest and self.inner is not None:
            more = self.inner.get_many(settings, rest)
            self.hits += len(more)
            for k, v in more.items():
                self.items[(settings, k)] = v
            found.update(more)
        return found

    def put_many(self, settings: str, items: dict[str, SegmentTranslation]) -> None:
        for k, v in items.items():
            self.items[(settings, k)] = v
        if self.inner is not None:
            self.inner.put_many(settings, items)
