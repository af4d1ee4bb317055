"""What a request body may be: at most so many bytes however it is sent, JSON nested at most so
deep, and Unicode without lone surrogates. Checked before any route reads it."""

from __future__ import annotations

import json
import re
from typing import Any

from mt.server.asgi import ASGIApp, Receive, Scope, Send, replaying, send_error

MAX_JSON_DEPTH = 64
# a \u escape of a surrogate: only then can decoded JSON hold a lone one
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class BodyGuard:
    """ASGI middleware: reads the body (bounded by ``max_bytes``, chunked or not), refuses what
    no route could take with a 4xx, and hands the rest on unchanged."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(
                    scope, send, 413, f"request body over the limit of {self.max_bytes} bytes"
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = _json_problem(scope, body)
        if problem:
            await send_error(scope, send, 400, problem)
            return
        await self.app(scope, replaying(body, receive), send)


def _json_problem(scope: Scope, body: bytes) -> str | None:
    """Why a JSON body cannot be taken (too deep, a lone surrogate), or None."""
    headers = dict(scope.get("headers") or [])
    if b"json" not in headers.get(b"content-type", b"") or not body:
        return None
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    if _SURROGATE_ESCAPE.search(body):
        try:
            data = json.loads(body)
        except ValueError:
            return None  # malformed: the route says so
        if _has_lone_surrogate(data):
            return "the text holds a lone surrogate (\\ud800-\\udfff): not valid Unicode"
    return None


def _depth(body: bytes) -> int:
    """How deep the JSON's arrays and objects nest (brackets inside strings left out)."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _has_lone_surrogate(data: Any) -> bool:
    if isinstance(data, str):
        return any("\ud800" <= c <= "\udfff" for c in data)
    if isinstance(data, list):
        return any(_has_lone_surrogate(x) for x in data)
    if isinstance(data, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in data.items())
    return False
