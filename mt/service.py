"""The pipeline service: what the CLI, the server and batch jobs all run.

A :class:`Service` holds one :class:`~mt.options.Options` and runs every stage with it:
translate, check, repair, align, and :meth:`Service.process` — the one document loop (check →
repair → translate → align to a reference → score). Models are loaded once per process, on
first use, and shared by every service and thread that asks for the same ones.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, overload

from mt.align import align
from mt.align.embed import BUNDLED_EMBEDDER, Embedder, is_embedder_dir
from mt.errors import InputError, ModelNotFoundError, MTError
from mt.garble import check, check_sentence, repair, translation_scorer
from mt.options import Options
from mt.pipeline import MemoryCache, run_document
from mt.records import (
    Change,
    DocumentResult,
    DocumentTranslation,
    Flag,
    Link,
    PageRecord,
    PageTranslation,
    Repair,
    SentenceReport,
    TranslationScore,
)
from mt.score import Calibration, load_calibration, reference_metrics, score_sentence
from mt.score.estimator import Estimator, load_estimator, pair_signals
from mt.translate import ProgressFn, SegmentCache, Translator
from mt.translate.models import resolve

# the process's models: one Translator per model and decoding options, one encoder per folder
_TRANSLATORS: dict[tuple[Any, ...], Translator] = {}
_EMBEDDERS: dict[tuple[str, int | None], Embedder] = {}
_LOCK = threading.Lock()


def _translator_key(options: Options) -> tuple[Any, ...]:
    return (
        str(resolve(options.model)),
        options.backend,
        options.beam,
        options.threads,
        options.vmap,
        options.fix_untranslated,
        options.add_stop,
        options.capitalise,
    )


def load_translator(options: Options) -> Translator:
    """The process's :class:`Translator` for ``options`` (loaded on first use)."""
    key = _translator_key(options)
    with _LOCK:
        if key not in _TRANSLATORS:
            _TRANSLATORS[key] = Translator(
                options.model,
                beam=options.beam,
                threads=options.threads,
                backend=options.backend,
                vmap=options.vmap,
                fix_untranslated=options.fix_untranslated,
                add_stop=options.add_stop,
                capitalise=options.capitalise,
            )
        return _TRANSLATORS[key]


def embedder_path(options: Options) -> Path | None:
    """The sentence encoder ``options`` ask for: their folder, the bundled one when installed,
    or None (vectors off, or no encoder installed)."""
    if options.embedder is not None:
        return Path(options.embedder)
    if options.embed and is_embedder_dir(BUNDLED_EMBEDDER):
        return BUNDLED_EMBEDDER
    return None


def load_embedder(options: Options) -> Embedder | None:
    """The process's sentence encoder for ``options`` (loaded on first use), or None."""
    path = embedder_path(options)
    if path is None:
        return None
    key = (str(path), options.threads)
    with _LOCK:
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = Embedder(path, threads=options.threads)
        return _EMBEDDERS[key]


