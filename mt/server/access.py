"""Who may call the service and how often: API keys, rate limits and the origins whose pages
may send requests. Checked by :class:`Gatekeeper` before any route runs; all off by default."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import limits
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request

from mt.errors import InputError
from mt.server.asgi import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    is_libretranslate,
    read_body,
    replaying,
    send_error,
)

# probes and scrapers: answered to anyone, never counted against a limit
OPEN_PATHS = frozenset({"/v1/health", "/v1/ready", "/metrics", "/frontend/settings"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def hash_key(key: str) -> str:
    """How a key is kept in memory: its SHA-256, so a memory dump does not give the keys."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_keys(path: str | Path | None = None, env: str | None = None) -> list[str]:
    """API keys from a file (one a line; blank lines and ``#`` comments skipped) and from a
    comma-separated string (``MT_API_KEYS``)."""
    keys: list[str] = []
    if path is not None:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the API keys file {path}: {exc}") from None
        keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if env:
        keys += [k.strip() for k in env.split(",") if k.strip()]
    return keys


def parse_rate(text: str | None) -> tuple[limits.RateLimitItem, ...]:
    """Rate limits in the ``limits`` notation ("60/minute;1000/day"); a bare number is per
    minute, as LibreTranslate's ``--req-limit`` counts."""
    if not text:
        return ()
    text = text.strip()
    if text.isdigit():
        text = f"{text}/minute"
    try:
        return tuple(limits.parse_many(text))
    except ValueError:
        raise InputError(
            f"cannot read the rate limit {text!r}: write it as 60/minute, or 10/second;1000/day"
        ) from None


@dataclass(frozen=True)
class Access:
    """The access policy: hashed API keys (none: no key needed), rate limits per address and
    per key, and the origins whose web pages may send requests besides the server's own."""

    key_hashes: frozenset[str] = frozenset()
    address_limits: tuple[limits.RateLimitItem, ...] = ()
    key_limits: tuple[limits.RateLimitItem, ...] = ()
    cors_origins: tuple[str, ...] = ()
    storage: str = "async+memory://"
    limiter: MovingWindowRateLimiter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        uri = self.storage if self.storage.startswith("async+") else f"async+{self.storage}"
        object.__setattr__(self, "limiter", MovingWindowRateLimiter(storage_from_string(uri)))

    @classmethod
    def create(
        cls,
        keys: Iterable[str] = (),
        *,
        req_limit: str | None = None,
        key_req_limit: str | None = None,
        cors_origins: Iterable[str] = (),
        storage: str = "memory://",
    ) -> Access:
        """A policy from plain keys and limit strings (see :func:`parse_rate`); keys are
        hashed here and not kept. ``key_req_limit`` defaults to ``req_limit``."""
        address = parse_rate(req_limit)
        return cls(
            key_hashes=frozenset(hash_key(k) for k in keys),
            address_limits=address,
            key_limits=parse_rate(key_req_limit) if key_req_limit else address,
            cors_origins=tuple(o.rstrip("/") for o in cors_origins),
            storage=storage,
        )

    @property
    def keys_required(self) -> bool:
        return bool(self.key_hashes)

    def known(self, key: str) -> bool:
        digest = hash_key(key)
        # every stored hash compared, in constant time: no timing tells how close a guess is
        return any([hmac.compare_digest(digest, h) for h in self.key_hashes])

    async def over_limit(self, identity: str, items: tuple[limits.RateLimitItem, ...]) -> int:
        """0 when the request is admitted, else the seconds until ``identity`` may try again."""
        for item in items:
            if not await self.limiter.hit(item, identity):
                stats = await self.limiter.get_window_stats(item, identity)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return 0


class Gatekeeper:
    """ASGI middleware enforcing an :class:`Access` policy. It reads the key from
    ``Authorization: Bearer``, or from LibreTranslate's ``api_key`` in the query string or the
    body (JSON, form or multipart); the body is handed on unchanged."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if (
            origin
            and scope["method"] in UNSAFE_METHODS
            and not self._origin_allowed(origin, headers)
        ):
            await send_error(scope, send, 403, f"requests from pages at {origin} are not allowed")
            return
        access = self.access
        key = _header_key(scope, headers) if access.keys_required else None
        if access.keys_required and not key and scope["method"] in UNSAFE_METHODS:
            # only then is the body read here (the body guard outside has bounded it)
            body = await read_body(receive)
            if body is None:
                return
            key = await _body_key(scope, headers, body)
            receive = replaying(body, receive)
        if access.keys_required:
            lt = is_libretranslate(scope["path"])
            if not key:
                # LibreTranslate's clients expect 403 for a missing key; HTTP's own answer is 401
                await send_error(
                    scope,
                    send,
                    403 if lt else 401,
                    "an API key is needed: send it as 'Authorization: Bearer KEY' or api_key",
                    headers=() if lt else [("WWW-Authenticate", "Bearer")],
                )
                return
            if not access.known(key):
                await send_error(scope, send, 403, "Invalid API key")
                return
        if key:
            wait = await access.over_limit("key:" + hash_key(key), access.key_limits)
        else:
            client = scope.get("client")
            wait = await access.over_limit(
                "addr:" + (client[0] if client else "-"), access.address_limits
            )
        if wait:
            await send_error(
                scope,
                send,
                429,
                "Slowdown: too many requests",
                headers=[("Retry-After", str(wait))],
            )
            return
        await self.app(scope, receive, send)

    def _origin_allowed(self, origin: str, headers: dict[str, str]) -> bool:
        """A page of the server itself, or of an allowed origin, may send requests."""
        if origin.rstrip("/") in self.access.cors_origins or "*" in self.access.cors_origins:
            return True
        return urlsplit(origin).netloc == headers.get("host", "") and origin != "null"


def _header_key(scope: Scope, headers: dict[str, str]) -> str | None:
    """A bearer token, else ``api_key`` from the query string."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        return auth[7:].strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query["api_key"][0] if query.get("api_key") else None


async def _body_key(scope: Scope, headers: dict[str, str], body: bytes) -> str | None:
    """LibreTranslate's ``api_key`` from a JSON, form or multipart body."""
    kind = headers.get("content-type", "")
    if not body:
        return None
    if "json" in kind:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None
        key = data.get("api_key") if isinstance(data, dict) else None
        return key if isinstance(key, str) else None
    if "form" in kind:

        async def gone() -> Message:
            return {"type": "http.disconnect"}

        try:
            form = await Request(scope, replaying(body, gone)).form()
        except Exception:  # a malformed form: the route answers for it
            return None
        key = form.get("api_key")
        await form.close()
        return key if isinstance(key, str) else None
    return None
