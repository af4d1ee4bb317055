"""French → English translation with a MarianMT model, on CTranslate2 or torch.

:class:`Translator` loads a model once and translates segments, documents or lists of
documents; :mod:`mt.translate.prepare` holds what the model reads and writes,
:mod:`mt.translate.backends` the decoders, :mod:`mt.translate.models` where models are found.
"""

from mt.records import DocumentTranslation, SegmentTranslation, SentenceTranslation
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND
from mt.translate.batching import has_loop, length_batches
from mt.translate.prepare import (
    SOURCE_PREPARE_FILE,
    capitalise_start,
    drop_stop,
    join_open_quotes,
    needs_stop,
    normalise,
    source_preparation,
    split_elisions,
    split_open_marks,
    tidy_start,
)
from mt.translate.translator import ProgressFn, SegmentCache, Translator

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "SOURCE_PREPARE_FILE",
    "DocumentTranslation",
    "ProgressFn",
    "SegmentCache",
    "SegmentTranslation",
    "SentenceTranslation",
    "Translator",
    "capitalise_start",
    "drop_stop",
    "has_loop",
    "join_open_quotes",
    "length_batches",
    "needs_stop",
    "normalise",
    "source_preparation",
    "split_elisions",
    "split_open_marks",
    "tidy_start",
]