class Service:
    """Runs the pipeline with one set of options; safe to share between threads."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self._calibration: Calibration | None = None
        # kept once found: finding them again reads the model folders' files
        self._translator: Translator | None = None
        self._embedder: tuple[Embedder | None] | None = None
        self.load_seconds: float | None = None  # how long finding the translator took
        self._estimator: tuple[Estimator | None] | None = None

    @property
    def translator(self) -> Translator:
        """The translation model, loaded on first use."""
        if self._translator is None:
            start = time.perf_counter()
            self._translator = load_translator(self.options)
            self.load_seconds = time.perf_counter() - start
        return self._translator

    def loaded_model(self) -> Path | None:
        """The translation model's folder once it is loaded (None before: nothing is loaded)."""
        if self._translator is None:
            try:
                found = _TRANSLATORS.get(_translator_key(self.options))
            except MTError:  # no such model: nothing of it is loaded
                return None
        else:
            found = self._translator
        return found.path if found else None

    @property
    def embedder(self) -> Embedder | None:
        """The sentence encoder for alignment (None: off or not installed), loaded on first use."""
        if self._embedder is None:
            self._embedder = (load_embedder(self.options),)
        return self._embedder[0]

    @property
    def calibration(self) -> Calibration:
        """The quality score's calibration, from the model directory (read once)."""
        if self._calibration is None:
            self._calibration = load_calibration(resolve(self.options.model))
        return self._calibration

    def translate(
        self, texts: Sequence[str], *, segmented: bool = False, progress: ProgressFn | None = None
    ) -> list[DocumentTranslation]:
        """Translate documents, each keeping its paragraph structure (or its lines)."""
        return self.translator.translate_documents(texts, segmented=segmented, progress=progress)

    def translate_html(
        self,
        sources: Sequence[str],
        *,
        attributes: bool = False,
        progress: ProgressFn | None = None,
        cache: SegmentCache | None = None,
    ) -> list[PageTranslation]:
        """Translate HTML pages keeping their markup (:mod:`mt.markup`); with the ``repair``
        option, each block's French is repaired first. ``attributes`` translates ``alt`` and
        ``title`` too."""
        from mt.markup import translate_pages

        return translate_pages(
            self.translator,
            sources,
            attributes=attributes,
            repair=self.options.repair,
            cache=cache,
            progress=progress,
        )

    def check_html(self, source: str) -> list[SentenceReport]:
        """Garble reports for each sentence of an HTML page, tag-edge damage included, with
        offsets in the HTML source (:func:`mt.markup.checks.check_page`)."""
        from mt.markup.checks import check_page
        from mt.markup.page import parse

        return check_page(source, parse(source))

    def repair_html(self, source: str) -> tuple[str, list[tuple[int, Change]]]:
        """An HTML page with its confident fixes applied to each block's French (markup kept),
        and the changes as (block, change) with offsets in the block's text."""
        from mt.markup.checks import repair_block
        from mt.markup.page import parse
        from mt.markup.project import Placement
        from mt.markup.render import rewrite

        page = parse(source)
        changes = []
        for n, block in enumerate(b for b in page.blocks if b.translatable):
            found = repair_block(block)
            if found:
                changes += [(n, c) for c in found]
                kept = [
                    Placement(s.tag, s.start, s.end, s.start, s.end, "links") for s in block.spans
                ]
                rewrite(block, block.text, kept)
        return page.serialize(), changes

    def alternatives(self, text: str, n: int) -> tuple[DocumentTranslation, list[str]]:
        """The best translation of ``text`` and up to ``n`` others from the beam's next-best
        hypotheses (:func:`mt.translate.nbest.alternatives`)."""
        from mt.translate.nbest import alternatives

        return alternatives(self.translator, text, n)

    def check(
        self, text: str, *, segmented: bool = False, score: bool = False
    ) -> list[SentenceReport]:
        """Garble reports per sentence; with ``score``, the model's log-probability of each."""
        scorer = translation_scorer(self.translator) if score else None
        return check(text, segmented=segmented, scorer=scorer)

    def repair(self, text: str) -> Repair:
        """The text with its confident garble fixes applied."""
        return repair(text)

    def align(
        self, fr: Sequence[str], en: Sequence[str], *, clauses: bool = True, score: bool = False
    ) -> list[Link]:
        """Links between French and English sentences; with ``score``, the translation model
        places the sentences the aligner leaves unmatched."""
        scorer = self.translator.score_pairs if score else None
        return align(fr, en, scorer=scorer, embedder=self.embedder, clauses=clauses)

    @property
    def estimator(self) -> Estimator | None:
        """The model's learned quality estimator (None: its directory has none), read once."""
        if self._estimator is None:
            found = None
            if self.options.estimate:
                found = load_estimator(self.translator.path, self.options.agreement)
                if found is None and self.options.agreement:
                    raise ModelNotFoundError(
                        f"{self.translator.path} has no estimator that reads the model's "
                        "agreement (qe-agreement.json): fit one with scripts/train_qe.py"
                    )
            self._estimator = (found,)
        return self._estimator[0]

    def score_translations(
        self,
        fr: Sequence[str],
        en: Sequence[str],
        references: Sequence[str] | None = None,
    ) -> list[TranslationScore]:
        """Estimate the quality of each English sentence as a translation of its French one,
        whatever system translated it; with ``references``, chrF against each is reported
        and averaged into the quality, as ``mt run`` does."""
        if len(fr) != len(en) or (references is not None and len(references) != len(fr)):
            sizes = [len(fr), len(en)] + ([len(references)] if references is not None else [])
            raise InputError(f"the files must have as many lines: {', '.join(map(str, sizes))}")
        garbles = [check_sentence(f).garble_score for f in fr]
        estimator = self.estimator
        found = pair_signals(
            self.translator,
            fr,
            en,
            garbles,
            with_agreement=estimator is not None and estimator.needs_agreement,
        )
        estimates = estimator.estimate(found) if estimator else [None] * len(fr)
        out = []
        for k, (f, e, s, est) in enumerate(zip(fr, en, found, estimates, strict=True)):
            ref = references[k] if references is not None and references[k].strip() else None
            metrics = reference_metrics(e, ref) if ref and e.strip() else None
            score = score_sentence(
                f,
                e,
                logprob=s.values["logprob"],
                garble_score=garbles[k],
                reference_scores=metrics,
                calibration=self.calibration,
                estimate=est if f.strip() else None,
            )
            spans = est.spans if est else []
            chrf = metrics["chrf"] if metrics else None
            out.append(
                TranslationScore(
                    k, f, e, score.quality, score.flagged, score.reasons, spans, s.values, chrf
                )
            )
        return out

    def process(
        self,
        text: str,
        *,
        name: str = "document",
        reference: str | None = None,
        cache: SegmentCache | None = None,
        format: str = "text",
    ) -> DocumentResult:
        """One document through the whole pipeline; ``cache`` serves sentences translated
        before (a :class:`mt.store.Store`). ``format`` is ``text`` or ``html`` (a page: its
        blocks are the paragraphs, and the result keeps the page and its translation)."""
        if format == "html":
            return self._process_page(text, name=name, reference=reference, cache=cache)
        if format != "text":
            raise InputError(f"unknown input format '{format}' (choose text or html)")
        return run_document(
            text,
            self.translator,
            name=name,
            reference=reference,
            repair_source=self.options.repair,
            cache=cache,
            calibration=self.calibration,
            embedder=self.embedder if reference is not None and reference.strip() else None,
            estimator=self.estimator,
        )

    def _process_page(
        self, source: str, *, name: str, reference: str | None, cache: SegmentCache | None
    ) -> DocumentResult:
        from mt.markup.checks import tag_flags
        from mt.markup.page import parse

        memory = MemoryCache(cache)
        [page] = self.translate_html([source], cache=memory)
        french = [fr for fr, _ in page.blocks]
        text = "\n\n".join(french)
        # where each block starts in the text the pipeline reads: blocks joined by blank lines
        starts = list(itertools.accumulate((len(f) + 2 for f in french), initial=0))[:-1]
        flags: list[Flag] = []
        reasons: list[tuple[int, str]] = []
        if page.changes:
            shift = dict.fromkeys(range(len(french)), 0)  # each block's growth so far
            for n, c in page.changes:  # in order within each block: where it now stands
                at = starts[n] + c.start + shift[n]
                shift[n] += len(c.after) - len(c.before)
                reasons.append(
                    (at, f"source repaired before translation: '{c.before}' → '{c.after}'")
                )
        else:  # the tag-edge damage of the page as it came (a repair removes what it fixed)
            blocks = [b for b in parse(source).blocks if b.translatable]
            for n, block in enumerate(blocks):
                flags += [
                    replace(f, start=f.start + starts[n], end=f.end + starts[n])
                    for f in tag_flags(block)
                ]
        result = run_document(
            text,
            self.translator,
            name=name,
            reference=reference,
            repair_source=False,
            cache=memory,
            calibration=self.calibration,
            embedder=self.embedder if reference is not None and reference.strip() else None,
            estimator=self.estimator,
            extra_flags=flags,
            extra_reasons=reasons,
        )
        summary = dict(result.summary, cache_hits=memory.hits)
        record = PageRecord(source, page.html, [asdict(t) for t in page.tags], page.warnings())
        return replace(result, summary=summary, page=record)

    def run_settings(self, *, references: bool) -> dict[str, Any]:
        """What a stored run records: the options and what they resolved to — the model, the
        quality calibration (scores under different calibrations do not compare) and the
        sentence encoder that aligned documents to their ``references``."""
        options = self.options
        tr = self.translator
        encoder = embedder_path(options) if references else None
        return {
            "options": options.to_dict(),
            "options_key": options.key(),
            "model": str(tr.path),
            "backend": options.backend,
            "beam": options.beam,
            "repair": options.repair,
            "vmap": getattr(tr.backend, "use_vmap", False),
            "fix_untranslated": options.fix_untranslated,
            "calibration": asdict(self.calibration),
            "estimator": self.estimator.fingerprint if self.estimator else None,
            "embedder": str(encoder) if encoder else None,
        }


