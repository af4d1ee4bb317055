"""The ``mt`` command line: the Typer application and its entry point."""

from __future__ import annotations

import sqlite3
import sys

import typer

from mt.cli import models, runs, text  # noqa: F401 (the modules register their commands)
from mt.cli.app import app
from mt.errors import MTError

# The click command behind the Typer app: what the generated CLI reference (mkdocs-click) reads.
click_command = typer.main.get_command(app)

__all__ = ["app", "click_command", "main"]


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
    except sqlite3.Error as exc:  # a full disk, a read-only or damaged results database
        typer.echo(f"mt: error: the results database: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # the machine refused a file operation: say which, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"mt: error: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)
