"""The ``mt`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mt.backends import DEFAULT_BACKEND
from mt.errors import MTError
from mt.io import make_dir, read_text, write_text

if TYPE_CHECKING:
    from mt.batch import BatchReport
    from mt.store import Store

app = typer.Typer(
    help="Turn machine-translated French back into English, and score it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
models_app = typer.Typer(help="Models available offline.", no_args_is_help=True)
app.add_typer(models_app, name="models")


class Format(StrEnum):
    text = "text"
    jsonl = "jsonl"


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model", "-m", help="Model directory, bundled name or cached hub id (env MT_MODEL)."
    ),
]
ThreadsOpt = Annotated[int | None, typer.Option("--threads", min=1, help="CPU threads.")]
BeamOpt = Annotated[int, typer.Option("--beam", min=1, help="Beam size.")]
VmapOpt = Annotated[
    bool,
    typer.Option(
        "--vmap/--no-vmap",
        help="ct2: decode over the model's vocabulary map (vmap.txt) when it has one.",
    ),
]
BackendOpt = Annotated[
    str,
    typer.Option(
        "--backend",
        help="Inference backend: ct2 (CTranslate2 int8, converted once; the default) or torch.",
    ),
]
FixOpt = Annotated[
    bool,
    typer.Option(
        "--fix-untranslated/--keep-untranslated",
        help="Replace French words the model left untranslated when the bundled word table "
        "knows their English (Moscou → Moscow).",
    ),
]
SegmentedOpt = Annotated[
    bool, typer.Option("--segmented", help="Each input line is one segment: no sentence splitting.")
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
InputArg = Annotated[str | None, typer.Argument(help="Input file, or - for standard input.")]


def _decoding(
    beam: int, threads: int | None, backend: str, vmap: bool, fix_untranslated: bool
) -> dict[str, Any]:
    """The Translator options the translating commands share."""
    return {
        "beam": beam,
        "threads": threads,
        "backend": backend,
        "vmap": vmap,
        "fix_untranslated": fix_untranslated,
    }


# Inputs with more segments than this get a progress bar (when stderr is a terminal).
_PROGRESS_MIN = 20


@contextmanager
def _progress(total: int) -> Iterator[object]:
    """A Rich progress bar on stderr, or nothing when stderr is not a terminal."""
    if total < _PROGRESS_MIN or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("translating", total=total)
        yield lambda n: bar.advance(task, n)


@app.command()
def translate(
    input: InputArg = None,
    model: ModelOpt = None,
    beam: BeamOpt = 4,
    threads: ThreadsOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    vmap: VmapOpt = True,
    fix_untranslated: FixOpt = True,
    format: FormatOpt = Format.text,
    segmented: SegmentedOpt = False,
    repair: Annotated[
        bool, typer.Option("--repair", help="Repair garbled French (see 'mt check') first.")
    ] = False,
) -> None:
    """Translate French text (a file or standard input) into English."""
    from mt.segment import segment, segment_lines
    from mt.translate import Translator

    text = read_text(input)
    if not text.strip():
        return
    metadata = None
    if repair:
        from mt.garble import repair as repair_text

        fixed = repair_text(text)
        text, metadata = fixed.text, fixed.metadata
    units = len(segment_lines(text)) if segmented else len(segment(text).sentences)
    tr = Translator(model, **_decoding(beam, threads, backend, vmap, fix_untranslated))
    with _progress(units) as advance:
        doc = tr.translate_document(text, segmented=segmented, progress=advance)  # type: ignore[arg-type]
    if format is Format.jsonl:
        for rec in doc.sentences:
            sys.stdout.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    elif metadata:
        # the metadata moved out by the repair goes back in front of the prose, untranslated
        body = doc.text.lstrip()
        sys.stdout.write(doc.text[: len(doc.text) - len(body)] + f"{metadata} {body}")
    else:
        sys.stdout.write(doc.text)


@app.command()
def check(
    input: InputArg = None,
    format: FormatOpt = Format.text,
    segmented: SegmentedOpt = False,
    repair: Annotated[bool, typer.Option("--repair", help="Apply high-confidence fixes.")] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Also score each sentence with this translation model."),
    ] = None,
) -> None:
    """Find garbled spans in French text: where, what kind, why, and a suggested fix."""
    from mt import garble
    from mt.report import format_change, format_report

    text = read_text(input)
    if repair:
        fixed = garble.repair(text)
        if format is Format.jsonl:
            row = {
                "text": fixed.text,
                "metadata": fixed.metadata,
                "changes": [asdict(c) for c in fixed.changes],
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(fixed.text)
            for change in fixed.changes:
                typer.echo(format_change(change), err=True)
        return
    if not text.strip():
        return
    translator = None
    if model is not None:
        from mt.translate import Translator

        translator = Translator(model, beam=1)
    reports = garble.check(text, segmented=segmented, translator=translator)
    for rep in reports:
        if format is Format.jsonl:
            sys.stdout.write(json.dumps(rep.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(format_report(rep, color=sys.stdout.isatty()))


@app.command("run")
def run_(
    articles: Annotated[list[str], typer.Argument(help="French articles (text files).")],
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
) -> None:
    """Check, (repair,) translate, align and score articles; store and report the results."""
    from dataclasses import asdict
    from pathlib import Path

    from mt.embed import bundled_embedder
    from mt.errors import InputError
    from mt.pipeline import run_document
    from mt.report import html_report
    from mt.score import load_calibration
    from mt.store import Store
    from mt.translate import Translator

    if reference and len(reference) != len(articles):
        raise InputError(f"{len(articles)} articles but {len(reference)} --reference files")
    texts = [read_text(a) for a in articles]  # read everything first: fail before any work
    refs = [read_text(r) for r in reference] if reference else [None] * len(articles)
    out_dir = make_dir(Path(out), "output folder") if out else None  # before a run is opened
    store = Store(db)
    tr = Translator(model, **_decoding(beam, threads, backend, vmap, fix_untranslated))
    calibration = load_calibration(tr.path)  # a malformed quality.json stops here, not per article
    embedder = bundled_embedder() if reference else None
    run_id = store.new_run(
        {
            "model": str(tr.path),
            "backend": backend,
            "beam": beam,
            "repair": repair,
            "vmap": getattr(tr.backend, "use_vmap", False),
            "fix_untranslated": fix_untranslated,
            # quality scores of runs under different calibrations are not comparable
            "calibration": asdict(calibration),
            "embedder": str(embedder.path) if embedder else None,
        }
    )
    failed = 0
    for path, text, ref in zip(articles, texts, refs, strict=True):
        name = Path(path).name
        if not text.strip():
            store.add_failure(run_id, name, "empty document")
            typer.echo(f"{name}: empty, recorded as failed", err=True)
            failed += 1
            continue
        doc = run_document(
            text,
            tr,
            name=name,
            reference=ref,
            repair_source=repair,
            calibration=calibration,
            embedder=embedder,
        )
        record = doc.to_dict()
        doc_id = store.add_result(run_id, doc)
        if out_dir:
            stem = Path(path).stem
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
) -> None:
    """Serve the REST API, LibreTranslate-compatible endpoints and the dashboard."""
    import uvicorn

    from mt.server import create_app

    uvicorn.run(create_app(db, model=model, backend=backend, beam=beam), host=host, port=port)


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
) -> None:
    """Run the pipeline over many documents; resumable, each document committed exactly once."""
    from mt.batch import run_batch

    with _batch_progress() as on_progress:
        report = run_batch(
            input, out, model=model, backend=backend, beam=beam, workers=workers, threads=threads,
            repair=repair, on_progress=on_progress, engine=engine, ray_address=ray_address,
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


jobs_app = typer.Typer(help="Batch job results.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
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


@app.command("align")
def align_(
    fr_file: Annotated[str, typer.Argument(help="French text file.")],
    en_file: Annotated[str, typer.Argument(help="English text file.")],
    segmented: Annotated[
        bool, typer.Option("--segmented", help="Files hold one sentence per line already.")
    ] = False,
    score: Annotated[
        bool,
        typer.Option(
            "--score",
            help="Let the translation model place sentences the aligner leaves unmatched.",
        ),
    ] = False,
    embed: Annotated[
        bool,
        typer.Option(
            "--embed/--no-embed",
            help="Compare sentences by the bundled sentence encoder's vectors (when installed).",
        ),
    ] = True,
    embedder: Annotated[
        str | None,
        typer.Option("--embedder", help="Sentence encoder folder (default: the bundled one)."),
    ] = None,
    sentences: Annotated[
        bool,
        typer.Option(
            "--sentences",
            help="Align whole sentences; by default clauses are aligned (a bead may then end "
            "inside a sentence) and the sentences they link are joined.",
        ),
    ] = False,
    model: ModelOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    """Align French and English sentences (n-to-m links), printed as \\[fr]:\\[en]:score."""
    from mt.align import align
    from mt.embed import Embedder, bundled_embedder
    from mt.segment import segment, segment_lines
    from mt.translate import Translator

    sides = []
    for path in (fr_file, en_file):
        text = read_text(path)
        if segmented:
            sides.append([line for line in segment_lines(text) if line.strip()])
        else:
            sides.append([s.text for s in segment(text).sentences])
    fr, en = sides
    scorer = Translator(model, beam=1).score_pairs if score else None
    encoder = Embedder(embedder) if embedder else bundled_embedder() if embed else None
    for link in align(fr, en, scorer=scorer, embedder=encoder, clauses=not sentences):
        if format is Format.jsonl:
            row = {
                "fr": link.fr,
                "en": link.en,
                "score": link.score,
                "fr_text": " ".join(fr[i] for i in link.fr),
                "en_text": " ".join(en[j] for j in link.en),
            }
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{link.gold_format()}:{link.score}\n")


@app.command("eval")
def eval_(
    sets: Annotated[
        list[str], typer.Argument(help="Set names in the eval folder, or X for X.fr/X.en.")
    ],
    model: ModelOpt = None,
    beam: BeamOpt = 4,
    threads: ThreadsOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    vmap: VmapOpt = True,
    fix_untranslated: FixOpt = True,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="First N lines only.")] = None,
) -> None:
    """BLEU and chrF (sacrebleu) on line-aligned French/English files."""
    from mt.evaluate import evaluate
    from mt.translate import Translator

    tr = Translator(model, **_decoding(beam, threads, backend, vmap, fix_untranslated))
    for name in sets:
        r = evaluate(tr, name, limit=limit)
        typer.echo(
            f"{r.name}\tlines {r.sentences}\tBLEU {r.bleu}\tchrF {r.chrf}\t"
            f"{r.sentences_per_second:.1f} sent/s\t{r.bleu_signature}"
        )


@models_app.command("list")
def models_list() -> None:
    """Show the models available locally and which one is the default."""
    from mt.models import HUB_MODEL, default_model_name, list_models

    infos = list_models()
    if not infos:
        typer.echo(
            f"no models found locally; default is '{default_model_name()}'. "
            f"Get one with 'mt models pull {HUB_MODEL}' or train the bundled one "
            "(scripts/train_marian.py)."
        )
        return
    for info in infos:
        mark = "*" if info.default else " "
        typer.echo(f"{mark} {info.name}\t{info.source}\t{info.path}")


@models_app.command("path")
def models_path(
    name: Annotated[
        str | None, typer.Argument(help="Model name; the default when omitted.")
    ] = None,
) -> None:
    """Print the local directory of a model."""
    from mt.models import resolve

    typer.echo(str(resolve(name)))


@models_app.command("pull")
def models_pull(
    repo_id: Annotated[str, typer.Argument(help="Hub id, e.g. Helsinki-NLP/opus-mt-fr-en")],
) -> None:
    """Download a model from the Hugging Face hub into the local cache (needs network)."""
    from mt.models import pull

    typer.echo(str(pull(repo_id)))


# The click command behind the Typer app: what the generated CLI reference (mkdocs-click) reads.
click_command = typer.main.get_command(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    try:
        app()
    except MTError as exc:
        typer.echo(f"mt: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("mt: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # the machine refused a file operation: say which, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"mt: error: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)
