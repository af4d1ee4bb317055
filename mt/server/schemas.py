"""The service's request and response bodies, as typed models (the OpenAPI schema's source)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mt.records import (
    Link,
    SentenceReport,
    SentenceTranslation,
    TagPlacement,
    TranslationScore,
)


class Strict(BaseModel):
    """A request body: a field this API does not know ("beam", "repair" on /v1/translate) is an
    error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class TranslateIn(Strict):
    text: str | list[str]
    segmented: bool = False
    details: bool = Field(False, description="Also return per-sentence records.")
    format: Literal["text", "html"] = Field(
        "text", description="html: pages in, pages out, markup kept and inline tags carried."
    )
    attributes: bool = Field(False, description="html: translate alt and title too.")


class TranslateOut(BaseModel):
    """``translation`` for a string, ``translations`` for a list; ``sentences`` with details,
    and for HTML ``tags`` (where each inline tag went) and ``warnings``."""

    translation: str | None = None
    translations: list[str] | None = None
    sentences: list[list[SentenceTranslation]] | None = None
    tags: list[list[TagPlacement]] | None = None
    warnings: list[str] | None = None


class CheckIn(Strict):
    text: str
    segmented: bool = False
    format: Literal["text", "html"] = Field(
        "text", description="html: tag-edge damage too; offsets into the HTML source."
    )


class CheckOut(BaseModel):
    sentences: list[SentenceReport]


class AlignIn(Strict):
    fr: list[str] | str
    en: list[str] | str
    clauses: bool = Field(True, description="False: whole sentences are the units.")


class AlignOut(BaseModel):
    links: list[Link]


class ScoreIn(Strict):
    fr: list[str] = Field(description="French sentences.")
    en: list[str] = Field(description="Their translations, by any system, in the same order.")
    references: list[str] | None = Field(None, description="Human translations (adds chrF).")


class ScoreOut(BaseModel):
    scores: list[TranslationScore]


class DocumentIn(Strict):
    name: str = "document"
    text: str
    reference: str | None = None
    format: Literal["text", "html", "auto"] = Field(
        "auto",
        description="auto: HTML when the name ends in .html/.htm or the text opens with markup.",
    )


class JobIn(Strict):
    documents: list[DocumentIn] = Field(min_length=1)
    repair: bool = False


class JobAccepted(BaseModel):
    job_id: str


class JobOut(BaseModel):
    """A background job: its documents' ids in the store as they are done."""

    id: str
    status: str
    documents: list[int]
    failed: int
    total: int
    run_id: int | None = None
    error: str | None = None


class HealthOut(BaseModel):
    status: str
    model: str | None
    documents: int


class ReadyOut(BaseModel):
    status: str
    model: str


class DocumentOut(BaseModel):
    """A stored document and its summary."""

    id: int
    run_id: int
    name: str
    status: str
    error: str | None
    metadata: str | None
    summary: dict[str, Any] | None


class StoredSentence(BaseModel):
    """A stored sentence, with the spans the dashboard marks."""

    idx: int
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
    unlikely: list[tuple[int, int]] = Field(
        default_factory=list,
        description="English spans the model found unlikely (flagged sentences that blame it).",
    )
    translation_flags: list[dict[str, Any]]
    source_flags: list[dict[str, Any]]


class DocumentDetail(DocumentOut):
    sentences: list[StoredSentence]
    page: bool = Field(False, description="An HTML document: its page is at .../page.")


class PageOut(BaseModel):
    """An HTML document's page and its translation, sanitised (no scripts, styles, event
    handlers, images or javascript: links), and where each inline tag went."""

    source: str
    translation: str
    tags: list[dict[str, Any]]
    warnings: list[str]


class Limits(BaseModel):
    """How much one request may ask for, and how much work the server takes on at once."""

    max_request_bytes: int = 1_000_000
    max_sentences: int = 2_000
    # characters of text one request may send (LibreTranslate's --char-limit): a request at the
    # limit is translated in seconds on one core
    max_chars: int = 20_000
    # texts one LibreTranslate request may send in its q list (None: any number)
    max_batch: int | None = None
    # seconds a request's work may take before it is stopped
    timeout: float = 60.0
    # background jobs run at once, and how many may wait or run before new ones are refused
    job_workers: int = 1
    max_queued_jobs: int = 16
