"""Per-sentence translation quality: one score in [0, 1], a flag, and the reasons behind it.

Each signal maps to a factor in [0, 1]; the quality is their product (any single failure is
enough to pull a sentence down), averaged with chrF when a reference exists. The model
confidence factor depends on the model's log-probability scale: a model directory may carry a
``quality.json`` fitted by ``eval/quality.py --fit``; the other break points were set by
reading outputs, not fitted on labelled data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from mt.errors import ModelNotFoundError
from mt.garble.check import FLAG_THRESHOLD
from mt.score.coverage import Coverage, coverage
from mt.score.estimator import Estimate
from mt.score.invented import invented
from mt.text.lexicon import detect_language
from mt.text.words import WORD
from mt.translate.untranslated import find as find_untranslated

QUALITY_THRESHOLD = 0.5
# quality factor per French word left untranslated in the output
UNTRANSLATED_FACTOR = 0.8
# quality factor per word the translation made up ("deocate")
INVENTED_FACTOR = 0.9
# below this share of the French content rendered (mt.score.coverage), the quality falls with its
# square (docs/design/decisions.md, "Coverage floor 0.5")
COVERAGE_FLOOR = 0.5
# one judged French word decides nothing alone ("Bonjour." → "Good morning.": the word has no
# table entry, so its share would be 0 and the quality 0)
COVERAGE_MIN_WORDS = 2


@dataclass(frozen=True)
class SentenceScore:
    """Quality of one translated sentence; ``blames_confidence``: the model's confidence is
    among the reasons it is low."""

    quality: float
    flagged: bool
    reasons: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)
    blames_confidence: bool = False


CALIBRATION_FILE = "quality.json"


@dataclass(frozen=True)
class Calibration:
    """How a model's mean token log-probability maps to the confidence factor.

    The factor is a logistic of ``(logprob - logprob_midpoint) * logprob_scale``: 0.5 at the
    midpoint. The defaults were set by reading outputs of earlier models; a model directory's
    ``quality.json`` (same field names) overrides them.
    """

    logprob_midpoint: float = -1.6
    logprob_scale: float = 3.0

    def __post_init__(self) -> None:
        if not self.logprob_scale > 0:
            raise ValueError(f"logprob_scale {self.logprob_scale} is not positive")


def load_calibration(model_dir: Path) -> Calibration:
    """The model directory's ``quality.json``, or the defaults when it has none."""
    path = Path(model_dir) / CALIBRATION_FILE
    if not path.is_file():
        return Calibration()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(float(data["logprob_midpoint"]), float(data["logprob_scale"]))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelNotFoundError(
            f'{path}: expected {{"logprob_midpoint": number, "logprob_scale": positive number}} ({exc})'
        ) from exc


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def coverage_factor(rendered: Coverage) -> float:
    """The quality factor for a coverage: 1 from :data:`COVERAGE_FLOOR` up, or with fewer than
    :data:`COVERAGE_MIN_WORDS` words judged; the square of its share of the floor below."""
    if rendered.judged < COVERAGE_MIN_WORDS:
        return 1.0
    return min(1.0, rendered.share / COVERAGE_FLOOR) ** 2


def repeated_ngrams(text: str, n: int = 3) -> int:
    """How many word n-grams occur more than once."""
    words = [w.lower() for w in WORD.findall(text)]
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) - len(set(grams))


def reference_metrics(translation: str, reference: str) -> dict[str, float]:
    """Sentence chrF (0–1) and BLEU (0–100) against a reference, with sacrebleu."""
    from sacrebleu.metrics import BLEU, CHRF

    return {
        "chrf": round(CHRF().sentence_score(translation, [reference]).score / 100, 4),
        "bleu": round(BLEU(effective_order=True).sentence_score(translation, [reference]).score, 2),
    }


