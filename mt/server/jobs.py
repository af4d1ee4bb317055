"""Background jobs: documents processed by the service into the store, one thread per job."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from mt.server.schemas import JobIn
from mt.service import Service
from mt.store import Store


class Jobs:
    """The jobs of this server process and the store they write to."""

    def __init__(self, service: Service, store: Store, store_lock: threading.Lock) -> None:
        self.service = service
        self.store = store
        self.store_lock = store_lock
        self.jobs: dict[str, dict[str, Any]] = {}

    def submit(self, body: JobIn) -> str:
        """Accept a job and start it; returns its id."""
        job_id = uuid.uuid4().hex[:12]
        self.jobs[job_id] = {
            "id": job_id,
            "status": "queued",
            "documents": [],
            "failed": 0,
            "total": len(body.documents),
        }
        threading.Thread(target=self._run, args=(job_id, body), daemon=True).start()
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.jobs.get(job_id)

    def _run(self, job_id: str, body: JobIn) -> None:
        job = self.jobs[job_id]
        job["status"] = "running"
        try:
            service = Service(self.service.options.with_(repair=body.repair))
            settings = service.run_settings(references=any(d.reference for d in body.documents))
            with self.store_lock:
                run_id = self.store.new_run(settings | {"job": job_id})
            job["run_id"] = run_id
            for d in body.documents:
                try:
                    doc = service.process(d.text, name=d.name, reference=d.reference)
                    with self.store_lock:
                        doc_id = self.store.add_result(run_id, doc)
                    job["documents"].append(doc_id)
                except Exception as exc:  # one bad document does not stop the job
                    with self.store_lock:
                        job["documents"].append(self.store.add_failure(run_id, d.name, str(exc)))
                    job["failed"] += 1
            job["status"] = "done"
        except Exception as exc:
            job.update(status="failed", error=str(exc))
