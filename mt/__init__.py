"""mt: turn machine-translated French news back into fluent English, and score every sentence.

The public API: :func:`translate` and :class:`Translator`; :func:`check` and :func:`repair`
(garble); :func:`align` (sentences); :func:`score_translations` (the quality of any system's
translations); :class:`Service` and :class:`Options` (the whole pipeline).
"""

from mt.align import Link, align
from mt.align.embed import Embedder
from mt.errors import InputError, ModelNotFoundError, MTError
from mt.garble import Flag, Repair, SentenceReport, check, repair
from mt.options import Options
from mt.records import (
    DocumentResult,
    DocumentTranslation,
    SentenceResult,
    SentenceTranslation,
    TranslationScore,
)
from mt.service import Service, score_translations, translate
from mt.translate import Translator

__all__ = [
    "DocumentResult",
    "DocumentTranslation",
    "Embedder",
    "Flag",
    "InputError",
    "Link",
    "MTError",
    "ModelNotFoundError",
    "Options",
    "Repair",
    "SentenceReport",
    "SentenceResult",
    "SentenceTranslation",
    "Service",
    "TranslationScore",
    "Translator",
    "align",
    "check",
    "repair",
    "score_translations",
    "translate",
]
__version__ = "0.1.0"
