"""Commands that run the pipeline into a store: run, serve, batch, jobs."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli.app import (
    AgreementOpt,
    BackendOpt,
    BeamOpt,
    FixOpt,
    InputFormat,
    InputFormatOpt,
    ModelOpt,
    ThreadsOpt,
    VmapOpt,
    app,
    decoding_options,
    jobs_app,
    pipeline_service,
)
from mt.io import make_dir, read_text, write_text
from mt.options import Options
from mt.translate.backends import DEFAULT_BACKEND

if TYPE_CHECKING:
    from mt.batch import BatchReport
    from mt.store import Store


@app.command("run")
def run_(
    articles: Annotated[list[str], typer.Argument(help="French articles (text or HTML files).")],
    reference: Annotated[
        list[str] | None,
        typer.Option("--reference", "-r", help="English reference, one per article, in order."),
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Repair the French before translating.")
    ] = False,
    out: Annotated[
        str | None, typer.Option("--out", help="Folder for per-document JSON and HTML.")
    ] = None,
    db: Annotated[str, typer.Option("--db", help="SQLite results database.")] = "results.db",
    model: ModelOpt = None,
    beam: BeamOpt = 4,
    threads: ThreadsOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    vmap: VmapOpt = True,
    fix_untranslated: FixOpt = True,
    input_format: InputFormatOpt = InputFormat.auto,
    agreement: AgreementOpt = False,
) -> None:
    """Check, (repair,) translate, align and score articles; store and report the results.

    An HTML article is stored with its page and the page's translation, markup carried over;
    its blocks are the paragraphs."""
    from pathlib import Path

    from mt.errors import InputError
    from mt.markup.page import input_format as resolve_format
    from mt.report import html_report
    from mt.store import Store

    if reference and len(reference) != len(articles):
        raise InputError(f"{len(articles)} articles but {len(reference)} --reference files")
    texts = [read_text(a) for a in articles]  # read everything first: fail before any work
    formats = [
        resolve_format(input_format.value, t, a) for t, a in zip(texts, articles, strict=True)
    ]
    refs = [read_text(r) for r in reference] if reference else [None] * len(articles)
    out_dir = make_dir(Path(out), "output folder") if out else None  # before a run is opened
    store = Store(db)
    options = decoding_options(
        model, backend, beam, threads, vmap, fix_untranslated, repair=repair, agreement=agreement
    )
    service = pipeline_service(options)
    # loads the model: a missing model or a malformed quality.json stops here, not per article
    run_id = store.new_run(service.run_settings(references=bool(reference)))
    failed = 0
    written: set[str] = set()
    for path, text, ref, kind in zip(articles, texts, refs, formats, strict=True):
        name = Path(path).name
        if not text.strip():
            store.add_failure(run_id, name, "empty document")
            typer.echo(f"{name}: empty, recorded as failed", err=True)
            failed += 1
            continue
        doc = service.process(text, name=name, reference=ref, format=kind)
        record = doc.to_dict()
        doc_id = store.add_result(run_id, doc)
        if out_dir:
            # two articles of the same name (a/art.txt, b/art.txt) get reports of their own
            stem = Path(path).stem
            stem = f"{stem}-{doc_id}" if stem in written else stem
            written.add(stem)
            write_text(out_dir / f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=1))
            write_text(out_dir / f"{stem}.html", html_report(record))
        s = doc.summary
        typer.echo(
            f"{name}: document {doc_id}, {s['sentences']} sentences, {s['flagged']} flagged, "
            f"mean quality {s['mean_quality']}"
        )
    if failed:
        # the other articles are done and stored; scripts still learn that one was not
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: Annotated[str, typer.Option("--db", help="SQLite results database.")] = "results.db",
    model: ModelOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    beam: BeamOpt = 4,
    char_limit: Annotated[
        int, typer.Option("--char-limit", min=1, help="Characters of text one request may send.")
    ] = 20_000,
    batch_limit: Annotated[
        int | None,
        typer.Option("--batch-limit", min=1, help="Texts one request may send in a list."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds one request's work may take.")
    ] = 60.0,
    api_keys: Annotated[
        str | None,
        typer.Option(
            "--api-keys",
            help="File of API keys, one a line; with MT_API_KEYS (comma-separated) every "
            "route but health, readiness and metrics needs one.",
        ),
    ] = None,
    req_limit: Annotated[
        str | None,
        typer.Option(
            "--req-limit",
            help="Requests per client address: '60' (a minute) or '10/second;1000/day'.",
        ),
    ] = None,
    key_req_limit: Annotated[
        str | None,
        typer.Option("--key-req-limit", help="Requests per API key (default: --req-limit)."),
    ] = None,
    limit_storage: Annotated[
        str,
        typer.Option(
            "--limit-storage",
            help="Where rate-limit counts live: memory:// (one process) or redis://HOST:6379 "
            "(shared by replicas).",
        ),
    ] = "memory://",
    cors_origins: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origins", help="An origin whose web pages may call the API (repeatable)."
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-For gives the client address (comma-separated).",
        ),
    ] = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help="Access logs: text, or json lines.")
    ] = "text",
    job_workers: Annotated[
        int,
        typer.Option("--job-workers", min=0, help="Background jobs run at once (0: none here)."),
    ] = 1,
    agreement: AgreementOpt = False,
) -> None:
    """Serve the REST API, LibreTranslate-compatible endpoints and the dashboard."""
    import os

    import uvicorn

    from mt.errors import InputError
    from mt.server import Access, Limits, create_app, read_keys
    from mt.server.logs import configure

    if log_format not in ("text", "json"):
        raise InputError(f"--log-format must be text or json, not {log_format!r}")
    keys = read_keys(api_keys, os.environ.get("MT_API_KEYS"))
    if (api_keys or os.environ.get("MT_API_KEYS")) and not keys:
        raise InputError("no API key found in --api-keys or MT_API_KEYS")
    access = Access.create(
        keys,
        req_limit=req_limit,
        key_req_limit=key_req_limit,
        cors_origins=cors_origins or (),
        storage=limit_storage,
    )
    if host not in ("127.0.0.1", "localhost", "::1") and not keys:
        typer.echo(
            f"mt: warning: serving on {host} without API keys: anyone who reaches this port "
            "can use it (set --api-keys or MT_API_KEYS)",
            err=True,
        )
    options = Options(model=model, backend=backend, beam=beam, agreement=agreement)
    limits = Limits(
        max_chars=char_limit, max_batch=batch_limit, timeout=timeout, job_workers=job_workers
    )
    configure(log_format)
    # on SIGTERM or Ctrl-C: stop taking requests, stop running work at its next batch, and
    # close what is left after a few seconds (jobs resume at the next start)
    uvicorn.run(
        create_app(db, options=options, limits=limits, access=access, preload=True),
        host=host,
        port=port,
        timeout_graceful_shutdown=5,
        forwarded_allow_ips=forwarded_allow_ips,
        proxy_headers=forwarded_allow_ips is not None,
        # JSON logs: ours, configured above, replace uvicorn's text access log
        log_config=None if log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        access_log=log_format == "text",
    )


@app.command()
def batch(
    input: Annotated[
        str, typer.Argument(help="Folder of .txt files, or JSONL of {id, text, reference}.")
    ],
    out: Annotated[
        str, typer.Option("--out", help="SQLite results database (created or resumed).")
    ],
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (Ray Data actors).")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster; default: start a local Ray.")
    ] = None,
    model: ModelOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    beam: BeamOpt = 4,
    threads: ThreadsOpt = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Repair the French before translating.")
    ] = False,
    agreement: AgreementOpt = False,
) -> None:
    """Run the pipeline over many documents; resumable, each document committed exactly once."""
    from mt.batch import run_batch

    options = Options(
        model=model, backend=backend, beam=beam, threads=threads, repair=repair,
        agreement=agreement,
    )  # fmt: skip
    with _batch_progress() as on_progress:
        report = run_batch(
            input, out, options, workers=workers, on_progress=on_progress, engine=engine,
            ray_address=ray_address,
        )  # fmt: skip
    typer.echo(
        f"{report.done} done, {report.failed} failed, {report.skipped} already done earlier; "
        f"{report.sentences} sentences in {report.seconds:.1f} s"
    )
    if report.failed:  # committed as failed with the reason; a re-run skips them
        typer.echo(f"the failed documents and why: mt jobs failed --db {out}", err=True)
        raise typer.Exit(1)


@contextmanager
def _batch_progress() -> Iterator[Callable[[BatchReport], None]]:
    """A Rich display (documents, sentences/s, ETA) on a terminal; log lines otherwise."""
    from mt.batch import log_progress

    if not sys.stderr.isatty():
        yield log_progress
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("documents", total=None, rate="")

        def update(report: BatchReport) -> None:
            rate = report.sentences / report.seconds if report.seconds else 0.0
            bar.update(
                task,
                total=report.total,
                completed=report.done + report.failed + report.skipped,
                rate=f"{rate:.1f} sent/s, {report.failed} failed",
            )

        yield update


ResultsDbOpt = Annotated[str, typer.Option("--db", help="SQLite results database.")]
ResultsFormatOpt = Annotated[str, typer.Option("--format", "-f", help="text or json.")]


@jobs_app.command("stats")
def jobs_stats(db: ResultsDbOpt, format: ResultsFormatOpt = "text") -> None:
    """Counts of documents (done, failed), sentences, cache use and flagged sentences."""
    stats = _results(db, format).stats()
    if format == "json":
        typer.echo(json.dumps(stats))
    else:
        for key, value in stats.items():
            typer.echo(f"{key}\t{value}")


@jobs_app.command("failed")
def jobs_failed(db: ResultsDbOpt, format: ResultsFormatOpt = "text") -> None:
    """The documents committed as failed, with the reason: a name and a reason per line."""
    failures = _results(db, format).failures()
    if format == "json":
        typer.echo(json.dumps(failures, ensure_ascii=False))
    else:
        for f in failures:  # one line each, whatever the reason's text holds
            typer.echo(f"{f['name']}\t{' '.join(str(f['error']).split())}")


def _results(db: str, format: str) -> Store:
    """The results database ``db``, which must exist, once ``format`` is known to be valid."""
    from pathlib import Path

    from mt.errors import InputError
    from mt.store import Store

    if format not in ("text", "json"):
        raise InputError(f"unknown format '{format}' (text or json)")
    if not Path(db).is_file():
        raise InputError(f"no such database: {db}")
    return Store(db)


store_app = typer.Typer(help="The results database.", no_args_is_help=True)
app.add_typer(store_app, name="store")


@store_app.command("check")
def store_check(db: ResultsDbOpt) -> None:
    """SQLite's integrity check of a results database: "ok", or each problem and exit code 1."""
    from pathlib import Path

    from mt.errors import InputError
    from mt.store import integrity

    if not Path(db).is_file():
        raise InputError(f"no such database: {db}")
    problems = integrity(db)
    for line in problems or ["ok"]:
        typer.echo(line)
    if problems:
        raise typer.Exit(1)
