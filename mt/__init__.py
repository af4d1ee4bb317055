"""mt: turn machine-translated French news back into fluent English, and score every sentence."""

from mt.errors import InputError, ModelNotFoundError, MTError
from mt.translate import DocumentTranslation, SentenceTranslation, Translator, translate

__all__ = [
    "DocumentTranslation",
    "InputError",
    "MTError",
    "ModelNotFoundError",
    "SentenceTranslation",
    "Translator",
    "translate",
]
__version__ = "0.1.0"
