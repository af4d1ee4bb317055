"""The model shapes, batching and schedule shared by the CPU trainer and the GPU trainer.

Imports nothing from the ``mt`` package (its text-processing dependencies are not installed on
the GPU machine): the model files come from ``marian_files`` beside it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

# zero_start_embedding: the trainers take it from here, with the shapes
from marian_files import new_marian_model, zero_start_embedding  # noqa: F401

SHAPES = {
    "tiny": dict(d_model=64, encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=128),
    "small": dict(d_model=256, encoder_layers=6, decoder_layers=3, heads=4, ffn_dim=1024),
    "base": dict(d_model=512, encoder_layers=6, decoder_layers=2, heads=8, ffn_dim=2048),
}


def new_model(vocab_size: int, size: str):  # type: ignore[no-untyped-def]
    """A fresh model of the named shape; ``<pad>`` comes after the pieces, as in OPUS-MT."""
    pad = vocab_size
    return new_marian_model(
        pad,
        **SHAPES[size],  # type: ignore[arg-type]
        activation_function="swish",
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        scale_embedding=True,
        tie_word_embeddings=True,
        num_beams=4,
        max_length=512,
        bad_words_ids=[[pad]],
    )


# pieces kept per side of a training pair (the data filter keeps pairs of at most 80 words)
MAX_TRAIN_PIECES = 200


def training_pairs(
    src_ids: list[list[int]], tgt_ids: list[list[int]]
) -> list[tuple[list[int], list[int]]]:
    """Encoded sides as training pairs: capped at ``MAX_TRAIN_PIECES``, then eos (id 0)."""
    return [
        (a[:MAX_TRAIN_PIECES] + [0], b[:MAX_TRAIN_PIECES] + [0])
        for a, b in zip(src_ids, tgt_ids, strict=True)
    ]


def make_batches(pairs: list[tuple[list[int], list[int]]], budget: int, rng: random.Random):
    """Group length-sorted pairs into batches of at most ``budget`` padded tokens, shuffled."""
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][1]), len(pairs[i][0])))
    batches, cur, longest = [], [], 0
    for i in order:
        n = max(len(pairs[i][0]), len(pairs[i][1]))
        if cur and max(longest, n) * (len(cur) + 1) > budget:
            batches.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, n)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return [[pairs[i] for i in b] for b in batches]


def collate(batch, pad: int, pad_to: int = 1):  # type: ignore[no-untyped-def]
    """Padded source, its mask, decoder input (start token, then target shifted) and labels.

    Lengths are padded up to a multiple of ``pad_to`` (fewer distinct shapes on a GPU).
    """
    import numpy as np
    import torch

    n = len(batch)
    src_len = np.array([len(s) for s, _ in batch])
    tgt_len = np.array([len(t) for _, t in batch])

    def width(lengths: Any) -> int:
        return -(-int(lengths.max()) // pad_to) * pad_to

    # one flat copy of all ids, scattered into the padded arrays by a mask (no per-row loop)
    src = np.full((n, width(src_len)), pad, dtype=np.int64)
    src[np.arange(src.shape[1]) < src_len[:, None]] = np.fromiter(
        (i for s, _ in batch for i in s), dtype=np.int64, count=int(src_len.sum())
    )
    tgt = np.full((n, width(tgt_len)), -100, dtype=np.int64)
    tgt[np.arange(tgt.shape[1]) < tgt_len[:, None]] = np.fromiter(
        (i for _, t in batch for i in t), dtype=np.int64, count=int(tgt_len.sum())
    )
    dec = np.full_like(tgt, pad)  # position 0 is the decoder start token (= pad)
    dec[:, 1:] = np.where(tgt[:, 1:] == -100, pad, tgt[:, :-1])
    src_t = torch.from_numpy(src)
    return src_t, (src_t != pad).long(), torch.from_numpy(dec), torch.from_numpy(tgt)


def train_step(model, opt, batch, lr: float, device_type: str = "cpu", bf16: bool = True):  # type: ignore[no-untyped-def]
    """One optimiser step on a collated batch: label-smoothed (0.1) cross-entropy, clipping 1.0.

    Returns the loss as a detached tensor (reading it would wait for the device).
    """
    import torch

    src, mask, dec, tgt = batch
    for g in opt.param_groups:
        g["lr"] = lr
    with torch.autocast(device_type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(input_ids=src, attention_mask=mask, decoder_input_ids=dec).logits
    loss = torch.nn.functional.cross_entropy(
        logits.float().view(-1, logits.shape[-1]),
        tgt.view(-1),
        ignore_index=-100,
        label_smoothing=0.1,
    )
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.detach()


def lr_at(step: int, peak: float, warmup: int) -> float:
    """Linear warm-up then inverse square root decay."""
    step = max(step, 1)
    return peak * min(step / warmup, math.sqrt(warmup / step))


def greedy_bleu(  # type: ignore[no-untyped-def]
    model,
    sp,
    src: list[str],
    ref: list[str],
    beam: int = 1,
    batch: int = 48,
    post: Callable[[str], str] = lambda text: text,
) -> dict:
    """Corpus BLEU/chrF of the model's translations of normalised ``src`` against ``ref``.

    ``post`` finishes each translation as the translator would (e.g. joining opening quotes);
    this module stays free of ``mt`` imports, for the GPU machine.
    """
    import sacrebleu
    import torch

    pad = model.config.pad_token_id
    device = next(model.parameters()).device
    hyps: list[str] = [""] * len(src)
    order = sorted(range(len(src)), key=lambda i: len(src[i]))
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for k in range(0, len(order), batch):
            idx = order[k : k + batch]
            ids = [sp.encode(src[i])[:400] + [0] for i in idx]
            x, mask, _, _ = collate([(s, [0]) for s in ids], pad)
            out = model.generate(
                input_ids=x.to(device),
                attention_mask=mask.to(device),
                num_beams=beam,
                max_new_tokens=int(x.shape[1] * 1.6 + 10),
            )
            for i, seq in zip(idx, out.tolist(), strict=True):
                hyps[i] = post(sp.decode([t for t in seq if t < pad and t != 0]))
    model.train(was_training)
    bleu = sacrebleu.corpus_bleu(hyps, [ref])
    chrf = sacrebleu.corpus_chrf(hyps, [ref])
    return {
        "bleu": round(bleu.score, 2),
        "chrf": round(chrf.score, 2),
        "n": len(src),
        "sample": hyps[:3],
    }
