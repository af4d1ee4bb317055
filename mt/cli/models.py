"""``mt models``: the models available offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mt.cli.app import (
    models_app,
)

if TYPE_CHECKING:
    pass


@models_app.command("list")
def models_list() -> None:
    """Show the models available locally and which one is the default."""
    from mt.translate.models import HUB_MODEL, default_model_name, list_models

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
    from mt.translate.models import resolve

    typer.echo(str(resolve(name)))


@models_app.command("pull")
def models_pull(
    repo_id: Annotated[str, typer.Argument(help="Hub id, e.g. Helsinki-NLP/opus-mt-fr-en")],
) -> None:
    """Download a model from the Hugging Face hub into the local cache (needs network)."""
    from mt.translate.models import pull

    typer.echo(str(pull(repo_id)))
