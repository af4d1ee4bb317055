"""Batch jobs: many documents through the pipeline, resumable and exactly once.

Every input document has a key (its file name, or the JSONL ``id``). A document is committed —
its row, its sentences and its status in one SQLite transaction, keyed uniquely — only when it
is finished, so a job killed at any moment and started again skips what is committed and redoes
only what was in flight. Documents that cannot be processed are committed as ``failed`` with
the reason, and the job goes on.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mt.errors import InputError, MTError
from mt.io import decode_utf8
from mt.markup.page import FORMATS, HTML_SUFFIXES, input_format
from mt.options import Options
from mt.records import PageRecord
from mt.service import Service

MAX_DOCUMENT_BYTES = 1_000_000


@dataclass(frozen=True)
class InputDocument:
    """One document of a batch; ``error`` says why it cannot be processed."""

    key: str
    name: str
    text: str = ""
    reference: str | None = None
    error: str | None = None
    format: str = "text"  # text or html


def read_inputs(path: str | Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[InputDocument]:
    """Documents from a directory of ``.txt`` and ``.html`` files, or a JSONL file of
    ``{"id", "text", "reference", "format"}`` (``format``: text, html or auto, the default:
    HTML when the text opens with markup)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(
            f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".txt", *HTML_SUFFIXES)
        )
        if not files:
            raise InputError(f"{p} holds no .txt or .html files")
        for f in files:
            key = str(f.relative_to(p))
            data = f.read_bytes()
            if len(data) > max_bytes:
                yield InputDocument(
                    key, f.name, error=f"{len(data)} bytes, over the {max_bytes}-byte limit"
                )
                continue
            try:
                text = decode_utf8(data, key)
            except MTError as exc:
                yield InputDocument(key, f.name, error=str(exc))
                continue
            kind = input_format("auto", text, f.name) if f.suffix.lower() != ".txt" else "text"
            yield _checked(InputDocument(key, f.name, text, format=kind))
    elif p.is_file():
        seen: set[str] = set()
        with open(p, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                key = f"line-{n}"
                try:
                    row = json.loads(decode_utf8(raw, f"{p} line {n}"))
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                    doc_id = str(row.get("id", key))
                    if doc_id in seen:  # keep the line's own key: the first one owns the id
                        raise ValueError(f"duplicate id {doc_id!r}")
                    key = doc_id
                    seen.add(key)
                    body, ref = row.get("text"), row.get("reference")
                    if not isinstance(body, str) or (ref is not None and not isinstance(ref, str)):
                        raise ValueError("'text' (and 'reference') must be strings")
                    kind = row.get("format", "auto")
                    if kind not in FORMATS:
                        raise ValueError(f"'format' must be one of {', '.join(FORMATS)}")
                    kind = input_format(kind, body)
                except (ValueError, MTError) as exc:
                    yield InputDocument(key, key, error=f"line {n}: {exc}")
                    continue
                if len(body.encode()) > max_bytes:
                    yield InputDocument(key, key, error=f"over the {max_bytes}-byte limit")
                    continue
                yield _checked(InputDocument(key, key, body, ref, format=kind))
    else:
        raise InputError(f"no such input: {p}")


def _checked(doc: InputDocument) -> InputDocument:
    if not doc.text.strip():
        return InputDocument(doc.key, doc.name, error="empty document", format=doc.format)
    return doc


# ---------------------------------------------------------------------------- workers

# the worker process's service and its view of the results database (a translation cache)
_WORKER: dict[str, Any] = {}


def _init_worker(options: Options, db: str) -> None:
    from mt.store import Store

    _WORKER["service"] = Service(options)
    _WORKER["cache"] = Store(db)


def _process(doc: InputDocument) -> tuple[InputDocument, dict[str, Any] | None, str | None]:
    service: Service = _WORKER["service"]
    try:
        result = service.process(
            doc.text,
            name=doc.name,
            reference=doc.reference,
            cache=_WORKER["cache"],
            format=doc.format,
        )
        return doc, result.to_dict(), None
    except Exception as exc:  # recorded as a failed document; the job goes on
        return doc, None, f"{type(exc).__name__}: {exc}"


@dataclass
class BatchReport:
    total: int = 0
    skipped: int = 0  # already committed by an earlier run
    done: int = 0
    failed: int = 0
    sentences: int = 0
    seconds: float = 0.0


def run_batch(
    input_path: str | Path,
    db: str | Path,
    options: Options | None = None,
    *,
    workers: int = 1,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    on_progress: Callable[[BatchReport], None] | None = None,
    engine: str = "local",
    ray_address: str | None = None,
) -> BatchReport:
    """Process every document of ``input_path`` not yet committed to ``db``, as ``options``
    say (:class:`mt.Service` in each worker).

    ``engine="ray"`` runs the pipeline in Ray Data actors (one model per actor, ``workers``
    actors) on the cluster at ``ray_address``, or on a local Ray started for the job; results
    still come back to this process, the only writer.
    """
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine '{engine}' (local or ray)")
    from mt.store import Store

    if workers < 1:
        raise InputError("workers must be at least 1")
    store = Store(db)
    source = str(Path(input_path).resolve())
    # keys are namespaced by the input, so two inputs can share a database
    docs = [
        InputDocument(f"{source}::{d.key}", d.name, d.text, d.reference, d.error, d.format)
        for d in read_inputs(input_path, max_bytes)
    ]
    committed = store.processed_keys()
    pending = [d for d in docs if d.key not in committed]
    report = BatchReport(total=len(docs), skipped=len(docs) - len(pending))
    options = options or Options()
    if options.threads is None and workers > 1:
        # several workers share the cores; one worker uses the backend's own default
        options = options.with_(threads=max(1, (mp.cpu_count() or 1) // workers))
    # the model loads here once, so a missing model or a malformed quality.json stops the job
    # before any document
    settings = Service(options).run_settings(references=any(d.reference for d in docs))
    run_id = store.new_run(
        settings | {"threads": options.threads, "input": source, "input_documents": len(docs)}
    )
    start = time.perf_counter()

    def commit(doc: InputDocument, record: dict[str, Any] | None, error: str | None) -> None:
        try:
            if record is None:
                store.add_failure(run_id, doc.name, error or "unknown error", key=doc.key)
                report.failed += 1
            else:
                store.add_document(
                    run_id,
                    doc.name,
                    sentences=record["sentences"],
                    metadata=record["metadata"],
                    summary=record["summary"],
                    key=doc.key,
                    page=PageRecord(**record["page"]) if record.get("page") else None,
                )
                report.done += 1
                report.sentences += len(record["sentences"])
        except sqlite3.IntegrityError:
            pass  # committed meanwhile by another process: exactly once all the same
        report.seconds = time.perf_counter() - start
        if on_progress:
            on_progress(report)

    todo = []
    for d in pending:
        if d.error:
            commit(d, None, d.error)
        else:
            todo.append(d)
    if engine == "ray":
        for result in _ray_map(todo, options, str(db), workers, ray_address):
            commit(*result)
    elif workers == 1:
        _init_worker(options, str(db))
        for d in todo:
            commit(*_process(d))
    else:
        ctx = mp.get_context("spawn")  # torch and fork do not mix
        with ctx.Pool(workers, initializer=_init_worker, initargs=(options, str(db))) as pool:
            for result in pool.imap_unordered(_process, todo):
                commit(*result)
    report.seconds = time.perf_counter() - start
    store.close()
    if on_progress:
        on_progress(report)  # the final state, even when there was nothing left to do
    return report


class _RayPipeline:
    """A Ray Data actor: loads the model once, then processes batches of documents."""

    def __init__(self, options: Options, db: str) -> None:
        _init_worker(options, db)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"key": [], "record": [], "error": []}
        for key, name, text, reference, kind in zip(
            batch["key"],
            batch["name"],
            batch["text"],
            batch["reference"],
            batch["format"],
            strict=True,
        ):
            doc = InputDocument(str(key), str(name), str(text), reference or None, format=str(kind))
            _, record, error = _process(doc)
            out["key"].append(doc.key)
            out["record"].append(json.dumps(record) if record is not None else "")
            out["error"].append(error or "")
        return out


def _ray_map(
    todo: list[InputDocument], options: Options, db: str, workers: int, address: str | None
) -> Iterator[tuple[InputDocument, dict[str, Any] | None, str | None]]:
    if not todo:
        return
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'ray[data]'") from None
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address,
            num_cpus=None if address else max(workers, 1),
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        by_key = {d.key: d for d in todo}
        items = [
            {
                "key": d.key,
                "name": d.name,
                "text": d.text,
                "reference": d.reference or "",
                "format": d.format,
            }
            for d in todo
        ]
        ds = ray.data.from_items(items).map_batches(
            _RayPipeline,
            fn_constructor_kwargs={"options": options, "db": db},
            batch_size=1,
            concurrency=workers,
            num_cpus=1,
        )
        for row in ds.iter_rows():
            record = json.loads(row["record"]) if row["record"] else None
            yield by_key[row["key"]], record, row["error"] or None
    finally:
        if started:
            ray.shutdown()


def log_progress(report: BatchReport) -> None:
    """Plain progress lines for logs (at most one every 10 seconds, and at the end)."""
    now = time.monotonic()
    finished = report.done + report.failed + report.skipped
    last = getattr(log_progress, "_last", 0.0)
    if finished < report.total and now - last < 10:
        return
    log_progress._last = now  # type: ignore[attr-defined]
    rate = report.sentences / report.seconds if report.seconds else 0.0
    print(
        f"[batch] {finished}/{report.total} documents ({report.failed} failed, {report.skipped} "
        f"from earlier runs), {rate:.1f} sentences/s",
        file=sys.stderr,
        flush=True,
    )
