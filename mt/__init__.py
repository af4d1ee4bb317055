"""mt: turn machine-translated French news back into fluent English, and score every sentence."""

from mt.align import Link, align
from mt.embed import Embedder
from mt.errors import InputError, ModelNotFoundError, MTError
from mt.garble import Flag, Repair, SentenceReport, check, repair
from mt.translate import DocumentTranslation, SentenceTranslation, Translator, translate

__all__ = [
    "DocumentTranslation",
    "Embedder",
    "Flag",
    "InputError",
    "Link",
    "MTError",
    "ModelNotFoundError",
    "Repair",
    "SentenceReport",
    "SentenceTranslation",
    "Translator",
    "align",
    "check",
    "repair",
    "translate",
]
__version__ = "0.1.0"
