"""Reference-free signals of one translation, for the learned quality estimator
(:mod:`mt.score.estimator`): how likely the translation model finds the English, and what the
word checks find. All are cheap next to decoding: the model's log-probability comes with its
own translations, and a translation by another system is scored by one forced-decoding pass.
One more, :data:`AGREEMENT` (:mod:`mt.score.agreement`), costs a second decoding and is
computed only for an estimator fitted with it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mt.score.coverage import Coverage, coverage
from mt.score.invented import Invented, invented
from mt.text.lexicon import zipf
from mt.text.words import WORD
from mt.translate.untranslated import Untranslated
from mt.translate.untranslated import find as find_untranslated

# a token the model gives less than this probability is "surprising"
LOW_PROB = math.log(0.05)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ]{2,}")

FEATURES = (
    "logprob",
    "length_ratio",
    "coverage",
    "coverage_judged",
    "invented",
    "untranslated",
    "numbers_lost",
    "names_lost",
    "repeats",
    "garble",
    "src_words",
    "src_rare_share",
    "tgt_rare_share",
)
# the model's agreement with the translation (samples: a decoding pass of its own)
AGREEMENT = "agreement"
# a word rarer than this (wordfreq zipf) is rare: names, terms, typos
RARE_ZIPF = 3.0


@dataclass(frozen=True)
class Signals:
    """One sentence pair's signals (:data:`FEATURES`, in order), the English character spans
    of its surprising tokens (when its tokens were scored), and what the word checks found (for
    the reasons: the score reads them from here rather than checking again)."""

    values: dict[str, float]
    low_spans: list[tuple[int, int]]
    rendered: Coverage
    made_up: list[Invented]
    kept: list[Untranslated]

    def vector(self, features: Sequence[str] = FEATURES) -> list[float]:
        """The values of ``features``, in order (NaN for one not computed)."""
        return [self.values.get(f, math.nan) for f in features]


def token_spans(translation: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece in ``translation`` (eos: an empty span at
    the end); pieces the text does not spell as they are (normalised) get the span so far."""
    spans = []
    at = 0
    for piece in pieces:
        text = piece.replace("▁", " ").lstrip() if piece != "</s>" else ""
        found = translation.find(text, at) if text else -1
        if found >= 0 and found - at <= 2:
            spans.append((found, found + len(text)))
            at = found + len(text)
        else:
            spans.append((at, at))
    return spans


def low_spans(translation: str, tokens: Sequence[tuple[str, float]]) -> list[tuple[int, int]]:
    """Character spans of ``translation``'s tokens (pieces with their log-probabilities) that
    the model gives less than :data:`LOW_PROB`, neighbours merged into one span."""
    spans = token_spans(translation, [p for p, _ in tokens])
    out: list[tuple[int, int]] = []
    for k, (_, v) in enumerate(tokens):
        start, end = spans[k]
        if v >= LOW_PROB or end <= start:
            continue
        if out and translation[out[-1][1] : start] == "":
            out[-1] = (out[-1][0], end)  # pieces of one word
        else:
            out.append((start, end))
    return out


def _rare_share(words: Sequence[str], lang: str) -> float:
    """The share of ``words`` that are rare in ``lang`` (difficult or damaged text)."""
    return sum(zipf(w, lang) < RARE_ZIPF for w in words) / max(len(words), 1)


def _lost(pattern: re.Pattern[str], source: str, translation: str) -> int:
    """Items of ``source`` matched by ``pattern`` that ``translation`` does not contain."""
    found = {m.group().replace(",", ".") for m in pattern.finditer(translation)}
    return sum(1 for m in pattern.finditer(source) if m.group().replace(",", ".") not in found)


def signals(
    source: str,
    translation: str,
    logprob: float,
    garble: float,
    tokens: Sequence[tuple[str, float]] | None = None,
    agreement: float | None = None,
) -> Signals:
    """The signals of one pair. ``logprob``: the model's mean token log-probability of the
    translation (its decoding score, or the forced-decoding score of another system's);
    ``garble``: the source's garble score; ``tokens``: the translation's pieces with their
    log-probabilities, when scored, for the spans of the surprising ones; ``agreement``: the
    model's agreement with the translation (:func:`mt.score.agreement.agreement`), when
    computed."""
    unlikely = low_spans(translation, tokens) if tokens else []
    rendered = coverage(source, translation)
    made_up = invented(source, translation)
    kept = find_untranslated(source, translation)
    words = [w.lower() for w in WORD.findall(translation)]
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    src_words = WORD.findall(source)
    values = {
        "logprob": logprob,
        "length_ratio": (len(translation) + 5) / (len(source) + 5),
        "coverage": rendered.share,
        "coverage_judged": float(rendered.judged),
        "invented": float(len(made_up)),
        "untranslated": float(len(kept)),
        "numbers_lost": float(_lost(_NUMBER, source, translation)),
        "names_lost": float(_lost(_NAME, source, translation)),
        "repeats": float(len(grams) - len(set(grams))),
        "garble": garble,
        "src_words": float(len(src_words)),
        "src_rare_share": _rare_share(src_words, "fr"),
        "tgt_rare_share": _rare_share(WORD.findall(translation), "en"),
    }
    if agreement is not None:
        values[AGREEMENT] = agreement
    return Signals(values, unlikely, rendered, made_up, kept)
