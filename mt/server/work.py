"""Bounded work: a route's model work runs in a worker thread that stops, at its next batch,
once the client has gone, the request's deadline has passed or the server is stopping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import HTTPException, Request

from mt.server.deps import State

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside the work at its next batch: nobody waits for its result any more."""


async def bounded(request: Request, app: State, work: Callable[[Callable[[int], None]], T]) -> T:
    """``work(progress)`` in a worker thread; ``progress`` (called by the translator after each
    batch) raises :class:`Cancelled` once the work should stop. A deadline passed is a 503."""
    stop = False

    def progress(_: int) -> None:
        if stop or app.stopping.is_set():
            raise Cancelled

    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, work, progress)
    deadline = loop.time() + app.limits.timeout
    try:
        while True:
            done, _ = await asyncio.wait({future}, timeout=0.2)
            if done:
                return future.result()
            if app.stopping.is_set():
                raise HTTPException(503, "the server is stopping", headers={"Retry-After": "5"})
            if loop.time() > deadline:
                raise HTTPException(
                    503, f"the work took longer than the limit of {app.limits.timeout:g} s"
                )
            if await request.is_disconnected():
                raise HTTPException(400, "the client closed the connection")
    except Cancelled:
        raise HTTPException(503, "the server is stopping", headers={"Retry-After": "5"}) from None
    finally:
        stop = True
