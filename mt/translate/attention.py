"""The model's cross-attention between a French sentence and an English translation of it, by
forced decoding: which source tokens each target token looked at, with character offsets of
both sides' tokens (for word links; see :mod:`mt.align.words`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mt.translate.batching import length_batches

if TYPE_CHECKING:
    from mt.translate.translator import Translator

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class TokenAttention:
    """``weights[j, i]``: attention of English token ``j`` on French token ``i`` (eos dropped),
    averaged over the upper half of the decoder's layers and all heads; ``fr`` and ``en`` give
    each token's character span in the text it came from."""

    fr: list[tuple[int, int]]
    en: list[tuple[int, int]]
    weights: np.ndarray


def _bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (where it does, twice as fast)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _model(path: str) -> Any:
    # a separate copy in eager mode (the fused attention kernels do not return weights), in
    # bfloat16 where the CPU has it: word links need only where attention falls
    with _LOCK:
        if path not in _MODELS:
            import torch
            from transformers import MarianMTModel

            dtype = torch.bfloat16 if _bf16() else torch.float32
            _MODELS[path] = MarianMTModel.from_pretrained(
                path, attn_implementation="eager", dtype=dtype
            ).eval()
        return _MODELS[path]


def piece_offsets(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of SentencePiece ``pieces`` in ``text``; a piece the tokenizer
    normalised (quotes, spaces) takes the characters up to where the next one is found."""
    out = []
    at = 0
    for piece in pieces:
        body = piece.replace("\u2581", " ").lstrip()
        while at < len(text) and text[at].isspace():
            at += 1
        if body and text.startswith(body, at):
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
    """The cross-attention of each pair (None for a pair too long for the model)."""
    import torch

    model = _model(str(tr.path))
    with tr._tok_lock:
        src = [tr.tokenizer(s).input_ids for s in sources]
        tgt = [tr.tokenizer(text_target=t).input_ids for t in targets]
        src_pieces = [tr.tokenizer.convert_ids_to_tokens(ids[:-1]) for ids in src]
        tgt_pieces = [tr.tokenizer.convert_ids_to_tokens(ids[:-1]) for ids in tgt]
    pad = int(model.config.pad_token_id)
    start = int(model.config.decoder_start_token_id)
    limit = tr._positions - 2
    fits = [k for k in range(len(src)) if max(len(src[k]), len(tgt[k])) <= limit]
    out: list[TokenAttention | None] = [None] * len(src)
    layers = model.config.decoder_layers
    upper = slice(layers // 2, layers)
    lengths = [max(len(src[k]), len(tgt[k])) for k in fits]
    for batch in length_batches(lengths, tr.max_batch_tokens):
        keys = [fits[b] for b in batch]
        width_s = max(len(src[k]) for k in keys)
        width_t = max(len(tgt[k]) for k in keys)
        x = torch.full((len(keys), width_s), pad, dtype=torch.long)
        dec = torch.full((len(keys), width_t), pad, dtype=torch.long)
        for r, k in enumerate(keys):
            x[r, : len(src[k])] = torch.tensor(src[k])
            dec[r, : len(tgt[k])] = torch.tensor([start, *tgt[k][:-1]])
        with torch.inference_mode():
            # the encoder-decoder without its output layer: weights need no logits
            result = model.model(
                input_ids=x,
                attention_mask=(x != pad).long(),
                decoder_input_ids=dec,
                output_attentions=True,
            )
        stacked = torch.stack(result.cross_attentions[upper]).float().mean(dim=(0, 2)).numpy()
        for r, k in enumerate(keys):
            weights = stacked[r, : len(tgt[k]) - 1, : len(src[k]) - 1]
            out[k] = TokenAttention(
                piece_offsets(sources[k], src_pieces[k]),
                piece_offsets(targets[k], tgt_pieces[k]),
                np.asarray(weights, dtype=np.float32),
            )
    return out
