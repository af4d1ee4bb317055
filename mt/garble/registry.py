"""Every detector, by the flag type it reports: adding one is a new file and a line here."""

from __future__ import annotations

from mt.garble import (
    article_compound,
    bad_elision,
    duplicate_word,
    english_leak,
    merged_token,
    missing_space,
    qui_subject,
    quote_mismatch,
    stray_capital,
    word_order,
)
from mt.garble.base import Detector

DETECTORS: dict[str, Detector] = {
    "merged_token": merged_token.detect,
    "stray_capital": stray_capital.detect,
    "qui_subject": qui_subject.detect,
    "article_compound": article_compound.detect,
    "duplicate_word": duplicate_word.detect,
    "english_leak": english_leak.detect,
    "bad_elision": bad_elision.detect,
    "quote_mismatch": quote_mismatch.detect,
    "missing_space": missing_space.detect,
    "word_order": word_order.detect,
}
