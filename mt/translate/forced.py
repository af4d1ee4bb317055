"""Forced decoding: how likely the model finds a given English translation of a French
sentence, token by token (for translations by any system, and for the aligner's scorer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mt.errors import InputError
from mt.translate.batching import length_batches

if TYPE_CHECKING:
    from mt.translate.translator import Translator


def token_logprobs(
    tr: Translator, sources: Sequence[str], targets: Sequence[str]
) -> list[list[tuple[str, float]] | None]:
    """Each English target's tokens (SentencePiece pieces, eos last) with their
    log-probability given the French source; ``None`` for a pair too long for the model's
    positions (scoring a cut text would score a different pair)."""
    if len(sources) != len(targets):
        raise InputError(f"{len(sources)} sources for {len(targets)} targets")
    texts = [tr.model_texts(s, t) for s, t in zip(sources, targets, strict=True)]
    with tr._tok_lock:
        src = [tr.tokenizer(key).input_ids for key, _ in texts]
        tgt = [tr.tokenizer(text_target=out).input_ids for _, out in texts]
    fits = [k for k in range(len(src)) if max(len(src[k]), len(tgt[k])) <= tr._positions - 2]
    out: list[list[tuple[str, float]] | None] = [None] * len(src)
    # in token-bounded batches, as translation is: one forward pass over all pairs would
    # hold logits for every target position at once
    lengths = [max(len(src[k]), len(tgt[k])) for k in fits]
    for batch in length_batches(lengths, tr.max_batch_tokens):
        keys = [fits[b] for b in batch]
        scores = tr.backend.score([src[k] for k in keys], [tgt[k] for k in keys])
        with tr._tok_lock:
            pieces = [tr.tokenizer.convert_ids_to_tokens(tgt[k]) for k in keys]
        for k, tokens, names in zip(keys, scores, pieces, strict=True):
            out[k] = [(str(n), float(v)) for n, v in zip(names, tokens, strict=False)]
    return out
