"""The application: one service and one store shared by every route, and the request limits."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mt.errors import MTError
from mt.options import Options
from mt.server import dashboard, libretranslate, v1
from mt.server.deps import State
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
    app = FastAPI(title="mt", version="0.1.0", description=DESCRIPTION)
    app.state.mt = State(service, store, store_lock, Jobs(service, store, store_lock), limits)

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

    app.include_router(v1.router)
    app.include_router(libretranslate.router)
    app.include_router(dashboard.router)
    return app
