"""Inference backends for a Marian model, by name: adding one is a new file and a line here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mt.errors import InputError
from mt.translate.backends import ct2, torch
from mt.translate.backends.base import Backend, BackendFactory, pad_batch

BACKENDS: dict[str, BackendFactory] = {"torch": torch.load, "ct2": ct2.load}
# CTranslate2 int8: several times faster than torch for the same BLEU (docs/results/speed.md)
DEFAULT_BACKEND = "ct2"


def make_backend(
    name: str, path: Path, tokenizer: Any, threads: int | None, *, vmap: bool = True
) -> Backend:
    """Load backend ``name`` for the model in ``path``."""
    if name not in BACKENDS:
        raise InputError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})")
    return BACKENDS[name](path, tokenizer, threads, vmap)


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "BackendFactory", "make_backend", "pad_batch"]
