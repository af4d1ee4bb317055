"""Alternative translations: the beam's next-best hypotheses of each sentence, finished as the
best one is, and put back into the document (LibreTranslate's ``alternatives``)."""

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
    width = max(translator.beam, n + 1)
    hypotheses: list[list[list[int]]] = [[] for _ in encoded]
    for batch in length_batches([len(e) for e in encoded], translator.max_batch_tokens // width):
        longest = max(len(encoded[j]) for j in batch)
        found_n = translator.backend.nbest(
            [encoded[j] for j in batch],
            beam=translator.beam,
            n=n + 1,
            max_new=translator._max_new(longest),
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
            if restored and restored != best[k] and restored not in out[k]:
                out[k].append(restored)
        out[k] = out[k][:n]
    return out
