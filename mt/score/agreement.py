"""How much the model agrees with a translation: the mean chrF of the translation against the
model's own random samples of the same French. A model that says the same thing each time it is
asked means it; one that says something else each time is unsure of the meaning, even where
its best guess reads fluently and scores a high probability."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# samples drawn per sentence (the estimator is fitted with this many)
AGREEMENT_SAMPLES = 4


def agreement(translations: Sequence[str], samples: Sequence[Sequence[str]]) -> list[float]:
    """Mean sentence chrF (0–1) of each translation against each of its samples; NaN where a
    sentence has no samples (the model does not read it whole) or no translation."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    return [
        statistics.fmean(chrf.sentence_score(t, [s]).score / 100 for s in drawn)
        if drawn and t.strip()
        else math.nan
        for t, drawn in zip(translations, samples, strict=True)
    ]
