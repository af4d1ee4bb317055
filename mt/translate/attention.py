"""The model's cross-attention between a French sentence and an English translation of it:
which source tokens each target token looked at, with character offsets of both sides' tokens
(for word links; see :mod:`mt.align.words`).

The translator returns the attention its decoding read (:meth:`Translator.translate_attended`);
:func:`cross_attention` reads it by forced decoding for pairs decoding did not give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import numpy as np

from mt.records import DocumentTranslation
from mt.translate.batching import length_batches

if TYPE_CHECKING:
    from mt.translate.translator import Translator

# words, runs of space and single marks: the units edits are matched by
_PIECE = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class TokenAttention:
    """``weights[j, i]``: attention of English token ``j`` on French token ``i`` (eos dropped);
    ``fr`` and ``en`` give each token's character span in ``source`` and ``target``."""

    fr: list[tuple[int, int]]
    en: list[tuple[int, int]]
    weights: np.ndarray
    source: str
    target: str

    def onto(self, source: str, target: str) -> TokenAttention:
        """The same attention with its token spans moved onto edited texts: the model's input
        and output as the sentence and its final translation read them."""
        if source == self.source and target == self.target:
            return self
        fr = _moved(self.fr, self.source, source)
        en = _moved(self.en, self.target, target)
        return TokenAttention(fr, en, self.weights, source, target)


@dataclass(frozen=True)
class AttendedDocument:
    """A translated document and, for each of its sentences, the attention decoding read
    between the model's input and output texts (None where decoding gave none)."""

    document: DocumentTranslation
    decoded: list[TokenAttention | None]

    def attention(self, n: int) -> TokenAttention | None:
        """Sentence ``n``'s attention on its source and final translation (moved there when
        asked: a page reads it for its tagged sentences only)."""
        found = self.decoded[n]
        if found is None:
            return None
        sentence = self.document.sentences[n]
        return found.onto(sentence.source, sentence.translation)


def _moved(spans: list[tuple[int, int]], old: str, new: str) -> list[tuple[int, int]]:
    """``spans`` of ``old`` as spans of ``new``: through the words and spaces the two share,
    and in proportion across what was replaced (compared word by word, not character by
    character, which costs more than the translation's own bookkeeping)."""
    if old == new:
        return spans
    # the edits lie between a common start and a common end: only that middle is matched
    head = _common(old, new)
    tail = _common(old[head:][::-1], new[head:][::-1])
    mid_old, mid_new = old[head : len(old) - tail], new[head : len(new) - tail]
    a = [head + m.start() for m in _PIECE.finditer(mid_old)] + [len(old) - tail]
    b = [head + m.start() for m in _PIECE.finditer(mid_new)] + [len(new) - tail]
    matcher = SequenceMatcher(None, _PIECE.findall(mid_old), _PIECE.findall(mid_new), False)
    at = list(range(head + 1)) + [0] * (len(old) - head)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        x1, x2, y1, y2 = a[i1], a[i2], b[j1], b[j2]
        for i in range(x1, x2 + 1):
            if tag == "equal":
                at[i] = y1 + i - x1
            else:
                at[i] = y1 + (i - x1) * (y2 - y1) // max(x2 - x1, 1)
    shift = len(new) - len(old)
    for i in range(len(old) - tail, len(old) + 1):
        at[i] = i + shift
    return [(at[s], max(at[s], at[e])) for s, e in spans]


def _common(a: str, b: str) -> int:
    """Length of the common start of ``a`` and ``b``."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def from_decoding(
    source: str,
    target: str,
    source_pieces: Sequence[str],
    target_pieces: Sequence[str],
    weights: np.ndarray,
) -> TokenAttention:
    """Attention as decoding returned it (``weights``: a row for each output token, a column
    for each input token, eos included or not) between the model's input text and its output
    text, given their SentencePiece pieces without eos."""
    rows, cols = len(target_pieces), len(source_pieces)
    return TokenAttention(
        piece_offsets(source, source_pieces),
        piece_offsets(target, target_pieces),
        np.ascontiguousarray(weights[:rows, :cols], dtype=np.float32),
        source,
        target,
    )


def piece_offsets(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of SentencePiece ``pieces`` in ``text``; a piece the tokenizer
    normalised (quotes, spaces) takes the characters up to where the next one is found."""
    out = []
    at = 0
    for piece in pieces:
        body = piece.replace("\u2581", " ").lstrip()
        while at < len(text) and text[at].isspace():
            at += 1
        if not body:  # a lone word boundary: nothing of the text
            out.append((at, at))
        elif text.startswith(body, at):
            out.append((at, at + len(body)))
            at += len(body)
        else:
            end = min(len(text), at + max(len(body), 1))
            out.append((at, end))
            at = end
    return out


def cross_attention(
    tr: Translator, sources: Sequence[str], targets: Sequence[str]
) -> list[TokenAttention | None]:
    """The cross-attention of each French sentence and its English translation, by forced
    decoding of the texts the model read and wrote for them (None for a pair too long for the
    model): the attention decoding gives (:meth:`Translator.translate_attended`) for pairs it
    did not give it for."""
    texts = [tr.model_texts(s, t) for s, t in zip(sources, targets, strict=True)]
    with tr._tok_lock:
        src = [tr.tokenizer(key).input_ids for key, _ in texts]
        tgt = [tr.tokenizer(text_target=out).input_ids[:-1] for _, out in texts]
        src_pieces = [tr.tokenizer.convert_ids_to_tokens(ids[:-1]) for ids in src]
        tgt_pieces = [tr.tokenizer.convert_ids_to_tokens(ids) for ids in tgt]
    limit = tr.backend.max_positions - 2
    fits = [k for k in range(len(src)) if tgt[k] and max(len(src[k]), len(tgt[k])) <= limit]
    out: list[TokenAttention | None] = [None] * len(src)
    lengths = [max(len(src[k]), len(tgt[k])) for k in fits]
    for batch in length_batches(lengths, tr.max_batch_tokens):
        keys = [fits[b] for b in batch]
        read = tr.backend.attention([src[k] for k in keys], [tgt[k] for k in keys])
        for k, weights in zip(keys, read, strict=True):
            key, output = texts[k]
            found = from_decoding(key, output, src_pieces[k], tgt_pieces[k], weights)
            out[k] = found.onto(sources[k], targets[k])
    return out
