"""Detect (and repair) garbled machine-translated French, with located and explained flags.

One file per detector (``DETECTORS`` in :mod:`mt.garble.registry` lists them), each finding one
kind of damage and returning :class:`~mt.records.Flag` objects whose ``start`` / ``end`` are
character offsets in the sentence. A sentence's ``garble_score`` combines its flags'
confidences as independent evidence: ``1 - prod(1 - confidence)``.
"""

from mt.garble.check import (
    FLAG_THRESHOLD,
    Scorer,
    add_flags,
    check,
    check_sentence,
    in_context,
    translation_scorer,
    with_flags,
)
from mt.garble.merged_token import MAX_MERGED
from mt.garble.registry import DETECTORS
from mt.garble.repair import REPAIRABLE, repair
from mt.records import Change, Flag, Repair, SentenceReport

__all__ = [
    "DETECTORS",
    "FLAG_THRESHOLD",
    "MAX_MERGED",
    "REPAIRABLE",
    "Change",
    "Flag",
    "Repair",
    "Scorer",
    "SentenceReport",
    "add_flags",
    "check",
    "check_sentence",
    "in_context",
    "repair",
    "translation_scorer",
    "with_flags",
]