@overload
def translate(
    text: str,
    *,
    model: str | Path | None = ...,
    beam: int = ...,
    backend: str | None = ...,
    threads: int | None = ...,
    vmap: bool = ...,
    fix_untranslated: bool = ...,
    add_stop: bool = ...,
    capitalise: bool = ...,
) -> str: ...
@overload
def translate(
    text: list[str],
    *,
    model: str | Path | None = ...,
    beam: int = ...,
    backend: str | None = ...,
    threads: int | None = ...,
    vmap: bool = ...,
    fix_untranslated: bool = ...,
    add_stop: bool = ...,
    capitalise: bool = ...,
) -> list[str]: ...
def translate(
    text: str | list[str],
    *,
    model: str | Path | None = None,
    beam: int = 4,
    backend: str | None = None,
    threads: int | None = None,
    vmap: bool = True,
    fix_untranslated: bool = True,
    add_stop: bool = True,
    capitalise: bool = True,
) -> str | list[str]:
    """Translate French to English.

    A string is translated as a document and keeps its paragraph structure; a list gives one
    translated document per item. The model is loaded once per process and options.
    """
    if not isinstance(text, str | list):
        raise InputError(
            f"translate() takes a string or a list of strings, not {type(text).__name__}"
        )
    single = isinstance(text, str)
    texts = [text] if isinstance(text, str) else text
    if any(not isinstance(t, str) for t in texts):
        raise InputError("translate() takes a string or a list of strings")
    if not any(t.strip() for t in texts):
        return "" if single else ["" for _ in texts]
    options = Options(
        model=str(model) if model is not None else None,
        beam=beam,
        threads=threads,
        vmap=vmap,
        fix_untranslated=fix_untranslated,
        add_stop=add_stop,
        capitalise=capitalise,
    )
    if backend is not None:
        options = options.with_(backend=backend)
    docs = Service(options).translate(texts)
    return docs[0].text if single else [d.text for d in docs]


def score_translations(
    fr: Sequence[str],
    en: Sequence[str],
    *,
    references: Sequence[str] | None = None,
    model: str | Path | None = None,
    backend: str | None = None,
) -> list[TranslationScore]:
    """Estimate the quality of each English sentence of ``en`` as a translation of the French
    sentence at the same place in ``fr``, whatever system made it (see
    :meth:`Service.score_translations`). ``model`` is the translation model whose judgement
    (and fitted estimator) is used."""
    for name, items in (("fr", fr), ("en", en), ("references", references or [])):
        if isinstance(items, str) or any(not isinstance(x, str) for x in items):
            raise InputError(f"score_translations() takes lists of strings ({name})")
    options = Options(model=str(model) if model is not None else None)
    if backend is not None:
        options = options.with_(backend=backend)
    return Service(options).score_translations(list(fr), list(en), references)
