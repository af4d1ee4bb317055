"""mt: turn machine-translated French news back into fluent English, and score every sentence.

The public API: :func:`translate` and :class:`Translator`; :func:`check` and :func:`repair`
(garble); :func:`align` (sentences); :class:`Service` and :class:`Options` (the whole pipeline).
"""

from mt.align import Link, align
from mt.align.embed import Embedder
from mt.errors import InputError, ModelNotFoundError, MTError
from mt.garble import Flag, Repair, SentenceReport, check, repair
from mt.options import Options
from mt.records import DocumentResult, DocumentTranslation, SentenceResult, SentenceTranslation
from mt.service import Service, translate
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
    "Translator",
    "align",
    "check",
    "repair",
    "translate",
]
__version__ = "0.1.0"
