import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .conftest import DATA, SAMPLE

RECORD_KEYS = {
    "paragraph",
    "sentence",
    "source",
    "translation",
    "logprob",
    "src_tokens",
    "tgt_tokens",
    "split_long",
    "chunks",
    "repetition_guard",
    "start",
    "end",
}


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mt", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        timeout=300,
    )


def test_translate_file_text_and_jsonl(tiny_model: Path) -> None:
    res = run("translate", str(SAMPLE), "--model", str(tiny_model), "--beam", "1")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out.startswith(" date 2022-11 ")
    assert out.count("\n\n") == 14

    res = run(
        "translate", str(SAMPLE), "--model", str(tiny_model), "--beam", "1", "--format", "jsonl"
    )
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert len(rows) == 19
    assert all(set(r) == RECORD_KEYS for r in rows)
    assert rows[0]["source"].startswith("La Russie") and isinstance(rows[0]["logprob"], float)


def test_segmented_stdin_one_line_per_line(tiny_model: Path) -> None:
    text = "Bonjour. Merci.\n\nLe chat dort.\n"
    args = ("translate", "-", "--segmented", "--model", str(tiny_model), "--beam", "1")
    res = run(*args, stdin=text.encode())
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[3] == ""
    res = run(
        "translate",
        "--segmented",
        "--format",
        "jsonl",
        "--model",
        str(tiny_model),
        stdin=text.encode(),
    )
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [r["source"] for r in rows] == ["Bonjour. Merci.", "", "Le chat dort."]
    # Windows line ends in, Windows line ends out
    res = run(*args, stdin=text.replace("\n", "\r\n").encode())
    out = res.stdout.decode()
    assert res.returncode == 0 and out.count("\r\n") == out.count("\n") == 3


def test_model_from_env(tiny_model: Path) -> None:
    res = run("translate", stdin=b"Bonjour.", env={"MT_MODEL": str(tiny_model)})
    assert res.returncode == 0 and res.stdout.strip(), res.stderr


def test_help_shows_the_link_format_as_written() -> None:
    # square brackets are markup to Rich: the help must escape them
    res = run("align", "--help", env={"COLUMNS": "200"})
    assert res.returncode == 0 and b"printed as [fr]:[en]:score" in res.stdout


