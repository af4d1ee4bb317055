"""Prometheus metrics at ``/metrics``: requests by route and status and their latency (from
prometheus-fastapi-instrumentator), and what the service did: sentences and characters
translated, jobs waiting or running, and how long the model took to load."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_fastapi_instrumentator import Instrumentator

from mt.records import DocumentTranslation, PageTranslation


class Metrics:
    """One application's metrics, in a registry of its own (several apps may share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sentences = Counter(
            "mt_sentences_translated", "Sentences translated.", registry=self.registry
        )
        self.characters = Counter(
            "mt_characters_translated",
            "Characters of French text translated.",
            registry=self.registry,
        )
        self.documents = Counter(
            "mt_job_documents",
            "Documents processed by background jobs.",
            ["status"],
            registry=self.registry,
        )
        self.queue = Gauge(
            "mt_jobs_queued", "Background jobs waiting or running.", registry=self.registry
        )
        self.model_load = Gauge(
            "mt_model_load_seconds",
            "Seconds the translation model took to load (0 until it is loaded).",
            registry=self.registry,
        )

    def instrument(self, app: FastAPI, queue_depth: Callable[[], int]) -> None:
        """Count ``app``'s requests and serve everything at ``/metrics``."""
        self.queue.set_function(queue_depth)
        Instrumentator(
            registry=self.registry,
            excluded_handlers=["/metrics"],
            should_group_status_codes=False,
        ).instrument(app).expose(app, include_in_schema=False)

    def translated(
        self, texts: Sequence[str], docs: Sequence[DocumentTranslation | PageTranslation]
    ) -> None:
        """Count a request's translated sentences and characters."""
        self.sentences.inc(sum(len(d.sentences) for d in docs))
        self.characters.inc(sum(len(t) for t in texts))
