"""The learned quality estimator: a small LightGBM model over the reference-free signals of
:mod:`mt.score.signals`, fitted per translation model by ``scripts/train_qe.py`` to predict
sentence chrF, and calibrated so that a quality of 0.6 means an expected chrF of about 0.6.
The fitted files live in the model's directory (``qe.json``, ``qe-model.txt``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from mt.errors import ModelNotFoundError
from mt.garble import check_sentence
from mt.score.agreement import AGREEMENT_SAMPLES, agreement
from mt.score.signals import AGREEMENT, FEATURES, Signals, low_spans, signals

META_FILE = "qe.json"
MODEL_FILE = "qe-model.txt"
# the estimator that also reads the model's agreement with the translation
AGREEMENT_META_FILE = "qe-agreement.json"
AGREEMENT_MODEL_FILE = "qe-agreement-model.txt"
AGREEMENT_FEATURES = (*FEATURES, AGREEMENT)
# a signal whose contribution lowers the prediction by at least this much is a reason
REASON_CONTRIBUTION = 0.02


class TokenScorer(Protocol):
    """What gives each English token its log-probability, and draws translations of its own
    (an ``mt.Translator``)."""

    def token_logprobs(
        self, sources: Sequence[str], targets: Sequence[str]
    ) -> list[list[tuple[str, float]] | None]: ...

    def sample_translations(self, sources: Sequence[str], n: int) -> list[list[str]]: ...


def pair_signals(
    scorer: TokenScorer,
    fr: Sequence[str],
    en: Sequence[str],
    garble: Sequence[float] | None = None,
    logprobs: Sequence[float] | None = None,
    *,
    with_agreement: bool = False,
) -> list[Signals]:
    """The signals of each (French, English) pair. ``logprobs``: the model's decoding scores of
    its own translations; without them (another system's translations) the model scores the
    English by forced decoding, which also marks its surprising tokens. ``garble``: the French
    sentences' garble scores, when already known. ``with_agreement``: also the model's
    agreement with each English sentence, from samples of its own (a second decoding)."""
    tokens: Sequence[Sequence[tuple[str, float]] | None]
    if logprobs is None:
        tokens = scorer.token_logprobs(fr, en)
        logprobs = [sum(v for _, v in t) / max(len(t), 1) if t else 0.0 for t in tokens]
    else:
        tokens = [None] * len(fr)
    found = garble if garble is not None else [check_sentence(f).garble_score for f in fr]
    agreed: Sequence[float | None] = (
        agreement(en, scorer.sample_translations(fr, AGREEMENT_SAMPLES))
        if with_agreement
        else [None] * len(fr)
    )
    return [
        signals(f, e, lp, g, t, a)
        for f, e, lp, g, t, a in zip(fr, en, logprobs, found, tokens, agreed, strict=True)
    ]


def unlikely_spans(
    scorer: TokenScorer, fr: Sequence[str], en: Sequence[str]
) -> list[list[tuple[int, int]]]:
    """Character spans of each English sentence's tokens that the model, by forced decoding,
    gives less than :data:`mt.score.signals.LOW_PROB` (none where the pair cannot be scored)."""
    scored = scorer.token_logprobs(fr, en)
    return [low_spans(e, t) if t else [] for e, t in zip(en, scored, strict=True)]


@dataclass(frozen=True)
class Estimate:
    """A sentence's estimated quality, whether it is flagged, and the signals that pulled it
    down (``blamed``, named as in :data:`FEATURES`; ``reasons``, in words), with the English
    (``en``) or French (``fr``) character spans they point at."""

    quality: float
    flag_below: float
    reasons: list[str]
    spans: list[tuple[str, int, int]]
    signals: Signals
    blamed: list[str]

    @property
    def flagged(self) -> bool:
        return self.quality < self.flag_below


class Estimator:
    """A fitted estimator, read from a model directory: the one over the cheap signals, or
    with ``agreement`` the one that also reads the model's agreement with the translation."""

    def __init__(self, folder: Path, agreement: bool = False) -> None:
        import lightgbm as lgb

        meta_file, model_file = estimator_files(agreement)
        try:
            text = (folder / meta_file).read_text(encoding="utf-8")
            meta = json.loads(text)
            model = (folder / model_file).read_text(encoding="utf-8")
            self.booster = lgb.Booster(model_str=model)
        except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
            raise ModelNotFoundError(f"{folder}: unreadable quality estimator ({exc})") from exc
        self.features = AGREEMENT_FEATURES if agreement else FEATURES
        if meta.get("features") != list(self.features):
            raise ModelNotFoundError(
                f"{folder / meta_file} was fitted on other signals; refit it with "
                "scripts/train_qe.py"
            )
        # identifies the fitted files: scores under different estimators do not compare
        self.fingerprint = hashlib.sha256((text + model).encode()).hexdigest()[:16]
        try:
            self.calibration = (
                [float(v) for v in meta["calibration"]["x"]],
                [float(v) for v in meta["calibration"]["y"]],
            )
            self.flag_below = float(meta["flag_below"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelNotFoundError(f"{folder / META_FILE}: incomplete ({exc})") from exc

    def estimate(self, found: Sequence[Signals]) -> list[Estimate]:
        """Quality, flag and reasons of each pair from its signals."""
        if not found:
            return []
        x = np.array([s.vector(self.features) for s in found], dtype=np.float64)
        raw = self.booster.predict(x)
        contributions = self.booster.predict(x, pred_contrib=True)
        out = []
        for k, s in enumerate(found):
            quality = round(float(np.interp(raw[k], *self.calibration)), 4)
            blamed, reasons, spans = _reasons(s, contributions[k], self.features)
            out.append(Estimate(quality, self.flag_below, reasons, spans, s, blamed))
        return out

    @property
    def needs_agreement(self) -> bool:
        """Whether its signals include the model's agreement (a second decoding)."""
        return AGREEMENT in self.features


def estimator_files(agreement: bool = False) -> tuple[str, str]:
    """The names of an estimator's files in a model directory (description, booster)."""
    return (AGREEMENT_META_FILE, AGREEMENT_MODEL_FILE) if agreement else (META_FILE, MODEL_FILE)


def load_estimator(folder: Path, agreement: bool = False) -> Estimator | None:
    """The model directory's estimator (with ``agreement``: the one that reads the model's
    agreement), or None when it has none."""
    if not (Path(folder) / estimator_files(agreement)[0]).is_file():
        return None
    return Estimator(Path(folder), agreement)


def _reasons(
    s: Signals, contribution: Sequence[float], features: Sequence[str]
) -> tuple[list[str], list[str], list[tuple[str, int, int]]]:
    """The signals that lowered the prediction most: their names, in words, and their spans."""
    v = s.values
    texts = {
        "logprob": f"the model finds the English unlikely (log-prob {v['logprob']:.2f})",
        "coverage": f"French content left out (coverage {v['coverage']:.2f})",
        "invented": "a word that English does not know",
        "untranslated": "French words left untranslated",
        "numbers_lost": "a number of the French is missing from the English",
        "names_lost": "a name of the French is missing from the English",
        "repeats": "repeated words",
        "length_ratio": f"length ratio {v['length_ratio']:.2f}",
        "garble": f"garbled source ({v['garble']:.2f})",
        "src_rare_share": "rare words in the French (names, terms or damage)",
        "tgt_rare_share": "rare words in the English",
        AGREEMENT: "the model, asked again, says something else "
        f"(agreement {v.get(AGREEMENT, 1.0):.2f})",
    }
    # context, not faults: length and how much there was to judge explain, they do not blame
    faults = [k for k, name in enumerate(features) if name in texts]
    order = sorted(faults, key=lambda k: contribution[k])
    blamed: list[str] = []
    reasons: list[str] = []
    spans: list[tuple[str, int, int]] = []
    for k in order:
        if contribution[k] > -REASON_CONTRIBUTION or len(reasons) == 3:
            break
        name = features[k]
        blamed.append(name)
        reasons.append(texts[name])
        if name == "logprob":
            spans += [("en", a, b) for a, b in s.low_spans]
        elif name == "coverage":
            spans += [("fr", m.start, m.end) for m in s.rendered.missing]
    return blamed, reasons, sorted(set(spans))
