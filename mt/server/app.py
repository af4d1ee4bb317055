"""The application: one service and one store shared by every route, the request limits, the
access policy, metrics and access logs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mt.errors import MTError
from mt.options import Options
from mt.server import dashboard, libretranslate, v1
from mt.server.access import Access, Gatekeeper
from mt.server.asgi import error_body, is_libretranslate
from mt.server.deps import State
from mt.server.guard import BodyGuard
from mt.server.jobs import Jobs
from mt.server.logs import RequestLog
from mt.server.metrics import Metrics
from mt.server.schemas import Limits
from mt.service import Service
from mt.store import Store
from mt.translate.backends import DEFAULT_BACKEND

DESCRIPTION = """REST service (FastAPI): translation, checking, alignment, background jobs, stored
results, LibreTranslate-compatible endpoints, and the quality dashboard at ``/``."""


def create_app(
    db: str | Path = "results.db",
    *,
    options: Options | None = None,
    model: str | None = None,
    backend: str = DEFAULT_BACKEND,
    beam: int = 4,
    limits: Limits | None = None,
    access: Access | None = None,
    preload: bool = False,
) -> FastAPI:
    """The application over the results database ``db``, processing text as ``options`` say
    (or as ``model``, ``backend`` and ``beam`` do when no options are given). The model is
    loaded once and shared by all requests: at start-up with ``preload`` (``/v1/ready`` says
    when it is), else on first use. ``access`` sets API keys, rate limits and the allowed
    origins (default: none needed, no limit, the server's own pages only)."""
    options = options or Options(model=model, backend=backend, beam=beam)
    limits = limits or Limits()
    access = access or Access()
    service = Service(options)
    store = Store(db)
    store_lock = threading.Lock()
    metrics = Metrics()
    jobs = Jobs(
        service,
        store,
        store_lock,
        workers=limits.job_workers,
        max_queued=limits.max_queued_jobs,
        on_document=lambda status: metrics.documents.labels(status).inc(),
    )
    state = State(
        service,
        store,
        store_lock,
        jobs,
        limits,
        jobs.stopping,
        access,
        metrics,
        Path(db).with_suffix(".files"),
    )

    def load() -> None:
        try:
            service.translator  # noqa: B018 - loading is the point
            service.estimator  # noqa: B018 - a missing or unreadable estimator shows at start
        except MTError as exc:
            state.load_error = str(exc)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if preload:
            threading.Thread(target=load, name="mt-load", daemon=True).start()
        jobs.resume()  # what a previous process left unfinished
        yield
        jobs.stop()  # running jobs stop after their current document, to resume next time

    app = FastAPI(title="mt", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.mt = state
    # outermost last: logs and metrics see every answer, the guard bounds what the
    # gatekeeper reads, and CORS answers browsers' preflight requests before any key is asked
    app.add_middleware(Gatekeeper, access=access)
    app.add_middleware(BodyGuard, max_bytes=limits.max_request_bytes)
    if access.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(access.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    metrics.model_load.set_function(lambda: service.load_seconds or 0.0)
    metrics.instrument(app, jobs.queued)
    app.add_middleware(RequestLog)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return JSONResponse(
            error_body(request.url.path, str(exc.detail)),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_libretranslate(request.url.path):  # LibreTranslate answers 400 for any bad input
            first = exc.errors()[0] if exc.errors() else {}
            return JSONResponse(
                error_body(request.url.path, f"Invalid request: {first.get('msg', 'bad input')}"),
                status_code=400,
            )
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(MTError)
    async def mt_error(request: Request, exc: MTError) -> JSONResponse:
        return JSONResponse(error_body(request.url.path, str(exc)), status_code=400)

    @app.exception_handler(sqlite3.Error)
    async def store_error(request: Request, exc: sqlite3.Error) -> JSONResponse:
        # a full disk, a read-only or damaged database: the server works, the store does not
        return JSONResponse(
            error_body(request.url.path, f"the results store cannot be used: {exc}"),
            status_code=503,
            headers={"Retry-After": "30"},
        )

    app.include_router(v1.router)
    app.include_router(libretranslate.router)
    app.include_router(dashboard.router)
    return app
