"""Sentence vectors for alignment, from a French/English sentence encoder.

The bundled encoder (``mt/models/fr-en-embed``, trained by ``scripts/train_embed.py``) is the
bundled translation model's encoder, trained further so that a sentence and its translation get
close vectors whatever the language. ``mt.align(..., embedder=...)`` compares blocks of
clauses or sentences by these vectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mt.errors import InputError, ModelNotFoundError, MTError
from mt.translate.backends.base import pad_batch
from mt.translate.batching import length_batches
from mt.translate.prepare import normalise, source_preparation, split_elisions

BUNDLED_EMBEDDER = Path(__file__).resolve().parent.parent / "models" / "fr-en-embed"
LANGS = ("fr", "en")


def is_embedder_dir(path: Path) -> bool:
    """Whether ``path`` holds a ``MarianEncoder`` (the config names it) with its tokenizer."""
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return config.get("architectures") == ["MarianEncoder"] and (path / "source.spm").is_file()


class Embedder:
    """One sentence encoder on the CPU: ``vectors(texts, lang)`` gives a row per text.

    Each row is the *sum* of the text's token states, so the sum of a run of rows is (up to its
    length) the mean-pooled vector of those texts read as one: what the aligner compares for a
    bead of several sentences. Texts longer than ``max_input_tokens`` pieces are read in parts
    whose sums add up, never cut.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int | None = None,
        max_input_tokens: int = 256,
        max_batch_tokens: int = 4096,
    ) -> None:
        if threads is not None and threads < 1:
            raise InputError("threads must be at least 1")
        if max_input_tokens < 8 or max_batch_tokens < max_input_tokens:
            raise InputError("max_input_tokens must be at least 8 and fit in max_batch_tokens")
        import torch
        from transformers import MarianTokenizer
        from transformers.models.marian.modeling_marian import MarianEncoder
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.path = Path(model) if model is not None else BUNDLED_EMBEDDER
        if not is_embedder_dir(self.path):
            raise ModelNotFoundError(
                f"{self.path} is not a sentence encoder folder (config.json naming "
                "MarianEncoder, and source.spm); see scripts/train_embed.py"
            )
        if threads is not None:
            torch.set_num_threads(threads)
        try:
            self.tokenizer = MarianTokenizer.from_pretrained(str(self.path))
            self.encoder = MarianEncoder.from_pretrained(str(self.path), dtype=torch.float32).eval()
        except MTError:
            raise
        except Exception as exc:  # corrupt or mismatched files: report, don't crash
            raise ModelNotFoundError(f"could not load an encoder from {self.path}: {exc}") from exc
        self.split_elisions = source_preparation(self.path).get("split_elisions", False)
        self.pad_id = int(self.encoder.config.pad_token_id)
        self.eos_id = int(self.encoder.config.eos_token_id)
        limit = int(self.encoder.config.max_position_embeddings) - 1
        self.max_input_tokens = min(max_input_tokens, limit)
        self.max_batch_tokens = max_batch_tokens
        self.dim = int(self.encoder.config.d_model)

    def vectors(self, texts: Sequence[str], lang: str) -> np.ndarray:
        """A ``(len(texts), dim)`` float32 array: each text's summed token states."""
        if lang not in LANGS:
            raise InputError(f"unknown language '{lang}' (choose from {', '.join(LANGS)})")
        import torch

        prepared = [normalise(t) for t in texts]
        if lang == "fr" and self.split_elisions:
            prepared = [split_elisions(t) for t in prepared]
        pieces = self.tokenizer(prepared, add_special_tokens=False).input_ids if texts else []
        # each text in parts of at most max_input_tokens pieces (eos ends every part, as in
        # training); a part's token states add to its text's row
        parts: list[list[int]] = []
        owner: list[int] = []
        step = self.max_input_tokens - 1
        for k, ids in enumerate(pieces):
            for start in range(0, max(len(ids), 1), step):
                parts.append(ids[start : start + step] + [self.eos_id])
                owner.append(k)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for batch in length_batches([len(p) for p in parts], self.max_batch_tokens):
                x, mask = pad_batch([parts[i] for i in batch], self.pad_id)
                states = self.encoder(input_ids=x, attention_mask=mask).last_hidden_state
                sums = (states * mask.unsqueeze(-1)).sum(1).numpy()
                for row, i in enumerate(batch):
                    out[owner[i]] += sums[row]
        return out

    def pair_vectors(self, fr: Sequence[str], en: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Both sides' vectors, the form ``mt.align(..., vectors=...)`` takes (``mt.align``
        calls this itself when given ``embedder=``)."""
        return self.vectors(fr, "fr"), self.vectors(en, "en")


def bundled_embedder(**options: Any) -> Embedder | None:
    """The bundled encoder, or None when this installation has none."""
    return Embedder(**options) if is_embedder_dir(BUNDLED_EMBEDDER) else None
