"""What a backend does: turn batches of source token ids into output ids, and score outputs.

Scores are mean log-probabilities per token, eos included, by forced decoding. Everything else —
splitting, batching, loop detection — lives in :mod:`mt.translate.translator`, shared by all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# sampling draws each token from the likeliest this many; the seed makes a run repeatable (torch:
# each call; CTranslate2: each process, given the same calls in the same order)
SAMPLE_TOP_K = 20
SAMPLE_SEED = 7


@dataclass(frozen=True)
class Decoded:
    """One source's best output: its ids (no start token; eos last unless cut), its
    :meth:`Backend.score` where decoding computed exactly that number (else None), and the
    cross-attention decoding read on the way where it was asked for and the backend reads it:
    ``attention[j, i]`` is output token ``j``'s attention on source token ``i``."""

    ids: list[int]
    score: float | None
    attention: np.ndarray | None = None


class Backend(Protocol):
    pad_id: int
    eos_id: int
    max_positions: int

    def generate(
        self, batch: list[list[int]], *, beam: int, max_new: int, guard: bool, min_new: int = 0
    ) -> list[list[int]]:
        """Output ids for each source (no start token; ends with eos unless cut by ``max_new``).

        ``guard``: decode with n-gram blocking and a repetition penalty. ``min_new`` forbids
        eos before that many tokens (benchmarks use it to fix output lengths).
        """
        ...

    def generate_scored(
        self, batch: list[list[int]], *, beam: int, max_new: int, attention: bool = False
    ) -> list[Decoded]:
        """Unguarded :meth:`generate`, each output with its score when decoding computed it,
        and with ``attention``, the cross-attention decoding read (where the backend reads it)."""
        ...

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[list[float]]:
        """The log-probability of each token of each output given its source (eos included)."""
        ...

    def nbest(
        self, batch: list[list[int]], *, beam: int, n: int, max_new: int
    ) -> list[list[list[int]]]:
        """The ``n`` best hypotheses of each source, best first (beam widened to ``n``)."""
        ...

    def sample(self, batch: list[list[int]], *, n: int, max_new: int) -> list[list[list[int]]]:
        """``n`` translations of each source drawn at random from the model's distribution
        (the :data:`SAMPLE_TOP_K` likeliest tokens at each step, from :data:`SAMPLE_SEED`)."""
        ...

    def attention(self, batch: list[list[int]], outputs: list[list[int]]) -> list[np.ndarray]:
        """Cross-attention of each output given its source, by forced decoding: a row for each
        output token (as given, without eos), a column for each source token; the layer and
        heads of :func:`attention_layer`, as :meth:`generate_scored` returns it."""
        ...


def attention_layer(path: Path) -> tuple[int, int]:
    """The decoder layer whose cross-attention links words, and how many of its heads are
    averaged: the middle layer, every head (docs/design/decisions.md, "Inline tags go where
    the word table and the model's attention link their words")."""
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        return int(cfg["decoder_layers"]) // 2, int(cfg["decoder_attention_heads"])
    except (OSError, KeyError, ValueError, TypeError):
        return 0, 1


def pad_batch(batch: list[list[int]], pad_id: int) -> tuple[Any, Any]:
    """Token id lists as one padded ``(rows, longest)`` torch tensor, and its attention mask."""
    import torch

    width = max(len(s) for s in batch)
    x = torch.full((len(batch), width), pad_id, dtype=torch.long)
    for i, s in enumerate(batch):
        x[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return x, (x != pad_id).long()


class BackendFactory(Protocol):
    """Loads a backend for the model in ``path`` (its tokenizer already loaded)."""

    def __call__(self, path: Path, tokenizer: Any, threads: int | None, vmap: bool) -> Backend: ...
