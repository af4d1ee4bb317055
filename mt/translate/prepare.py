"""What the model reads and what it writes: normalisation, elisions, opening marks, full stops.

The bundled model was trained on text prepared this way (``scripts/train_marian.py``); a model
directory's ``source_prepare.json`` says which preparation it expects.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from mt.errors import ModelNotFoundError

_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def normalise(text: str) -> str:
    """The form the model sees: NFC, straight quotes and apostrophes, single spaces.

    The bundled model was trained on text normalised the same way (scripts/train_marian.py).
    """
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return " ".join(text.split())


# A model directory holding this file was trained on sources prepared as it says, e.g.
# {"split_elisions": true}; models without it (OPUS-MT) get the text as it is.
SOURCE_PREPARE_FILE = "source_prepare.json"
_ELISION = re.compile(r"(?i)\b(qu|jusqu|lorsqu|puisqu|quoiqu|presqu|[cdjlmnst])'(?=\w)")
_OPEN_QUOTE = re.compile(r"(^|[\s'(\[])\"(?=\w)")


# what ends a segment the model can read as a sentence: a final mark, or a closing quote or
# bracket; a segment that ends in neither gets a full stop for the model (``add_stop``)
_FINAL_MARK = re.compile(r"[.!?…:;,»\"”’')\]]\s*$")


def needs_stop(segment: str) -> bool:
    """Whether ``segment`` ends without a mark the model knows how to end a sentence on."""
    return bool(segment.strip()) and not _FINAL_MARK.search(segment)


def drop_stop(translation: str) -> str:
    """The translation without the full stop that :func:`needs_stop` had the source gain."""
    return (
        translation[:-1]
        if translation.endswith(".") and not translation.endswith("..")
        else translation
    )


def capitalise_start(segment: str) -> str:
    """``segment`` with its first letter upper case when a sentence would start so: "bonjour" →
    "Bonjour", but not "iPhone" or "eBay" (an upper-case letter follows)."""
    body = segment.lstrip()
    if not body[:1].islower() or body[1:2].isupper():
        return segment
    at = len(segment) - len(body)
    return segment[:at] + body[0].upper() + body[1:]


def split_elisions(text: str) -> str:
    """Put a space after a French elision (``l'``, ``d'``, ``qu'``…) or an opening quote glued to a word.

    A SentencePiece vocabulary holds word-initial pieces for common words; glued to ``l'`` or a
    quote, a less common word is cut into word-internal pieces instead (``l'élan`` → ``l ' é
    lan``), which a small model translates badly. Expects :func:`normalise`'s straight quotes.
    """
    return _OPEN_QUOTE.sub(r'\1" ', _ELISION.sub(r"\1' ", text))


_SPACED_OPEN_QUOTE = re.compile(r"(^|[\s(\[])([\"'(\[])\s+(?=\w)")
_OPEN_MARK = re.compile(r"(^|[\s(\[])([\"(\[])(?=\w)")


def join_open_quotes(text: str) -> str:
    """Remove the space after an opening quote or bracket (``says " bizarre rules"`` →
    ``says "bizarre rules"``, ``( the first)`` → ``(the first)``).

    A model trained on sources from :func:`split_elisions` sometimes copies the split quote into
    its English, and one trained on :func:`split_open_marks` targets writes it that way. A quote
    counts as opening after the start, a space or a bracket.
    """
    return _SPACED_OPEN_QUOTE.sub(r"\1\2", text)


def split_open_marks(text: str) -> str:
    """Put a space after an opening double quote or bracket glued to a word (English targets).

    With a small vocabulary, ``"absolutely`` is cut into word-internal pieces (``▁" ab s ol ute
    ly``) that a model rarely sees and spells badly ("notly"); ``" absolutely`` keeps the word's
    own piece. :func:`join_open_quotes` undoes it on the model's output.
    """
    return _OPEN_MARK.sub(r"\1\2 ", text)


def source_preparation(model_dir: Path) -> dict[str, bool]:
    """What the model directory's ``source_prepare.json`` asks for (empty when it has none)."""
    path = model_dir / SOURCE_PREPARE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"{path} is not a JSON object: {exc}") from exc
    if (
        not isinstance(data, dict)
        or set(data) - {"split_elisions"}
        or not all(isinstance(v, bool) for v in data.values())
    ):
        raise ModelNotFoundError(f'{path}: expected {{"split_elisions": true or false}}')
    return data


_STRAY_START = re.compile(r"^[,.;:]\s+")


def tidy_start(source: str, translation: str) -> str:
    """Mend the start of a translation the way the source starts.

    Small models sometimes begin with a stray comma or full stop, or in lower case, where the
    French sentence begins with a capital: both are fixed; everything else is left alone.
    """
    if not source[:1].isupper():
        return translation
    out = _STRAY_START.sub("", translation)
    if out[:1].islower():
        out = out[0].upper() + out[1:]
    return out
