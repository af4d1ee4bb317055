"""Background jobs: kept in the store when accepted, run by a fixed pool, resumed on restart.

A job's documents are written to the store with the job, before it is answered; each result is
stored under its own key (``job:ID:INDEX``), so a server killed at any moment and started again
finishes every unfinished job and stores each document exactly once. The queue is bounded: a
job beyond it is refused (429), not left to wait without end.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mt.markup.page import input_format
from mt.options import Options
from mt.server.schemas import JobIn
from mt.service import Service
from mt.store import Store


class QueueFull(Exception):
    """More jobs are waiting than the server takes."""


class NoWorkers(Exception):
    """This server runs no background jobs (``--job-workers 0``: another replica does)."""


class Stopped(Exception):
    """The server is stopping: the job is left unfinished, to resume on restart."""


class Jobs:
    """The jobs of this server process and the store they write to."""

    def __init__(
        self,
        service: Service,
        store: Store,
        store_lock: threading.Lock,
        *,
        workers: int = 1,
        max_queued: int = 16,
        on_document: Callable[[str], None] | None = None,
    ) -> None:
        """``on_document`` hears of each document done: ``"done"`` or ``"failed"``."""
        self.service = service
        self.store = store
        self.store_lock = store_lock
        self.max_queued = max_queued
        self.stopping = threading.Event()
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="mt-job")
        self._active: set[str] = set()
        self._lock = threading.Lock()
        self._on_document = on_document or (lambda status: None)

    def resume(self) -> None:
        """Start again every job a previous process left unfinished."""
        if not self.workers:
            return
        with self.store_lock:
            unfinished = self.store.unfinished_jobs()
        for job_id in unfinished:
            self._start(job_id)

    def submit(self, body: JobIn) -> str:
        """Keep a job in the store and queue it; returns its id. :class:`QueueFull` when the
        queue holds its limit, :class:`NoWorkers` when this server runs no jobs."""
        if not self.workers:
            raise NoWorkers("this server runs no background jobs; send jobs to the one that does")
        with self._lock:
            if len(self._active) >= self.max_queued:
                raise QueueFull(f"{len(self._active)} jobs queued or running; try again later")
        job_id = uuid.uuid4().hex[:12]
        options = self.service.options.with_(repair=body.repair)
        documents = [
            (d.name, d.text, d.reference, input_format(d.format, d.text, d.name))
            for d in body.documents
        ]
        with self.store_lock:
            self.store.add_job(job_id, options.to_dict(), documents)
        self._start(job_id)
        return job_id

    def queued(self) -> int:
        """Jobs waiting or running in this process."""
        with self._lock:
            return len(self._active)

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as stored (None: no such job)."""
        with self.store_lock:
            job = self.store.job(job_id)
        if job is not None:
            job.pop("options")
        return job

    def stop(self) -> None:
        """Stop taking work: running jobs stop after their current document."""
        self.stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _start(self, job_id: str) -> None:
        with self._lock:
            self._active.add(job_id)
        self._pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            self._process(job_id)
        except Stopped:
            pass  # left running in the store: the next start resumes it
        except Exception as exc:
            with self.store_lock:
                self.store.set_job(job_id, status="failed", error=str(exc))
        finally:
            with self._lock:
                self._active.discard(job_id)

    def _process(self, job_id: str) -> None:
        with self.store_lock:
            job = self.store.job(job_id)
            pending = self.store.job_pending(job_id)
        if job is None:
            return
        service = Service(Options(**job["options"]))
        run_id = job["run_id"]
        if run_id is None:
            settings = service.run_settings(references=any(ref for *_, ref, _ in pending))
            with self.store_lock:
                run_id = self.store.new_run(settings | {"job": job_id})
        with self.store_lock:
            self.store.set_job(job_id, status="running", run_id=run_id)
        for index, name, text, reference, kind in pending:
            if self.stopping.is_set():
                raise Stopped
            key = f"job:{job_id}:{index}"
            try:
                doc = service.process(text, name=name, reference=reference, format=kind)
            except Exception as exc:  # one bad document does not stop the job
                with self.store_lock:
                    self.store.add_failure(run_id, name, str(exc), key=key)
                self._on_document("failed")
                continue
            with self.store_lock:
                self.store.add_result(run_id, doc, key=key)
            self._on_document("done")
        with self.store_lock:
            self.store.set_job(job_id, status="done")
