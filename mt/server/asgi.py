"""What the ASGI middlewares share: error bodies in each API's own shape (``{"detail": …}`` on
``/v1`` and the rest, LibreTranslate's ``{"error": …}`` on the paths its clients call), and a
body read once and handed on."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LIBRETRANSLATE_PATHS = frozenset(
    {"/translate", "/detect", "/languages", "/frontend/settings", "/translate_file", "/suggest"}
)


def is_libretranslate(path: str) -> bool:
    """Whether ``path`` is one of the LibreTranslate-compatible endpoints."""
    return path in LIBRETRANSLATE_PATHS or path.startswith("/download_file/")


def error_body(path: str, message: str) -> dict[str, str]:
    """The error body for ``path``, in the shape its clients read."""
    return {"error": message} if is_libretranslate(path) else {"detail": message}


async def send_error(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    """Answer an ASGI request with an error, before any route has seen it."""
    payload = json.dumps(error_body(scope.get("path", ""), message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body (None: the client left first)."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then whatever the client sends next (its
    disconnect, if it comes)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
