"""The application: one service and one store shared by every route, and the request limits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mt.errors import MTError
from mt.options import Options
from mt.server import dashboard, libretranslate, v1
from mt.server.deps import State
from mt.server.guard import BodyGuard
from mt.server.jobs import Jobs
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
) -> FastAPI:
    """The application over the results database ``db``, processing text as ``options`` say
    (or as ``model``, ``backend`` and ``beam`` do when no options are given). The model is
    loaded once, on first use, and shared by all requests."""
    options = options or Options(model=model, backend=backend, beam=beam)
    limits = limits or Limits()
    service = Service(options)
    store = Store(db)
    store_lock = threading.Lock()
    jobs = Jobs(
        service,
        store,
        store_lock,
        workers=limits.job_workers,
        max_queued=limits.max_queued_jobs,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.resume()  # what a previous process left unfinished
        yield
        jobs.stop()  # running jobs stop after their current document, to resume next time

    app = FastAPI(title="mt", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.mt = State(service, store, store_lock, jobs, limits, jobs.stopping)
    app.add_middleware(BodyGuard, max_bytes=limits.max_request_bytes)

    @app.exception_handler(MTError)
    async def mt_error(request: Request, exc: MTError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(sqlite3.Error)
    async def store_error(request: Request, exc: sqlite3.Error) -> JSONResponse:
        # a full disk, a read-only or damaged database: the server works, the store does not
        return JSONResponse(
            {"detail": f"the results store cannot be used: {exc}"},
            status_code=503,
            headers={"Retry-After": "30"},
        )

    app.include_router(v1.router)
    app.include_router(libretranslate.router)
    app.include_router(dashboard.router)
    return app
