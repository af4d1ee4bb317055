"""What a backend does: turn batches of source token ids into output ids, and score outputs.

Scores are mean log-probabilities per token, eos included, by forced decoding. Everything else —
splitting, batching, loop detection — lives in :mod:`mt.translate.translator`, shared by all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


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
        self, batch: list[list[int]], *, beam: int, max_new: int
    ) -> list[tuple[list[int], float | None]]:
        """Unguarded :meth:`generate`, each output with its :meth:`score` when decoding
        computed exactly that number on the way (None where it did not)."""
        ...

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[list[float]]:
        """The log-probability of each token of each output given its source (eos included)."""
        ...

    def nbest(
        self, batch: list[list[int]], *, beam: int, n: int, max_new: int
    ) -> list[list[list[int]]]:
        """The ``n`` best hypotheses of each source, best first (beam widened to ``n``)."""
        ...


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
