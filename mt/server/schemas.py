"""The service's request and response bodies, as typed models (the OpenAPI schema's source)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mt.records import Link, SentenceReport, SentenceTranslation, TranslationScore


class Strict(BaseModel):
    """A request body: a field this API does not know ("beam", "repair" on /v1/translate) is an
    error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class TranslateIn(Strict):
    text: str | list[str]
    segmented: bool = False
    details: bool = Field(False, description="Also return per-sentence records.")


class TranslateOut(BaseModel):
    """``translation`` for a string, ``translations`` for a list; ``sentences`` with details."""

    translation: str | None = None
    translations: list[str] | None = None
    sentences: list[list[SentenceTranslation]] | None = None


class CheckIn(Strict):
    text: str
    segmented: bool = False


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
    translation_flags: list[dict[str, Any]]
    source_flags: list[dict[str, Any]]


class DocumentDetail(DocumentOut):
    sentences: list[StoredSentence]


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
