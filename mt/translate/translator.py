"""The :class:`Translator`: one loaded MarianMT model with explicit decoding options.

Long sentences are split at clause boundaries (never truncated), output length is bounded
relative to the source, repetition loops are re-decoded, identical segments within a call are
translated once, and every sentence gets a length-normalised log-probability.
"""

from __future__ import annotations

import hashlib
import math
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

from mt.errors import InputError, ModelNotFoundError, MTError
from mt.records import DocumentTranslation, SegmentTranslation
from mt.text.segment import line_end, segment, segment_lines
from mt.translate import forced, passthrough, protect
from mt.translate.attention import AttendedDocument, TokenAttention, from_decoding
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND, Backend, make_backend
from mt.translate.batching import has_loop, length_batches, split_to_fit
from mt.translate.document import assemble, record
from mt.translate.models import resolve
from mt.translate.prepare import (
    capitalise_start,
    drop_stop,
    join_open_quotes,
    needs_stop,
    normalise,
    source_preparation,
    split_elisions,
    split_open_marks,
    tidy_start,
)
from mt.translate.untranslated import fix, fix_key

ProgressFn = Callable[[int], None]
# one decoded chunk: its text, output ids, source ids, whether the loop guard redid it, its
# mean log-probability, and the cross-attention decoding read (when asked for)
_Unit = tuple[str, list[int], list[int], bool, float, np.ndarray | None]


class SegmentCache(Protocol):
    """Storage for translations of normalised segments, per translator settings."""

    def get_many(self, settings: str, keys: list[str]) -> dict[str, SegmentTranslation]: ...

    def put_many(self, settings: str, items: dict[str, SegmentTranslation]) -> None: ...


