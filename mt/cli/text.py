"""Commands over text: translate, check, align, score, eval."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli.app import (
    AgreementOpt,
    BackendOpt,
    BeamOpt,
    FixOpt,
    Format,
    FormatOpt,
    InputArg,
    InputFormat,
    InputFormatOpt,
    ModelOpt,
    SegmentedOpt,
    ThreadsOpt,
    VmapOpt,
    app,
    decoding_options,
    pipeline_service,
    progress_bar,
)
from mt.io import read_text
from mt.options import Options
from mt.translate.backends import DEFAULT_BACKEND

if TYPE_CHECKING:
    from mt.service import Service


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
    input_format: InputFormatOpt = InputFormat.auto,
    attributes: Annotated[
        bool, typer.Option("--attributes", help="HTML: translate alt and title attributes too.")
    ] = False,
) -> None:
    """Translate French text or HTML (a file or standard input) into English.

    HTML comes back as HTML: markup, comments and code untouched, the text of each block
    translated, inline tags (links, emphasis) around the English words they cover. With
    ``--format jsonl`` an HTML page gives one record: the HTML, each block's French and
    English, the sentences, where each tag went and the repairs made.
    """
    from mt.markup.page import input_format as resolve_format
    from mt.text.segment import segment, segment_lines

    text = read_text(input)
    if not text.strip():
        return
    service = pipeline_service(
        decoding_options(model, backend, beam, threads, vmap, fix_untranslated, repair=repair)
    )
    if resolve_format(input_format.value, text, input) == "html":
        _translate_page(service, text, format, segmented, attributes)
        return
    metadata = None
    if repair:
        fixed = service.repair(text)
        text, metadata = fixed.text, fixed.metadata
    units = len(segment_lines(text)) if segmented else len(segment(text).sentences)
    with progress_bar(units) as advance:
        [doc] = service.translate([text], segmented=segmented, progress=advance)  # type: ignore[arg-type]
    if format is Format.jsonl:
        for rec in doc.sentences:
            sys.stdout.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    elif metadata:
        # the metadata moved out by the repair goes back in front of the prose, untranslated
        body = doc.text.lstrip()
        sys.stdout.write(doc.text[: len(doc.text) - len(body)] + f"{metadata} {body}")
    else:
        sys.stdout.write(doc.text)


def _translate_page(
    service: Service, text: str, format: Format, segmented: bool, attributes: bool
) -> None:
    from mt.errors import InputError
    from mt.report import format_change
    from mt.text.segment import segment

    if segmented:
        raise InputError("--segmented reads text line by line; it does not apply to HTML")
    from mt.markup.page import parse

    units = sum(len(segment(b.text).sentences) for b in parse(text).blocks if b.translatable)
    with progress_bar(units) as advance:
        [page] = service.translate_html([text], attributes=attributes, progress=advance)  # type: ignore[arg-type]
    for line in page.warnings():
        typer.echo(f"warning: {line}", err=True)
    for n, change in page.changes:
        typer.echo(f"block {n}: {format_change(change)}", err=True)
    if format is Format.jsonl:
        sys.stdout.write(json.dumps(page.to_dict(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(page.html)


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
    input_format: InputFormatOpt = InputFormat.auto,
) -> None:
    """Find garbled spans in French text or HTML: where, what kind, why, and a suggested fix.

    In HTML, damage at the edges of inline tags is found too (a word glued to a link, a
    linked title's capital mid-sentence, a tag edge inside a word), and offsets point into
    the HTML source; ``--repair`` writes the page back with its fixes, markup kept.
    """
    from mt.markup.page import input_format as resolve_format
    from mt.report import format_change, format_report

    text = read_text(input)
    # the model scores sentences only; one beam is enough for that
    service = pipeline_service(Options(model=model, beam=1))
    if resolve_format(input_format.value, text, input) == "html":
        _check_page(service, text, format, segmented, repair, score=model is not None)
        return
    if repair:
        fixed = service.repair(text)
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
    reports = service.check(text, segmented=segmented, score=model is not None)
    for rep in reports:
        if format is Format.jsonl:
            sys.stdout.write(json.dumps(rep.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(format_report(rep, color=sys.stdout.isatty()))


def _check_page(
    service: Service, text: str, format: Format, segmented: bool, repair: bool, *, score: bool
) -> None:
    from mt.errors import InputError
    from mt.report import format_change, format_report

    if segmented:
        raise InputError("--segmented reads text line by line; it does not apply to HTML")
    if score:
        raise InputError("--model scores plain text only; translate the page to score it")
    if repair:
        html, changes = service.repair_html(text)
        if format is Format.jsonl:
            row = {"html": html, "changes": [{"block": n, **asdict(c)} for n, c in changes]}
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(html)
            for n, change in changes:
                typer.echo(f"block {n}: {format_change(change)}", err=True)
        return
    for rep in service.check_html(text):
        if format is Format.jsonl:
            sys.stdout.write(json.dumps(rep.to_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(format_report(rep, color=sys.stdout.isatty()))


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
    from mt.text.segment import segment, segment_lines

    sides = []
    for path in (fr_file, en_file):
        text = read_text(path)
        if segmented:
            sides.append([line for line in segment_lines(text) if line.strip()])
        else:
            sides.append([s.text for s in segment(text).sentences])
    fr, en = sides
    service = pipeline_service(Options(model=model, beam=1, embed=embed, embedder=embedder))
    for link in service.align(fr, en, clauses=not sentences, score=score):
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


@app.command("score")
def score_(
    fr_file: Annotated[str, typer.Argument(help="French sentences, one a line.")],
    en_file: Annotated[str, typer.Argument(help="Their English translations, line by line.")],
    reference: Annotated[
        str | None,
        typer.Option("--reference", "-r", help="Human translations, line by line (adds chrF)."),
    ] = None,
    model: ModelOpt = None,
    backend: BackendOpt = DEFAULT_BACKEND,
    format: FormatOpt = Format.text,
    agreement: AgreementOpt = False,
) -> None:
    """Estimate the quality of translations made by any system (line-aligned files)."""
    from mt.errors import InputError
    from mt.text.segment import segment_lines

    sides = [segment_lines(read_text(path)) for path in (fr_file, en_file)]
    refs = segment_lines(read_text(reference)) if reference else None
    if len(sides[0]) != len(sides[1]) or (refs is not None and len(refs) != len(sides[0])):
        counts = ", ".join(str(len(x)) for x in [*sides, *([refs] if refs is not None else [])])
        raise InputError(f"the files must have as many lines (they have {counts})")
    service = pipeline_service(Options(model=model, backend=backend, agreement=agreement))
    for row in service.score_translations(sides[0], sides[1], refs):
        if format is Format.jsonl:
            sys.stdout.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
            continue
        mark = "FLAGGED " if row.flagged else ""
        chrf = f" chrF {row.chrf:.2f}" if row.chrf is not None else ""
        sys.stdout.write(f"#{row.index} {mark}quality {row.quality:.2f}{chrf}\n")
        for reason in row.reasons:
            sys.stdout.write(f"  - {reason}\n")


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

    options = decoding_options(model, backend, beam, threads, vmap, fix_untranslated)
    tr = pipeline_service(options).translator
    for name in sets:
        r = evaluate(tr, name, limit=limit)
        typer.echo(
            f"{r.name}\tlines {r.sentences}\tBLEU {r.bleu}\tchrF {r.chrf}\t"
            f"{r.sentences_per_second:.1f} sent/s\t{r.bleu_signature}"
        )
