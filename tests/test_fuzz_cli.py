"""A corpus of adversarial files through the CLI: every command ends with exit 0 or a one-line
error (exit 2), quickly, and never with a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .test_cli import run

# name → content: what scraped, machine-translated or hostile text can look like
CORPUS: dict[str, bytes] = {
    "one-long-token": b"a" * 200_000,
    "symbols-lines": "«\n".encode() * 5_000,
    "token-in-text": b"Voir " + b"x" * 5_000 + b" maintenant. Merci.",
    "no-punctuation": ("le chat dort sur la table " * 5_000).encode(),
    "titles": b"M. " * 20_000,
    "cr-only": b"Le chat dort.\r\rIl pleut.\r\rMerci.",
    "crlf": b"Le chat dort.\r\n\r\nIl pleut.\r\n",
    "scripts": "« Слава Україні » — مرحبا — 你好 — 😀🇫🇷 — naïve café.".encode(),
    "numbers": "Il y a 1 000 000 habitants, 3,5 % de plus, le 12/11/2022 à 14 h 30.".encode(),
    "web": "Écrivez à contact@example.fr ou voir https://www.example.fr/rapport-2022.".encode(),
    "controls": b"Le chat\x00 dort.\x07\x1b[31m Il pleut.\x0c\n\x0b",
    "bom-and-marks": "\ufeffLe chat\u200b dort.\u202e Il pleut.\u2066".encode(),
    "combining": ("e\u0301" * 2_000 + " Le chat dort.").encode(),
    "nested-quotes": ("« " * 500 + "bonjour" + " »" * 500).encode(),
    "markup": b"<p>Le <b>chat</b> dort.</p><script>alert(1)</script>",
    "blank-lines": b"\n" * 50_000 + b"Le chat dort.",
    "empty": b"",
}
# what each file holds that the model cannot carry and the English must (mt.translate.protect)
KEPT = {
    "numbers": ["1,000,000"],
    "scripts": ["Слава Україні", "مرحبا", "你好", "😀🇫🇷"],
    "web": ["contact@example.fr", "https://www.example.fr/rapport-2022"],
}
# files that are not UTF-8: refused with a one-line error
INVALID = {"latin-1": "Le chat dort à côté.".encode("latin-1"), "half-char": b"caf\xc3"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    for name, content in {**CORPUS, **INVALID}.items():
        (folder / f"{name}.txt").write_bytes(content)
    return folder


def _clean(res: object, allowed: tuple[int, ...] = (0, 2)) -> None:
    code, err = res.returncode, res.stderr  # type: ignore[attr-defined]
    assert code in allowed, err
    assert b"Traceback" not in err
    if code == 2:
        assert err.startswith(b"mt: error: ") and len(err.strip().splitlines()) == 1


def test_every_file_through_the_pipeline(corpus: Path, tiny_model: Path, tmp_path: Path) -> None:
    files = [str(corpus / f"{name}.txt") for name in CORPUS]
    start = time.monotonic()
    args = ["run", *files, "--repair", "--db", str(tmp_path / "r.db"), "--out", str(tmp_path)]
    res = run(*args, "--model", str(tiny_model), "--beam", "1")
    _clean(res, (0, 1, 2))  # 1: a document (the empty one) recorded as failed
    assert time.monotonic() - start < 240
    for name in INVALID:
        _clean(run("run", str(corpus / f"{name}.txt"), "--db", str(tmp_path / "r.db")))


@pytest.mark.parametrize("name", [*CORPUS, *INVALID])
def test_every_file_checks_and_translates(corpus: Path, tiny_model: Path, name: str) -> None:
    path = str(corpus / f"{name}.txt")
    for command in (["check", path], ["check", "--repair", path]):
        _clean(run(*command))
    res = run("translate", path, "--model", str(tiny_model), "--beam", "1")
    _clean(res)
    if name in KEPT:
        english = res.stdout.decode()
        assert [k for k in KEPT[name] if k not in english] == []
    if name == "symbols-lines":  # text without a letter comes back whole
        assert res.returncode == 0 and res.stdout.split() == CORPUS[name].split()
    if name == "token-in-text":  # and so does a token no word is as long as
        assert res.returncode == 0 and b"x" * 5_000 in res.stdout.split()
