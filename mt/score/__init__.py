"""Scoring: per-sentence quality in [0, 1], a flag, and the reasons behind it.

:mod:`mt.score.estimator` predicts the quality from the signals of :mod:`mt.score.signals`
with a model fitted per translation model; :mod:`mt.score.quality` combines the signals into
the score (and, for a model without an estimator, multiplies one factor per signal); :mod:`mt.score.coverage` (French content with no
counterpart) and :mod:`mt.score.invented` (made-up words) are two of them, French words left
untranslated (:mod:`mt.translate.untranslated`) a third; :mod:`mt.score.marks` turns the reasons
into the spans reports and the dashboard highlight.
"""

from mt.score.marks import source_marks, translation_marks
from mt.score.quality import (
    CALIBRATION_FILE,
    COVERAGE_FLOOR,
    COVERAGE_MIN_WORDS,
    INVENTED_FACTOR,
    QUALITY_THRESHOLD,
    UNTRANSLATED_FACTOR,
    Calibration,
    SentenceScore,
    coverage_factor,
    load_calibration,
    reference_metrics,
    repeated_ngrams,
    score_sentence,
)

__all__ = [
    "CALIBRATION_FILE",
    "COVERAGE_FLOOR",
    "COVERAGE_MIN_WORDS",
    "INVENTED_FACTOR",
    "QUALITY_THRESHOLD",
    "UNTRANSLATED_FACTOR",
    "Calibration",
    "SentenceScore",
    "coverage_factor",
    "load_calibration",
    "reference_metrics",
    "repeated_ngrams",
    "score_sentence",
    "source_marks",
    "translation_marks",
]
