"""The ``/v1`` API: translate, check, align, background jobs and stored results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from mt.markup.sanitize import sanitize
from mt.score import source_marks, translation_marks
from mt.server.deps import State, enforce, state
from mt.server.jobs import NoWorkers, QueueFull
from mt.server.schemas import (
    AlignIn,
    AlignOut,
    CheckIn,
    CheckOut,
    DocumentDetail,
    DocumentOut,
    HealthOut,
    JobAccepted,
    JobIn,
    JobOut,
    PageOut,
    ReadyOut,
    ScoreIn,
    ScoreOut,
    StoredSentence,
    TranslateIn,
    TranslateOut,
)
from mt.server.work import bounded
from mt.text.segment import segment

router = APIRouter(prefix="/v1")
App = Annotated[State, Depends(state)]
# a stored document's id: SQLite's integers are 64-bit
DocId = Annotated[int, Path(ge=0, le=2**63 - 1)]


@router.get("/health", response_model=HealthOut)
def health(app: App) -> HealthOut:
    """Liveness: the process answers (and its store is readable)."""
    loaded = app.service.loaded_model()
    with app.store_lock:
        n = app.store.document_count()
    return HealthOut(status="ok", model=str(loaded) if loaded else None, documents=n)


@router.get(
    "/ready", response_model=ReadyOut, responses={503: {"description": "The model is not loaded."}}
)
def ready(app: App) -> ReadyOut:
    """200 once the translation model is loaded; 503 (with the reason) until then."""
    loaded = app.service.loaded_model()
    if loaded is None:
        reason = app.load_error or "the model is not loaded yet"
        raise HTTPException(503, reason, headers={"Retry-After": "5"})
    return ReadyOut(status="ready", model=str(loaded))


@router.post("/translate", response_model=TranslateOut, response_model_exclude_none=True)
async def translate(body: TranslateIn, app: App, request: Request) -> TranslateOut:
    texts = [body.text] if isinstance(body.text, str) else body.text
    if app.limits.max_batch is not None and len(texts) > app.limits.max_batch:
        raise HTTPException(413, f"{len(texts)} texts; the limit is {app.limits.max_batch}")
    enforce(app.limits, texts, body.segmented)
    if body.format == "html":
        return await _translate_pages(body, texts, app, request)
    docs = await bounded(
        request,
        app,
        lambda progress: app.service.translate(texts, segmented=body.segmented, progress=progress),
    )
    app.metrics.translated(texts, docs)
    out = (
        TranslateOut(translation=docs[0].text)
        if isinstance(body.text, str)
        else TranslateOut(translations=[d.text for d in docs])
    )
    if body.details:
        out.sentences = [d.sentences for d in docs]
    return out


async def _translate_pages(
    body: TranslateIn, texts: list[str], app: State, request: Request
) -> TranslateOut:
    if body.segmented:
        raise HTTPException(422, "segmented reads text line by line; it does not apply to HTML")
    pages = await bounded(
        request,
        app,
        lambda progress: app.service.translate_html(
            texts, attributes=body.attributes, progress=progress
        ),
    )
    app.metrics.translated(texts, pages)
    out = (
        TranslateOut(translation=pages[0].html)
        if isinstance(body.text, str)
        else TranslateOut(translations=[p.html for p in pages])
    )
    out.warnings = [w for p in pages for w in p.warnings()]
    if body.details:
        out.sentences = [p.sentences for p in pages]
        out.tags = [p.tags for p in pages]
    return out


@router.post("/check", response_model=CheckOut)
def check(body: CheckIn, app: App) -> CheckOut:
    enforce(app.limits, [body.text], body.segmented)
    if body.format == "html":
        if body.segmented:
            raise HTTPException(422, "segmented reads text line by line; it does not apply to HTML")
        return CheckOut(sentences=app.service.check_html(body.text))
    return CheckOut(sentences=app.service.check(body.text, segmented=body.segmented))


@router.post("/align", response_model=AlignOut)
def align(body: AlignIn, app: App) -> AlignOut:
    fr, en = (
        [s.text for s in segment(x).sentences] if isinstance(x, str) else x
        for x in (body.fr, body.en)
    )
    enforce(app.limits, [*fr, *en])
    if max(len(fr), len(en)) > app.limits.max_sentences:
        raise HTTPException(413, f"more than {app.limits.max_sentences} sentences on one side")
    return AlignOut(links=app.service.align(fr, en, clauses=body.clauses))


@router.post("/score", response_model=ScoreOut)
async def score(body: ScoreIn, app: App, request: Request) -> ScoreOut:
    """The estimated quality of translations made by any system, sentence by sentence."""
    sizes = {len(body.fr), len(body.en), len(body.references or body.fr)}
    if len(sizes) > 1:
        raise HTTPException(422, "fr, en and references must hold as many sentences")
    enforce(app.limits, [*body.fr, *body.en, *(body.references or [])], segmented=True)
    if len(body.fr) > app.limits.max_sentences:
        raise HTTPException(413, f"more than {app.limits.max_sentences} sentences")
    found = await bounded(
        request,
        app,
        lambda progress: app.service.score_translations(body.fr, body.en, body.references),
    )
    return ScoreOut(scores=found)


@router.post("/jobs", status_code=202, response_model=JobAccepted)
def create_job(body: JobIn, app: App) -> JobAccepted:
    enforce(app.limits, [d.text for d in body.documents], each=True)
    try:
        return JobAccepted(job_id=app.jobs.submit(body))
    except QueueFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "30"}) from None
    except NoWorkers as exc:
        raise HTTPException(503, str(exc)) from None


@router.get("/jobs/{job_id}", response_model=JobOut, response_model_exclude_none=True)
def get_job(job_id: str, app: App) -> JobOut:
    job = app.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return JobOut(**job)


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(app: App) -> list[DocumentOut]:
    with app.store_lock:
        return [DocumentOut(**d) for d in app.store.documents()]


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def get_document(doc_id: DocId, app: App) -> DocumentDetail:
    with app.store_lock:
        doc = app.store.document(doc_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id}")
        sentences = app.store.sentences(doc_id)
        page = app.store.page(doc_id)
    for sent in sentences:
        # derived from what is stored, so runs made before these fields have them too
        sent["translation_flags"] = translation_marks(
            sent["repaired"], sent["translation"], sent["unlikely"]
        )
        sent["source_flags"] = source_marks(sent["source"], sent["translation"], sent["repaired"])
    return DocumentDetail(
        **doc, sentences=[StoredSentence(**s) for s in sentences], page=page is not None
    )


@router.get("/documents/{doc_id}/page", response_model=PageOut)
def get_page(doc_id: DocId, app: App) -> PageOut:
    """An HTML document's page beside its translation, both sanitised for showing."""
    with app.store_lock:
        page = app.store.page(doc_id)
    if page is None:
        raise HTTPException(404, f"document {doc_id} has no HTML page")
    return PageOut(
        source=sanitize(page.source),
        translation=sanitize(page.translation),
        tags=page.tags,
        warnings=page.warnings,
    )
