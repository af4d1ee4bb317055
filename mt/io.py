"""Files for the CLI: user input read strictly as UTF-8, output folders and files written, with
clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from mt.errors import InputError


def decode_utf8(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (a BOM is dropped); invalid bytes are an error, never replaced."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    return text.removeprefix("\ufeff")


def read_text(path: str | None) -> str:
    """Read a file, or standard input when ``path`` is None or ``-``."""
    if path is None or path == "-":
        return decode_utf8(sys.stdin.buffer.read(), "standard input")
    p = Path(path)
    if not p.exists():
        raise InputError(f"no such file: {path}")
    if p.is_dir():
        raise InputError(f"{path} is a directory, not a text file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return decode_utf8(data, path)


def make_dir(path: Path, what: str = "folder") -> Path:
    """Create ``path`` (and its parents) if missing; a path that cannot be one is an InputError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # mkdir says "File exists" when a file stands where a folder must go: name that file
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        why = f"{blocker} is a file, not a folder" if blocker else exc.strerror or str(exc)
        raise InputError(f"cannot create {what} {path}: {why}") from None
    return path


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text; a file that cannot be written is an InputError, not a traceback."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
