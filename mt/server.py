"""REST service (FastAPI): translation, checking, alignment, background jobs, stored results,
LibreTranslate-compatible endpoints, and the quality dashboard at ``/``."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mt.backends import DEFAULT_BACKEND
from mt.errors import MTError
from mt.score import source_marks, translation_marks
from mt.store import Store

STATIC = Path(__file__).resolve().parent / "static"


class Strict(BaseModel):
    """A request body: a field this API does not know ("beam", "repair" on /v1/translate) is an
    error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class TranslateIn(Strict):
    text: str | list[str]
    segmented: bool = False
    details: bool = Field(False, description="Also return per-sentence records.")


class CheckIn(Strict):
    text: str
    segmented: bool = False


class AlignIn(Strict):
    fr: list[str] | str
    en: list[str] | str
    # False: whole sentences are the units (mt align --sentences)
    clauses: bool = True


class DocumentIn(Strict):
    name: str = "document"
    text: str
    reference: str | None = None


class JobIn(Strict):
    documents: list[DocumentIn] = Field(min_length=1)
    repair: bool = False


class Limits(BaseModel):
    max_request_bytes: int = 1_000_000
    max_sentences: int = 2_000


def create_app(
    db: str | Path = "results.db",
    *,
    model: str | None = None,
    backend: str = DEFAULT_BACKEND,
    beam: int = 4,
    limits: Limits | None = None,
) -> FastAPI:
    """The application; the model is loaded once, on first use, and shared by all requests."""
    limits = limits or Limits()
    app = FastAPI(title="mt", version="0.1.0", description=__doc__)
    store = Store(db)
    store_lock = threading.Lock()
    jobs: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {}
    load_lock = threading.Lock()

    def translator() -> Any:
        from mt.translate import Translator

        with load_lock:
            if "translator" not in state:
                state["translator"] = Translator(model, beam=beam, backend=backend)
            return state["translator"]

    def embedder() -> Any:
        """The bundled sentence encoder (None when not installed), loaded on first use."""
        from mt.embed import bundled_embedder

        with load_lock:
            if "embedder" not in state:
                state["embedder"] = bundled_embedder()
            return state["embedder"]

    def count_sentences(texts: list[str], segmented: bool) -> int:
        from mt.segment import segment, segment_lines

        if segmented:
            return sum(len(segment_lines(t)) for t in texts)
        return sum(len(segment(t).sentences) for t in texts)

    def enforce(texts: list[str], segmented: bool = False) -> None:
        n = count_sentences(texts, segmented)
        if n > limits.max_sentences:
            raise HTTPException(
                413, f"{n} sentences; the limit is {limits.max_sentences} per request"
            )

    @app.middleware("http")
    async def limit_size(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limits.max_request_bytes:
            return JSONResponse(
                {
                    "detail": f"request body of {length} bytes; the limit is {limits.max_request_bytes}"
                },
                status_code=413,
            )
        return await call_next(request)

    @app.exception_handler(MTError)
    async def mt_error(request: Request, exc: MTError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        loaded = state.get("translator")
        with store_lock:
            n = store.document_count()
        return {"status": "ok", "model": str(loaded.path) if loaded else None, "documents": n}

    @app.post("/v1/translate")
    def translate(body: TranslateIn) -> dict[str, Any]:
        texts = [body.text] if isinstance(body.text, str) else body.text
        enforce(texts, body.segmented)
        docs = translator().translate_documents(texts, segmented=body.segmented)
        out: dict[str, Any] = (
            {"translation": docs[0].text}
            if isinstance(body.text, str)
            else {"translations": [d.text for d in docs]}
        )
        if body.details:
            out["sentences"] = [[r.to_dict() for r in d.sentences] for d in docs]
        return out

    @app.post("/v1/check")
    def check(body: CheckIn) -> dict[str, Any]:
        from mt.garble import check as check_text

        enforce([body.text], body.segmented)
        return {"sentences": [r.to_dict() for r in check_text(body.text, segmented=body.segmented)]}

    @app.post("/v1/align")
    def align(body: AlignIn) -> dict[str, Any]:
        from mt.align import align as align_sentences
        from mt.segment import segment

        sides = [
            [s.text for s in segment(x).sentences] if isinstance(x, str) else x
            for x in (body.fr, body.en)
        ]
        if max(len(sides[0]), len(sides[1])) > limits.max_sentences:
            raise HTTPException(413, f"more than {limits.max_sentences} sentences on one side")
        links = align_sentences(sides[0], sides[1], embedder=embedder(), clauses=body.clauses)
        return {"links": [{"fr": x.fr, "en": x.en, "score": x.score} for x in links]}

    def run_job(job_id: str, body: JobIn) -> None:
        from dataclasses import asdict

        from mt.pipeline import run_document
        from mt.score import load_calibration

        job = jobs[job_id]
        job["status"] = "running"
        try:
            tr = translator()
            calibration = load_calibration(tr.path)
            encoder = embedder() if any(d.reference for d in body.documents) else None
            settings = {
                "model": str(tr.path),
                "backend": backend,
                "beam": beam,
                "job": job_id,
                "embedder": str(encoder.path) if encoder else None,
            }
            with store_lock:
                run_id = store.new_run(settings | {"calibration": asdict(calibration)})
            job["run_id"] = run_id
            for d in body.documents:
                try:
                    doc = run_document(
                        d.text,
                        tr,
                        name=d.name,
                        reference=d.reference,
                        repair_source=body.repair,
                        calibration=calibration,
                        embedder=encoder,
                    )
                    with store_lock:
                        doc_id = store.add_result(run_id, doc)
                    job["documents"].append(doc_id)
                except Exception as exc:  # one bad document does not stop the job
                    with store_lock:
                        job["documents"].append(store.add_failure(run_id, d.name, str(exc)))
                    job["failed"] += 1
            job["status"] = "done"
        except Exception as exc:
            job.update(status="failed", error=str(exc))

    @app.post("/v1/jobs", status_code=202)
    def create_job(body: JobIn) -> dict[str, Any]:
        enforce([d.text for d in body.documents])
        job_id = uuid.uuid4().hex[:12]
        jobs[job_id] = {
            "id": job_id,
            "status": "queued",
            "documents": [],
            "failed": 0,
            "total": len(body.documents),
        }
        threading.Thread(target=run_job, args=(job_id, body), daemon=True).start()
        return {"job_id": job_id}

    @app.get("/v1/jobs/{job_id}")
    def get_job(job_id: str) -> dict[str, Any]:
        if job_id not in jobs:
            raise HTTPException(404, f"no job {job_id}")
        return jobs[job_id]

    @app.get("/v1/documents")
    def list_documents() -> list[dict[str, Any]]:
        with store_lock:
            return store.documents()

    @app.get("/v1/documents/{doc_id}")
    def get_document(doc_id: int) -> dict[str, Any]:
        with store_lock:
            doc = store.document(doc_id)
            if doc is None:
                raise HTTPException(404, f"no document {doc_id}")
            sentences = store.sentences(doc_id)
        for sent in sentences:
            # derived from what is stored, so runs made before this field have it too
            sent["translation_flags"] = translation_marks(sent["repaired"], sent["translation"])
            sent["source_flags"] = source_marks(
                sent["source"], sent["translation"], sent["repaired"]
            )
        return {**doc, "sentences": sentences}

    # ---------------------------------------------------------------- LibreTranslate API

    async def fields(request: Request) -> dict[str, Any]:
        """LibreTranslate clients send JSON or form data; accept both."""
        raw = await request.body()
        kind = request.headers.get("content-type", "")
        if "json" in kind:
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                raise HTTPException(400, "malformed JSON body") from None
            if not isinstance(data, dict):
                raise HTTPException(400, "the JSON body must be an object")
            return data
        parsed = parse_qs(raw.decode("utf-8", errors="replace"))
        return {k: v if len(v) > 1 else v[0] for k, v in parsed.items()}

    @app.post("/translate")
    async def lt_translate(request: Request) -> dict[str, Any]:
        data = await fields(request)
        q = data.get("q")
        if q is None or not isinstance(q, str | list):
            raise HTTPException(400, "Invalid request: missing q parameter")
        if data.get("source", "fr") not in ("fr", "auto"):
            raise HTTPException(
                400, f"source language {data.get('source')!r} is not supported (fr)"
            )
        if data.get("target", "en") != "en":
            raise HTTPException(
                400, f"target language {data.get('target')!r} is not supported (en)"
            )
        texts = [q] if isinstance(q, str) else [str(x) for x in q]
        if data.get("format", "text") == "html":
            import re

            texts = [re.sub(r"<[^>]+>", " ", t) for t in texts]  # translate the visible text
        enforce(texts)
        docs = translator().translate_documents(texts)
        out = [d.text for d in docs]
        return {"translatedText": out[0] if isinstance(q, str) else out}

    @app.get("/languages")
    def lt_languages() -> list[dict[str, Any]]:
        return [
            {"code": "fr", "name": "French", "targets": ["en"]},
            {"code": "en", "name": "English", "targets": []},
        ]

    @app.post("/detect")
    async def lt_detect(request: Request) -> list[dict[str, Any]]:
        import re

        from mt.lexicon import detect_language

        data = await fields(request)
        q = data.get("q")
        if not isinstance(q, str):
            raise HTTPException(400, "Invalid request: missing q parameter")
        if not q.strip():  # nothing to detect: an answer would be a guess
            raise HTTPException(400, "Invalid request: q is empty")
        language, confidence = detect_language(re.findall(r"[^\W\d_]+", q))
        return [{"language": language, "confidence": round(100 * max(confidence, 0.01), 1)}]

    @app.get("/", response_class=HTMLResponse)
    def dashboard() -> str:
        return (STATIC / "dashboard.html").read_text(encoding="utf-8")

    return app


@contextmanager
def serve_in_background(app: FastAPI, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` with uvicorn on a free local port in a thread; yields its base URL."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind((host, 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
