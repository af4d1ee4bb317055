"""How text is processed: one frozen, typed value that every shell builds and the service runs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from mt.errors import InputError
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND


@dataclass(frozen=True)
class Options:
    """Everything that decides what ``mt`` makes of a text.

    ``model``: a model directory, a bundled model name or a hub id in the local cache (None:
    ``MT_MODEL`` or the bundled default). ``backend``: ``ct2`` (CTranslate2 int8) or ``torch``.
    ``beam``: beam size. ``threads``: CPU threads per decoder (None: the backend's default).
    ``vmap``: decode over the model's vocabulary map when it has one. ``fix_untranslated``:
    replace French words the model copied when the word table knows them. ``add_stop`` and
    ``capitalise``: give a segment without a final mark a full stop, and one in lower case a
    capital, for the model to read. ``repair``: repair garbled French before translating.
    ``embed``: compare sentences by the sentence encoder's vectors when aligning, the bundled
    encoder unless ``embedder`` names another folder. ``estimate``: score quality with the
    model's learned estimator when its directory has one (``mt.score.estimator``).
    ``agreement``: score with the estimator that also reads how far the model agrees with each
    translation, from translations of its own drawn at random (a second decoding pass: slower,
    closer to chrF).
    """

    model: str | None = None
    backend: str = DEFAULT_BACKEND
    beam: int = 4
    threads: int | None = None
    vmap: bool = True
    fix_untranslated: bool = True
    add_stop: bool = True
    capitalise: bool = True
    repair: bool = False
    embed: bool = True
    embedder: str | None = None
    estimate: bool = True
    agreement: bool = False

    def __post_init__(self) -> None:
        if self.beam < 1:
            raise InputError("beam must be at least 1")
        if self.threads is not None and self.threads < 1:
            raise InputError("threads must be at least 1")
        if self.backend not in BACKENDS:
            raise InputError(
                f"unknown backend '{self.backend}' (choose from {', '.join(BACKENDS)})"
            )

    def key(self) -> str:
        """A short stable digest of every option: equal options, equal keys."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready values (stored with each run)."""
        return asdict(self)

    def with_(self, **changes: Any) -> Options:
        """A copy with ``changes`` (validated like any other)."""
        return replace(self, **changes)
