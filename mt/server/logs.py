"""Access logs with a request id: every response carries ``X-Request-ID`` (the client's own
when it sends a sensible one), and one record per request goes to the ``mt.access`` logger,
as JSON lines with ``--log-format json``."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from mt.server.asgi import ASGIApp, Message, Receive, Scope, Send

ACCESS = logging.getLogger("mt.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLog:
    """ASGI middleware: gives each request an id and logs it once answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            ACCESS.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(1000 * (time.perf_counter() - start), 1),
                    "client": client[0] if client else None,
                },
            )


def configure(log_format: str) -> None:
    """Send the access log and uvicorn's own to standard error: as JSON lines (``json``) or as
    uvicorn writes them (``text``, where uvicorn's access log stands in for ours)."""
    if log_format != "json":
        return
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False)
    )
    for name in ("mt.access", "uvicorn.error", "mt"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
