"""The Typer application, its shared options and helpers; commands live beside it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from mt.options import Options

if TYPE_CHECKING:
    from mt.service import Service

app = typer.Typer(
    help="Turn machine-translated French back into English, and score it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
models_app = typer.Typer(help="Models available offline.", no_args_is_help=True)
app.add_typer(models_app, name="models")
jobs_app = typer.Typer(help="Batch job results.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


class Format(StrEnum):
    text = "text"
    jsonl = "jsonl"


class InputFormat(StrEnum):
    text = "text"
    html = "html"
    auto = "auto"


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
AgreementOpt = Annotated[
    bool,
    typer.Option(
        "--agreement",
        help="Score quality also by how far the model agrees with each translation, from "
        "translations of its own drawn at random: a second decoding pass, closer to chrF.",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
InputArg = Annotated[str | None, typer.Argument(help="Input file, or - for standard input.")]
InputFormatOpt = Annotated[
    InputFormat,
    typer.Option(
        "--input-format",
        "-i",
        help="text, html, or auto: HTML for .html/.htm files and for input that opens with markup.",
    ),
]


def decoding_options(
    model: str | None,
    backend: str,
    beam: int,
    threads: int | None,
    vmap: bool,
    fix_untranslated: bool,
    *,
    repair: bool = False,
    agreement: bool = False,
) -> Options:
    """The options of the commands that translate, from their shared flags."""
    return Options(
        model=model,
        backend=backend,
        beam=beam,
        threads=threads,
        vmap=vmap,
        fix_untranslated=fix_untranslated,
        repair=repair,
        agreement=agreement,
    )


def pipeline_service(options: Options) -> Service:
    """The pipeline service every command runs (imported late: the CLI starts fast)."""
    from mt.service import Service

    return Service(options)


# Inputs with more segments than this get a progress bar (when stderr is a terminal).
PROGRESS_MIN = 20


@contextmanager
def progress_bar(total: int) -> Iterator[object]:
    """A Rich progress bar on stderr, or nothing when stderr is not a terminal."""
    if total < PROGRESS_MIN or not sys.stderr.isatty():
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
