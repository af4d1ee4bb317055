"""Other translations of a sentence, finished as the best one is: the beam's next-best hypotheses
(put back into the document: LibreTranslate's ``alternatives``) and random samples (how much
the model agrees with itself, a quality signal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from mt.records import DocumentTranslation
from mt.text.segment import segment
from mt.translate import passthrough, protect
from mt.translate.batching import length_batches
from mt.translate.document import assemble
from mt.translate.prepare import join_open_quotes, tidy_start
from mt.translate.untranslated import fix

if TYPE_CHECKING:
    from mt.translate.translator import Translator

# alternatives a request may ask for, as LibreTranslate allows by default
MAX_ALTERNATIVES = 3


def alternatives(
    translator: Translator, text: str, n: int
) -> tuple[DocumentTranslation, list[str]]:
    """The best translation of document ``text`` and up to ``n`` alternatives, each different
    from it and from each other. In the ``i``-th alternative every sentence reads its
    ``i``-th next-best hypothesis where it has one, and its best otherwise."""
    doc = segment(text)
    sources = [s.text for s in doc.sentences]
    best = translator.translate_segments(sources)
    others = sentence_alternatives(translator, sources, n, [b.translation for b in best])
    first = assemble(doc, best)
    found: list[str] = []
    for i in range(n):
        results = [
            replace(b, translation=o[i]) if i < len(o) else b
            for b, o in zip(best, others, strict=True)
        ]
        candidate = assemble(doc, results).text
        if candidate != first.text and candidate not in found:
            found.append(candidate)
    return first, found


def sentence_alternatives(
    translator: Translator, sources: Sequence[str], n: int, best: Sequence[str]
) -> list[list[str]]:
    """Up to ``n`` translations of each source other than ``best``, best first. A sentence the
    model does not read whole (copied tokens, a split for length) has none."""
    found = _hypotheses(translator, sources, n + 1, sample=False)
    out: list[list[str]] = []
    for texts, first in zip(found, best, strict=True):
        others: list[str] = []
        for text in texts:
            if text and text != first and text not in others:
                others.append(text)
        out.append(others[:n])
    return out


def sentence_samples(translator: Translator, sources: Sequence[str], n: int) -> list[list[str]]:
    """``n`` translations of each source drawn at random from the model's distribution,
    finished as its best translation is (duplicates kept: how often the model says the same
    thing is the point). A sentence the model does not read whole has none."""
    return _hypotheses(translator, sources, n, sample=True)


def _hypotheses(
    translator: Translator, sources: Sequence[str], n: int, *, sample: bool
) -> list[list[str]]:
    """``n`` hypotheses of each source the model reads whole — the beam's best or random
    draws — each finished as a translation is (quotes, start, untranslated words, protected
    spans)."""
    out: list[list[str]] = [[] for _ in sources]
    wanted: list[tuple[int, protect.Protected, str]] = []
    for k, source in enumerate(sources):
        found = protect.protect(source, translator._unknown)
        pieces = passthrough.plan(found.masked)
        if len(pieces) != 1 or not pieces[0][0] or not found.masked.strip():
            continue
        key = translator._model_input(translator._capitalised(found.masked))
        if translator._count(key) <= translator.max_input_tokens:
            wanted.append((k, found, key))
    if not wanted:
        return out
    with translator._tok_lock:
        encoded = [translator.tokenizer(key)["input_ids"] for _, _, key in wanted]
    width = n if sample else max(translator.beam, n)
    hypotheses: list[list[list[int]]] = [[] for _ in encoded]
    for batch in length_batches([len(e) for e in encoded], translator.max_batch_tokens // width):
        longest = max(len(encoded[j]) for j in batch)
        inputs = [encoded[j] for j in batch]
        max_new = translator._max_new(longest)
        found_n = (
            translator.backend.sample(inputs, n=n, max_new=max_new)
            if sample
            else translator.backend.nbest(inputs, beam=translator.beam, n=n, max_new=max_new)
        )
        for j, hyps in zip(batch, found_n, strict=True):
            hypotheses[j] = hyps
    for (k, found, key), hyps in zip(wanted, hypotheses, strict=True):
        with translator._tok_lock:
            texts = translator.tokenizer.batch_decode(hyps, skip_special_tokens=True)
        for text in texts:
            if translator.split_elisions:
                text = join_open_quotes(text)
            text = tidy_start(key, text)
            if translator.fix_untranslated:
                text = fix(key, text)[0]
            restored = protect.restore(found, text) if found.spans else text
            if restored is not None:  # a sample that lost a protected span is left out
                out[k].append(restored)
    return out
