"""What a route needs, from the application's state: FastAPI dependencies."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request

from mt.server.access import Access
from mt.server.jobs import Jobs
from mt.server.metrics import Metrics
from mt.server.schemas import Limits
from mt.service import Service
from mt.store import Store
from mt.text.segment import segment, segment_lines


@dataclass
class State:
    """One server's service, store, jobs, limits, access policy and metrics; ``files`` holds
    what ``/translate_file`` translated."""

    service: Service
    store: Store
    store_lock: threading.Lock
    jobs: Jobs
    limits: Limits
    stopping: threading.Event
    access: Access
    metrics: Metrics
    files: Path
    load_error: str | None = None  # why the model could not be loaded at start-up


def state(request: Request) -> State:
    """The application's :class:`State`."""
    found: State = request.app.state.mt
    return found


def enforce(
    limits: Limits, texts: list[str], segmented: bool = False, *, each: bool = False
) -> None:
    """413 when ``texts`` hold more characters or sentences than one request may; with
    ``each`` (a background job's documents) the character limit holds for each text."""
    chars = max(map(len, texts), default=0) if each else sum(len(t) for t in texts)
    if chars > limits.max_chars:
        raise HTTPException(413, f"{chars} characters; the limit is {limits.max_chars} per request")
    if segmented:
        n = sum(len(segment_lines(t)) for t in texts)
    else:
        n = sum(len(segment(t).sentences) for t in texts)
    if n > limits.max_sentences:
        raise HTTPException(413, f"{n} sentences; the limit is {limits.max_sentences} per request")
