"""The records that flow between the stages: plain, frozen dataclasses and nothing else.

The store imports these and no stage, so what is stored is what the stages hand on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# ---------------------------------------------------------------------------- garble


@dataclass(frozen=True)
class Flag:
    """One problem in a sentence: what, where (character offsets in the sentence), and why."""

    type: str
    start: int
    end: int
    text: str
    reason: str
    confidence: float
    suggestion: str | None = None
    # for a page: the flagged text's character offsets in the HTML source
    html: tuple[int, int] | None = None


@dataclass(frozen=True)
class SentenceReport:
    """Garble report for one sentence."""

    index: int
    text: str
    garble_score: float
    flagged: bool
    flags: list[Flag] = field(default_factory=list)
    language: str = "fr"
    start: int = 0  # offsets of the sentence in the checked text
    end: int = 0
    # mean per-token log-probability of the sentence's translation, when a model was given
    model_logprob: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """One applied fix, with offsets into the original text."""

    type: str
    start: int
    end: int
    before: str
    after: str


@dataclass(frozen=True)
class Repair:
    """Repaired text, the metadata moved out of it, and every change made."""

    text: str
    changes: list[Change]
    metadata: str | None = None


# ---------------------------------------------------------------------------- translation


@dataclass(frozen=True)
class SentenceTranslation:
    """One translated sentence of a document."""

    paragraph: int
    sentence: int
    source: str
    translation: str
    # mean log-probability per target token (eos included), forced-decoding score of the model's
    # output (before mt.translate.untranslated replaced any word)
    logprob: float
    src_tokens: int
    tgt_tokens: int
    split_long: bool  # the source was too long for the model and was chunked at clause boundaries
    chunks: int  # how many pieces the source was translated in (1 unless split_long)
    repetition_guard: bool  # a repetition loop or runaway output was caught and re-decoded
    start: int  # character offsets of the source sentence in the input document
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DocumentTranslation:
    """A translated document: English text with the input's paragraph structure, and records."""

    text: str
    sentences: list[SentenceTranslation]
    metadata: str | None = None


@dataclass(frozen=True)
class SegmentTranslation:
    """Translation of one segment (possibly assembled from chunks)."""

    translation: str
    logprob: float
    src_tokens: int
    tgt_tokens: int
    split_long: bool
    chunks: int
    repetition_guard: bool


# ---------------------------------------------------------------------------- alignment


@dataclass(frozen=True)
class Link:
    """One bead: French sentence indices, English sentence indices, and its score."""

    fr: list[int]
    en: list[int]
    score: float

    def gold_format(self) -> str:
        return f"{self.fr}:{self.en}".replace(" ", "")


# ---------------------------------------------------------------------------- HTML pages


@dataclass(frozen=True)
class TagPlacement:
    """An inline tag of a page's block ``block`` and where it landed: character spans in the
    block's French and English text; ``how`` is ``links`` (on its words' links), ``weak``
    (on the English words that attend most to its words, below the share a link needs) or
    ``nearest`` (nothing links them: put around the nearest words, and reported)."""

    block: int
    tag: str
    fr_start: int
    fr_end: int
    fr_text: str
    en_start: int
    en_end: int
    en_text: str
    how: str


@dataclass(frozen=True)
class PageTranslation:
    """A translated HTML page: its HTML, each block's French (as translated, after any
    repair) and English, the sentence records (``paragraph`` is the block), where each inline
    tag went, and the repairs made before translation as (block, change)."""

    html: str
    blocks: list[tuple[str, str]]
    sentences: list[SentenceTranslation]
    tags: list[TagPlacement] = field(default_factory=list)
    changes: list[tuple[int, Change]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The English of every block, a paragraph each (the page as plain text)."""
        return "\n\n".join(en for _, en in self.blocks)

    def warnings(self) -> list[str]:
        """One line per inline tag that no word link placed."""
        return [
            f"block {t.block}: <{t.tag}> over '{t.fr_text}' has no linked English words; "
            f"put around '{t.en_text}'"
            for t in self.tags
            if t.how == "nearest"
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PageRecord:
    """What is kept of a processed page: its HTML source and translation, and its tags."""

    source: str
    translation: str
    tags: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- a processed document


@dataclass(frozen=True)
class SentenceResult:
    """Everything known about one sentence of a processed document. ``unlikely``: character
    spans of the English that the model found unlikely, in a flagged sentence whose score
    blames the model's confidence."""

    index: int
    paragraph: int
    source: str
    repaired: str
    translation: str
    reference: str | None
    logprob: float
    garble_score: float
    quality: float
    flagged: bool
    reasons: list[str]
    flags: list[dict[str, Any]]
    metrics: dict[str, float]
    unlikely: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class TranslationScore:
    """The estimated quality of one translation of one French sentence, by any system.

    ``spans``: where the reasons point, as ``(side, start, end)`` with side ``fr`` or ``en``;
    ``signals``: what the estimate was made from; ``chrf`` only with a reference.
    """

    index: int
    source: str
    translation: str
    quality: float
    flagged: bool
    reasons: list[str]
    spans: list[tuple[str, int, int]]
    signals: dict[str, float]
    chrf: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DocumentResult:
    """A processed document and its summary."""

    name: str
    metadata: str | None
    sentences: list[SentenceResult]
    summary: dict[str, Any] = field(default_factory=dict)
    page: PageRecord | None = None  # for an HTML document

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