class Translator:
    """A loaded MarianMT model with explicit decoding options.

    ``model`` is a directory, a bundled model name, or a hub id in the local Hugging Face cache
    (see :func:`mt.translate.models.resolve`); None means ``MT_MODEL`` or the bundled default.
    ``max_batch_tokens`` bounds source tokens × beam per batch; None means 4096 on torch and
    1024 on ct2 (CTranslate2 keeps its peak buffers, so smaller batches keep its memory down).
    ``vmap`` lets the ct2 backend decode over the model's vocabulary map (``vmap.txt``, see
    ``scripts/build_vmap.py``) when it has one, which pays on large vocabularies.
    ``fix_untranslated`` replaces the French words a translation kept as they were when the
    bundled word table knows their English (:func:`mt.translate.untranslated.fix`: "Moscou" → "Moscow").
    ``add_stop`` gives a segment without a final mark (:func:`needs_stop`) a full stop for the
    model and takes it off the translation: the model learned sentences ("Bonjour" →
    "Bonjourn", "Bonjour." → "Good morning."). ``capitalise`` lets the
    model read a segment that starts in lower case with a capital (:func:`capitalise_start`:
    "bonjour." → "Goodbye.", "Bonjour." → "Good morning.").
    Safe to share between threads for translation calls.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        beam: int = 4,
        threads: int | None = None,
        backend: str = DEFAULT_BACKEND,
        max_batch_tokens: int | None = None,
        max_input_tokens: int = 256,
        max_length_ratio: float = 2.0,
        vmap: bool = True,
        fix_untranslated: bool = True,
        add_stop: bool = True,
        capitalise: bool = True,
    ) -> None:
        if beam < 1:
            raise InputError("beam must be at least 1")
        if threads is not None and threads < 1:
            raise InputError("threads must be at least 1")
        if max_batch_tokens is not None and max_batch_tokens < 1:
            raise InputError("max_batch_tokens must be at least 1")
        if backend not in BACKENDS:
            raise InputError(f"unknown backend '{backend}' (choose from {', '.join(BACKENDS)})")
        from transformers import MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.path = resolve(model)
        self.backend_name = backend
        try:
            self.tokenizer = MarianTokenizer.from_pretrained(str(self.path))
            self.backend: Backend = make_backend(
                backend, self.path, self.tokenizer, threads, vmap=vmap
            )
        except MTError:
            raise
        except Exception as exc:  # corrupt or mismatched files: report, don't crash
            raise ModelNotFoundError(
                f"could not load a Marian model from {self.path}: {exc}"
            ) from exc
        self.split_elisions = source_preparation(self.path).get("split_elisions", False)
        self.beam = beam
        self.max_batch_tokens = max_batch_tokens or (4096 if backend == "torch" else 1024)
        self._positions = self.backend.max_positions
        self.max_input_tokens = max(8, min(max_input_tokens, self._positions - 2))
        self.max_length_ratio = max_length_ratio
        self.fix_untranslated = fix_untranslated
        self.add_stop = add_stop
        self.capitalise = capitalise
        self._tok_lock = threading.Lock()
        self._vocab_chars: frozenset[str] | None = None
        self._known_chars: dict[str, bool] = {}
        self._pieces: list[str] | None = None

    # ------------------------------------------------------------------ public API

    def translate(self, text: str) -> str:
        """Translate a document, keeping its paragraph structure."""
        return self.translate_document(text).text

    def translate_document(
        self, text: str, *, segmented: bool = False, progress: ProgressFn | None = None
    ) -> DocumentTranslation:
        """Translate a document and return per-sentence records.

        With ``segmented=True`` every input line is one segment: no sentence splitting, and the
        output has one line per input line (CRLF line ends where the input has them).
        """
        return self.translate_documents([text], segmented=segmented, progress=progress)[0]

    def translate_documents(
        self,
        texts: Sequence[str],
        *,
        segmented: bool = False,
        progress: ProgressFn | None = None,
        cache: SegmentCache | None = None,
    ) -> list[DocumentTranslation]:
        """Translate several documents in one batched pass (shared deduplication); ``cache``
        serves segments translated before."""
        if segmented:
            docs_lines = [segment_lines(t) for t in texts]
            sources = [line for lines in docs_lines for line in lines]
            results = self.translate_segments(sources, cache=cache, progress=progress)
            out, k = [], 0
            for source, lines in zip(texts, docs_lines, strict=True):
                recs = []
                for i, line in enumerate(lines):
                    recs.append(record(0, i, line, 0, len(line), results[k + i]))
                k += len(lines)
                end = line_end(source)
                text = "".join(r.translation + end for r in recs)
                out.append(DocumentTranslation(text, recs))
            return out
        return [a.document for a in self._documents(texts, progress, cache, attention=False)]

    def translate_attended(
        self,
        texts: Sequence[str],
        *,
        progress: ProgressFn | None = None,
        cache: SegmentCache | None = None,
    ) -> list[AttendedDocument]:
        """:meth:`translate_documents`, each sentence with the cross-attention its decoding read
        (:meth:`~mt.translate.attention.AttendedDocument.attention`).

        A sentence gets None where decoding gave none: served by ``cache``, translated in
        chunks or pieces, re-decoded by the loop guard, or on a backend that does not read
        attention while decoding (torch); :func:`mt.translate.attention.cross_attention`
        reads it for those.
        """
        return self._documents(texts, progress, cache, attention=True)

    def _documents(
        self,
        texts: Sequence[str],
        progress: ProgressFn | None,
        cache: SegmentCache | None,
        *,
        attention: bool,
    ) -> list[AttendedDocument]:
        docs = [segment(t) for t in texts]
        sources = [s.text for d in docs for s in d.sentences]
        results, attentions = self._segments(sources, progress, cache, attention)
        out, k = [], 0
        for d in docs:
            n = len(d.sentences)
            out.append(AttendedDocument(assemble(d, results[k : k + n]), attentions[k : k + n]))
            k += n
        return out

    def score_pairs(self, sources: Sequence[str], targets: Sequence[str]) -> list[float | None]:
        """Mean log-probability per token of each English target given its French source.

        Forced decoding under the model, as in the records' ``logprob``. A pair too long for the
        model's positions gets ``None`` (scoring a cut text would score a different pair).
        """
        return [
            sum(v for _, v in t) / max(len(t), 1) if t is not None else None
            for t in self.token_logprobs(sources, targets)
        ]

    def token_logprobs(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[list[tuple[str, float]] | None]:
        """Each English target's tokens (SentencePiece pieces, eos last) with their
        log-probability given the French source, by forced decoding
        (:func:`mt.translate.forced.token_logprobs`)."""
        return forced.token_logprobs(self, sources, targets)

    def sample_translations(self, sources: Sequence[str], n: int) -> list[list[str]]:
        """``n`` translations of each source drawn at random from the model's distribution
        (:func:`mt.translate.nbest.sentence_samples`); none for a sentence it does not read
        whole."""
        from mt.translate.nbest import sentence_samples

        return sentence_samples(self, sources, n)

    def model_texts(self, source: str, translation: str) -> tuple[str, str]:
        """What the model reads for ``source`` and what it wrote for ``translation``: the
        stop :func:`needs_stop` adds, the capital, elisions and opening marks split."""
        stop = self.add_stop and needs_stop(source)
        key = self._model_input(self._capitalised(source + "." if stop else source))
        if stop and needs_stop(translation):  # translation took the stop off the English
            translation += "."
        return key, self._target_input(translation)

    def _capitalised(self, segment: str) -> str:
        return capitalise_start(segment) if self.capitalise else segment

    def _target_input(self, english: str) -> str:
        """English as the model's training targets were written (opening marks split off)."""
        text = normalise(english)
        return split_open_marks(text) if self.split_elisions else text

    def _model_input(self, segment: str) -> str:
        text = normalise(segment)
        return split_elisions(text) if self.split_elisions else text

    @property
    def settings_key(self) -> str:
        """Identifies the model and every setting that changes an output (for caches)."""
        parts = [str(self.path.resolve()), self.backend_name, str(self.beam)]
        if getattr(self.backend, "use_vmap", False):
            parts.append("vmap")
        if self.split_elisions:
            parts.append("split-elisions+join-open-marks")
        parts += [str(self.max_input_tokens), str(self.max_length_ratio)]
        if self.fix_untranslated:
            parts.append(f"fix-untranslated: {fix_key()}")
        if self.add_stop:
            parts.append("add-stop")
        if self.capitalise:
            parts.append("capitalise")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    def translate_segments(
        self,
        segments: Sequence[str],
        *,
        progress: ProgressFn | None = None,
        cache: SegmentCache | None = None,
    ) -> list[SegmentTranslation]:
        """Translate segments as they are (no splitting into sentences); order is kept.

        With a ``cache``, segments translated before with the same settings are not translated
        again, and new translations are added to it. Text without a letter, and tokens too long
        to be words, are copied as they are (:mod:`mt.translate.passthrough`); numbers, URLs,
        e-mail addresses and characters outside the model's vocabulary are carried past it
        (:mod:`mt.translate.protect`); a segment over its length limit is refused with
        :class:`~mt.errors.InputError`.
        """
        return self._segments(segments, progress, cache, attention=False)[0]

    def _segments(
        self,
        segments: Sequence[str],
        progress: ProgressFn | None,
        cache: SegmentCache | None,
        attention: bool,
    ) -> tuple[list[SegmentTranslation], list[TokenAttention | None]]:
        """:meth:`translate_segments`, with the attention decoding read for each segment
        (between the model's input and output texts) where asked for and one was read."""
        for s in segments:  # before any other work on a segment
            passthrough.check_length(s)
        found = [protect.protect(s, self._unknown) for s in segments]
        results, attentions = self._translate_planned(
            [p.masked for p in found], progress, cache, attention
        )
        redo = []
        for k, (p, r) in enumerate(zip(found, results, strict=True)):
            if p.spans:
                text = protect.restore(p, r.translation)
                if text is None:
                    redo.append(k)
                else:
                    results[k] = replace(r, translation=text)
        if redo:  # a placeholder lost: the text around the spans, translated in pieces
            pieces = [protect.pieces(found[k]) for k in redo]
            for_model = [text for piece in pieces for translate, text in piece if translate]
            translated = iter(self._translate_planned(for_model, progress, cache, False)[0])
            for k, piece in zip(redo, pieces, strict=True):
                results[k] = passthrough.combine(piece, translated)
                attentions[k] = None
        return results, attentions

    def _translate_planned(
        self,
        segments: Sequence[str],
        progress: ProgressFn | None,
        cache: SegmentCache | None,
        attention: bool,
    ) -> tuple[list[SegmentTranslation], list[TokenAttention | None]]:
        """Segments through the model, but what it never reads (mt.translate.passthrough)."""
        plans = [passthrough.plan(s) for s in segments]
        for_model = [text for pieces in plans for translate, text in pieces if translate]
        results, attentions = self._translate(
            for_model, progress=progress, cache=cache, attention=attention
        )
        translated, attended = iter(results), iter(attentions)
        out, weights = [], []
        for pieces in plans:
            out.append(passthrough.combine(pieces, translated))
            read = [next(attended) for translate, _ in pieces if translate]
            # attention only where the model read the segment whole
            weights.append(read[0] if len(pieces) == 1 and read else None)
        return out, weights

    def _unknown(self, char: str) -> bool:
        """Whether the model reads ``char`` as unknown: not in its vocabulary once normalised as
        the model reads it. Latin letters are left to it: a name it spells its own way
        ("Sternfeld") reads better than the French copied into the English."""
        known = self._known_chars.get(char)
        if known is None:  # each character is judged once: every segment's text passes here
            if self._vocab_chars is None:
                self._vocab_chars = frozenset("".join(self.tokenizer.get_vocab()))
            read = normalise(char).strip()
            known = (
                char.isspace()
                or (char.isalpha() and "LATIN" in unicodedata.name(char, ""))
                or all(c in self._vocab_chars for c in read)
            )
            self._known_chars[char] = known
        return not known

    def _translate(
        self,
        segments: Sequence[str],
        *,
        progress: ProgressFn | None,
        cache: SegmentCache | None,
        attention: bool = False,
    ) -> tuple[list[SegmentTranslation], list[TokenAttention | None]]:
        stopped = [self.add_stop and needs_stop(s) for s in segments]
        keys = [
            self._model_input(self._capitalised(s + "." if stop else s))
            for s, stop in zip(segments, stopped, strict=True)
        ]
        unique = list(dict.fromkeys(k for k in keys if k))
        done: dict[str, SegmentTranslation] = {}
        if cache is not None:
            done.update(cache.get_many(self.settings_key, unique))
            unique = [k for k in unique if k not in done]
        units: list[tuple[int, str]] = []  # (index into unique, chunk text)
        for u, key in enumerate(unique):
            units.extend((u, chunk) for chunk in self._chunks(key))
        outputs = self._run_units([c for _, c in units], progress, attention)
        per_key: dict[int, list[_Unit]] = {}
        for (u, _), res in zip(units, outputs, strict=True):
            per_key.setdefault(u, []).append(res)
        read: dict[str, TokenAttention] = {}
        for u, key in enumerate(unique):
            parts = per_key[u]
            weights = parts[0][5]
            if len(parts) == 1 and weights is not None:
                text, output, source = parts[0][:3]
                read[key] = self._attention(key, text, source, output, weights)
            tgt = sum(len(p[1]) for p in parts)
            logprob = sum(p[4] * len(p[1]) for p in parts) / max(tgt, 1)
            translation = tidy_start(key, " ".join(p[0] for p in parts if p[0]))
            if self.fix_untranslated:
                translation = fix(key, translation)[0]
            done[key] = SegmentTranslation(
                translation=translation,
                logprob=round(logprob, 4),
                src_tokens=sum(len(p[2]) for p in parts),
                tgt_tokens=tgt,
                split_long=len(parts) > 1,
                chunks=len(parts),
                repetition_guard=any(p[3] for p in parts),
            )
        if cache is not None:
            cache.put_many(self.settings_key, {k: done[k] for k in unique})
        empty = SegmentTranslation("", 0.0, 0, 0, False, 0, False)
        results = [
            (replace(done[k], translation=drop_stop(done[k].translation)) if stop else done[k])
            if k
            else empty
            for k, stop in zip(keys, stopped, strict=True)
        ]
        return results, [read.get(k) for k in keys]

    def _attention(
        self, key: str, text: str, source: list[int], output: list[int], weights: np.ndarray
    ) -> TokenAttention:
        """Decoding's attention between the model's input ``key`` and its output ``text``
        (``source`` and ``output``: their token ids)."""
        if self._pieces is None:  # looked up per token, so read once
            with self._tok_lock:
                self._pieces = self.tokenizer.convert_ids_to_tokens(range(len(self.tokenizer)))
        eos, table = self.backend.eos_id, self._pieces
        pieces = [table[t] for t in source if t != eos]
        written = [table[t] for t in output if t != eos]
        return from_decoding(key, text, pieces, written, weights)

    # ------------------------------------------------------------------ internals

    def _count(self, text: str) -> int:
        with self._tok_lock:
            return len(self.tokenizer(text)["input_ids"])

    def _chunks(self, text: str) -> list[str]:
        """Split ``text`` at clause boundaries until every chunk fits the model's input."""
        return split_to_fit(text, lambda chunk: self._count(chunk) <= self.max_input_tokens)

    def _run_units(
        self, texts: list[str], progress: ProgressFn | None, attention: bool = False
    ) -> list[_Unit]:
        """Translate chunks in length-sorted batches bounded by a token budget."""
        with self._tok_lock:
            encoded = [self.tokenizer(t)["input_ids"] for t in texts]
        results: list[_Unit | None] = [None] * len(texts)
        for batch in length_batches([len(e) for e in encoded], self.max_batch_tokens // self.beam):
            decoded = self._generate([encoded[j] for j in batch], attention)
            for j, res in zip(batch, decoded, strict=True):
                results[j] = res
            if progress:
                progress(len(batch))
        return [r for r in results if r is not None]

    def _max_new(self, src_len: int) -> int:
        bound = math.ceil(self.max_length_ratio * src_len) + 10
        return min(bound, self._positions - 1)

    def _generate(self, batch: list[list[int]], attention: bool = False) -> list[_Unit]:
        longest = max(len(src) for src in batch)
        decoded = self.backend.generate_scored(
            batch, beam=self.beam, max_new=self._max_new(longest), attention=attention
        )
        seqs = [d.ids for d in decoded]
        known = [d.score for d in decoded]
        weights = [d.attention for d in decoded]
        eos = self.backend.eos_id
        guarded = []
        for k, (src, seq) in enumerate(zip(batch, seqs, strict=True)):
            runaway = len(seq) > self._max_new(len(src)) or not seq or seq[-1] != eos
            if has_loop(seq) or (runaway and len(seq) > 4):
                guarded.append(k)
        if guarded:
            redone = self.backend.generate(
                [batch[k] for k in guarded],
                beam=self.beam,
                max_new=self._max_new(longest),
                guard=True,
            )
            for k, seq in zip(guarded, redone, strict=True):
                # the batch shares one length limit; each sentence gets its own bound
                seqs[k] = seq[: self._max_new(len(batch[k]))]
                known[k] = None
                weights[k] = None
        # score what decoding did not already score exactly (a second pass through the model)
        todo = [k for k, score in enumerate(known) if score is None]
        if todo:
            rescored = self.backend.score([batch[k] for k in todo], [seqs[k] for k in todo])
            for k, tokens in zip(todo, rescored, strict=True):
                known[k] = sum(tokens) / max(len(tokens), 1)
        scores = [float(score or 0.0) for score in known]
        with self._tok_lock:
            texts = self.tokenizer.batch_decode(seqs, skip_special_tokens=True)
        if self.split_elisions:
            texts = [join_open_quotes(t) for t in texts]
        return [
            (texts[k].strip(), seqs[k], batch[k], k in guarded, scores[k], weights[k])
            for k in range(len(batch))
        ]