def test_empty_input_is_empty_output() -> None:
    for stdin in (b"", b"  \n\n \t\n"):
        res = run("translate", "-", "--model", "/nonexistent", stdin=stdin)
        assert res.returncode == 0 and res.stdout == b"" and res.stderr == b""


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["translate", "missing.txt"], None, "no such file"),
        (["translate", "."], None, "is a directory"),
        (["translate", "-"], b"caf\xe9 cr\xe8me", "not valid UTF-8"),
        (["translate", "-", "--model", "tests"], b"Bonjour.", "holds no Marian model"),
        (["translate", "-", "--model", "no-such-model"], b"Bonjour.", "no model 'no-such-model'"),
        (
            ["translate", "-", "--model", "acme/not-cached"],
            b"Bonjour.",
            "not in the local Hugging Face cache",
        ),
        (["models", "path", "acme/not-cached"], None, "mt models pull"),
    ],
)
def test_bad_input_one_line_exit_2(
    args: list[str], stdin: bytes | None, message: str, tmp_path: Path
) -> None:
    res = run(*args, stdin=stdin, env={"HF_HOME": str(tmp_path)})
    err = res.stderr.decode()
    assert res.returncode == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_output_path_blocked_by_a_file_is_one_line_exit_2(
    tiny_model: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    article = tmp_path / "a.txt"
    article.write_text("Bonjour.")
    db = tmp_path / "r.db"
    model = ["--model", str(tiny_model)]
    for args in (
        ["run", str(article), "--db", str(blocker / "r.db"), *model],
        ["run", str(article), "--db", str(db), "--out", str(blocker / "out"), *model],
        ["batch", str(article), "--out", str(blocker / "b.db"), *model],
        ["serve", "--db", str(blocker / "s.db"), *model],
    ):
        res = run(*args)
        err = res.stderr.decode()
        assert res.returncode == 2, args
        assert f"{blocker} is a file, not a folder" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert not db.exists()  # the output folder is checked before a run is opened


def test_bundled_default_missing_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mt.translate import models

    monkeypatch.setattr(models, "BUNDLED_DIR", tmp_path / "no-models")
    monkeypatch.delenv("MT_MODEL", raising=False)
    with pytest.raises(
        models.ModelNotFoundError, match="mt models pull Helsinki-NLP/opus-mt-fr-en"
    ):
        models.resolve(None)
    assert models.list_models() == [] or all(i.source != "bundled" for i in models.list_models())


def test_bundled_model_is_the_default() -> None:
    from mt.translate.models import BUNDLED_DIR, resolve

    assert resolve(None) == BUNDLED_DIR / "fr-en-small"
    res = run("models", "list", env={"MT_MODEL": ""})
    assert res.returncode == 0 and "* fr-en-small\tbundled" in res.stdout.decode()


def _fake_hf_cache(home: Path, repo_id: str, model_dir: Path) -> Path:
    """Lay out ``model_dir`` the way huggingface_hub caches a downloaded snapshot."""
    repo = home / "hub" / ("models--" + repo_id.replace("/", "--"))
    commit = "0123456789abcdef0123456789abcdef01234567"
    snap = repo / "snapshots" / commit
    shutil.copytree(model_dir, snap)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    return snap


def test_hub_id_resolves_from_local_cache_offline(tiny_model: Path, tmp_path: Path) -> None:
    snap = _fake_hf_cache(tmp_path, "acme/tiny-fr-en", tiny_model)
    env = {"HF_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    res = run("models", "path", "acme/tiny-fr-en", env=env)
    assert res.returncode == 0, res.stderr
    assert Path(res.stdout.decode().strip()) == snap
    res = run("translate", "--model", "acme/tiny-fr-en", "--beam", "1", stdin=b"Bonjour.", env=env)
    assert res.returncode == 0 and res.stdout.strip(), res.stderr
    res = run("models", "list", env={**env, "MT_MODEL": "acme/tiny-fr-en"})
    assert res.returncode == 0
    assert "* acme/tiny-fr-en\thf-cache" in res.stdout.decode()


def test_pull_offline_is_one_line_error(tmp_path: Path) -> None:
    res = run(
        "models",
        "pull",
        "acme/does-not-exist",
        env={"HF_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"},
    )
    assert res.returncode == 2
    err = res.stderr.decode()
    assert err.startswith("mt: error: could not download 'acme/does-not-exist'")
    assert len(err.strip().splitlines()) == 1


def test_python_api_one_liner(tiny_model: Path) -> None:
    code = f"import mt; print(mt.translate('Bonjour.', model={str(tiny_model)!r}, beam=1))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip(), res.stderr


def test_eval_scores_a_pair(tiny_model: Path, tmp_path: Path) -> None:
    rows = [
        r.split("\t") for r in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    ]
    (tmp_path / "dev.fr").write_text("\n".join(fr for fr, _ in rows[:12]) + "\n", encoding="utf-8")
    (tmp_path / "dev.en").write_text("\n".join(en for _, en in rows[:12]) + "\n", encoding="utf-8")
    res = run("eval", str(tmp_path / "dev"), "--model", str(tiny_model), "--beam", "1")
    assert res.returncode == 0, res.stderr
    fields = res.stdout.decode().strip().split("\t")
    assert fields[0] == "dev" and fields[1] == "lines 12"
    assert fields[2].startswith("BLEU ") and fields[3].startswith("chrF ")
    assert "nrefs:1|case:mixed" in fields[5]

    (tmp_path / "bad.fr").write_text("un\ndeux\n", encoding="utf-8")
    (tmp_path / "bad.en").write_text("one\n", encoding="utf-8")
    res = run("eval", str(tmp_path / "bad"), "--model", str(tiny_model))
    assert res.returncode == 2 and b"has 2 lines but" in res.stderr


def run_with_terminal_stderr(
    args: list[str], stdin: bytes
) -> tuple[subprocess.CompletedProcess[bytes], bytes]:
    """Run ``python -m mt ARGS`` with stderr on a pseudo-terminal; return it and what it showed."""
    import pty

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm", "HF_HUB_OFFLINE": "1"}
    chunks: list[bytes] = []

    def drain() -> None:  # read while it runs: a full terminal buffer would block the writer
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    res = subprocess.run(
        [sys.executable, "-m", "mt", *args],
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
        timeout=300,
    )
    os.close(secondary)
    reader.join(timeout=10)
    os.close(main)
    shown = b"".join(chunks)
    return res, shown


def test_progress_bar_only_on_a_terminal(tiny_model: Path) -> None:
    lines = "".join(f"Phrase numéro {i}.\n" for i in range(30)).encode()
    args = ["translate", "--segmented", "--beam", "1", "--model", str(tiny_model)]
    res, shown = run_with_terminal_stderr(args, lines)
    assert res.returncode == 0
    assert b"translating" in shown
    assert len(res.stdout.decode().splitlines()) == 30
    # not a terminal: nothing on stderr
    res = run(*args, stdin=lines)
    assert res.returncode == 0 and res.stderr == b""


def test_eval_script_writes_the_model_card(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    (model / "README.md").write_text("# tiny\n\n## Evaluation\n\nOld.\n\n## Data\nx\n", "utf-8")
    rows = [
        r.split("\t") for r in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    ]
    (tmp_path / "dev.fr").write_text("\n".join(fr for fr, _ in rows[:8]) + "\n", encoding="utf-8")
    (tmp_path / "dev.en").write_text("\n".join(en for _, en in rows[:8]) + "\n", encoding="utf-8")
    script = Path(__file__).parent.parent / "eval" / "bleu.py"
    args = [sys.executable, str(script), "--model", str(model), "--data", str(tmp_path)]
    for backend in ("ct2", "torch", "ct2"):  # the second ct2 run replaces the first's table
        cmd = [*args, "--beam", "1", "--backend", backend, "--card", "dev"]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
    card = (model / "README.md").read_text(encoding="utf-8")
    assert card.count("### `python eval/bleu.py` — backend ct2, beam 1") == 1
    assert card.count("### `python eval/bleu.py` — backend torch, beam 1") == 1
    assert card.count("| dev | 8 |") == 2 and "Old." in card
    assert card.index("## Evaluation") < card.index("| dev | 8 |") < card.index("## Data")


def test_quotes_eval_scores_the_lines_that_open_a_quote(tiny_model: Path, tmp_path: Path) -> None:
    rows = [
        r.split("\t") for r in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    ]
    from mt.translate import split_open_marks

    quoted = sum(split_open_marks(en) != en for _, en in rows[:40])
    (tmp_path / "dev.fr").write_text("\n".join(fr for fr, _ in rows[:40]) + "\n", encoding="utf-8")
    (tmp_path / "dev.en").write_text("\n".join(en for _, en in rows[:40]) + "\n", encoding="utf-8")
    script = Path(__file__).parent.parent / "eval" / "quotes.py"
    args = [sys.executable, str(script), "--beam", "1", "--data", str(tmp_path)]
    res = subprocess.run(
        [*args, "--model", str(tiny_model), "dev"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    rows_out = [line for line in res.stdout.splitlines() if "| dev |" in line]
    assert quoted > 0 and len(rows_out) == 1 and f"| dev | {quoted} |" in rows_out[0]
    # a missing model or set: one error line, no table, no traceback
    for bad in (["--model", str(tmp_path / "none"), "dev"], ["--model", str(tiny_model), "nope"]):
        res = subprocess.run([*args, *bad], capture_output=True, text=True, timeout=300)
        assert res.returncode == 1 and "eval/quotes.py: error:" in res.stderr
        assert "Traceback" not in res.stderr and "| model |" not in res.stdout


def test_data_gaps_counts_a_phrase_and_its_english_in_each_corpus(tmp_path: Path) -> None:
    import gzip
    import lzma

    rows = [
        "Il désosse la viande.\tHe bones the meat.",
        "Ils veulent désosser le moteur.\tThey want to take the engine apart.",
        "La ville est sous le feu.\tThe city is under fire.",
        "not a pair",
    ]
    with gzip.open(tmp_path / "a.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows[:2]) + "\n")
    with lzma.open(tmp_path / "b.tsv.xz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    script = Path(__file__).parent.parent / "eval" / "data_gaps.py"
    args = [sys.executable, str(script), "--data", str(tmp_path)]
    res = subprocess.run(
        [*args, "--phrase", "désoss", r"\bbones?\b", "--show", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    table = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    assert table[1:] == [
        "| a.tsv.gz | 2 | 2 | 1 |",
        "| b.tsv.xz | 3 | 2 | 1 |",
        "| all | 5 | 4 | 2 |",
    ]
    assert res.stderr == "b.tsv.xz: lines without a tab, not counted: 1\n"
    assert "[EN matches] He bones the meat." in res.stdout and "engine apart" not in res.stdout
    # a missing folder, a folder without corpora, a bad pattern: one error line each
    (tmp_path / "empty").mkdir()
    for bad in (
        ["--data", str(tmp_path / "none")],
        ["--data", str(tmp_path / "empty")],
        ["--phrase", "(", "x"],
    ):
        res = subprocess.run([*args, *bad], capture_output=True, text=True, timeout=300)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert (
            res.stderr.startswith("eval/data_gaps.py: error:") and len(res.stderr.splitlines()) == 1
        )