def score_sentence(
    source: str,
    translation: str,
    *,
    logprob: float,
    garble_score: float,
    reference_scores: dict[str, float] | None = None,
    calibration: Calibration | None = None,
    estimate: Estimate | None = None,
) -> SentenceScore:
    """Combine the reference-free signals, and chrF against a reference when one was scored
    (``reference_scores`` from :func:`reference_metrics`); ``calibration`` is the model's
    (:func:`load_calibration`). With the learned estimator's ``estimate``
    (:mod:`mt.score.estimator`), its calibrated prediction is the reference-free quality and its
    reasons come first; the word checks still name their words."""
    cal = calibration or Calibration()
    reasons: list[str] = []
    signals: dict[str, float] = {"garble": garble_score, "logprob": logprob}
    if not source.strip():
        return SentenceScore(1.0, False, [], signals)
    if not translation.strip():
        return SentenceScore(0.0, True, ["empty translation"], signals)

    f_garble = 1 - garble_score
    if garble_score >= FLAG_THRESHOLD:
        reasons.append(f"garbled source ({garble_score:.2f})")
    f_model = _logistic((logprob - cal.logprob_midpoint) * cal.logprob_scale)
    if f_model < 0.5:
        reasons.append(f"low model confidence (log-prob {logprob:.2f})")
    ratio = (len(translation) + 5) / (len(source) + 5)
    signals["length_ratio"] = round(ratio, 3)
    f_length = 1.0 if 0.5 <= ratio <= 1.6 else max(0.0, 1 - abs(math.log(ratio / 0.95)) + 0.5)
    if f_length < 1.0:
        reasons.append(f"length ratio {ratio:.2f}")
    repeats = repeated_ngrams(translation)
    signals["repeated_trigrams"] = repeats
    f_repeat = 1.0 if repeats == 0 else max(0.2, 1 - 0.2 * repeats)
    if repeats:
        reasons.append(f"{repeats} repeated word trigrams")
    language, confidence = detect_language(WORD.findall(translation))
    copied = translation.strip() == source.strip() or (language == "fr" and confidence > 0.3)
    f_copy = 0.1 if copied else 1.0
    if copied:
        reasons.append("output is still French (untranslated)")
    # single French words kept as they were (the translator replaces those its table knows)
    # the estimator's signals carry the word checks' findings: not checked twice
    found = estimate.signals if estimate is not None else None
    kept = [] if copied else (found.kept if found else find_untranslated(source, translation))
    signals["untranslated_words"] = len(kept)
    f_kept = UNTRANSLATED_FACTOR ** len(kept)
    for u in kept:
        reasons.append(f"untranslated French word '{u.word}' (characters {u.start}-{u.end})")
    made_up = [] if copied else (found.made_up if found else invented(source, translation))
    signals["invented_words"] = len(made_up)
    f_invented = INVENTED_FACTOR ** len(made_up)
    for v in made_up:
        reasons.append(f"invented word '{v.word}' (characters {v.start}-{v.end})")
    rendered = found.rendered if found else coverage(source, translation)
    signals["coverage"] = rendered.share
    f_coverage = coverage_factor(rendered)
    if f_coverage < 1.0:
        lost = ", ".join(f"'{m.word}' ({m.start}-{m.end})" for m in rendered.missing)
        reasons.append(
            f"French words with no counterpart found in the translation "
            f"(coverage {rendered.share:.2f}; characters of the French): {lost}"
        )
    quality = f_garble * f_model * f_length * f_repeat * f_copy * f_kept * f_invented * f_coverage
    threshold = QUALITY_THRESHOLD
    if estimate is not None:
        quality, threshold = estimate.quality, estimate.flag_below
        # the estimator reads the model's confidence itself, and says so in its own words
        own = [r for r in reasons if not r.startswith("low model confidence")]
        reasons = [*estimate.reasons, *own]
    if reference_scores:
        signals.update(reference_scores)
        quality = 0.5 * quality + 0.5 * reference_scores["chrf"]
        if reference_scores["chrf"] < 0.3:
            reasons.append(f"far from the reference (chrF {reference_scores['chrf']:.2f})")
    quality = round(max(0.0, min(1.0, quality)), 4)
    flagged = quality < threshold
    if flagged and not reasons:
        # no signal failed alone, several lowered it together: name them, so that no sentence
        # is flagged without a reason (the other factors give a reason whenever they are < 1)
        weak = [
            (f_garble, f"garbled source ({garble_score:.2f})"),
            (f_model, f"model confidence (log-prob {logprob:.2f})"),
            (f_coverage, f"coverage {rendered.share:.2f}"),
        ]
        if reference_scores:
            chrf = reference_scores["chrf"]
            weak.append((chrf, f"chrF {chrf:.2f} against the reference"))
        named = [text for factor, text in sorted(weak) if factor < 0.95]
        reasons.append("several weaker signals together: " + ", ".join(named))
    blames = "logprob" in estimate.blamed if estimate is not None else f_model < 0.5
    return SentenceScore(quality, flagged, reasons, signals, blames)
