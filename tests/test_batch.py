import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mt.text.segment import segment

from .conftest import DATA, biased_model
from .test_cli import run, run_with_terminal_stderr

BOILERPLATE = "Cet article a été publié par notre rédaction."


@pytest.fixture(scope="module")
def fast_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stops at once: batch tests measure bookkeeping, not decoding."""
    return biased_model(tiny_model, tmp_path_factory.mktemp("fast") / "model", "</s>")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    rows = [
        r.split("\t")[0]
        for r in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    ]
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(200):
        (folder / f"doc{i:03d}.txt").write_text(
            f"{rows[i % len(rows)]}\n\n{BOILERPLATE}\n", encoding="utf-8"
        )
    (folder / "broken.txt").write_bytes(b"caf\xe9 au lait")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    return folder


def stats(db: Path) -> dict[str, int]:
    res = run("jobs", "stats", "--db", str(db), "--format", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_sigkill_halfway_then_resume_processes_each_document_once(
    fast_model: Path, corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "batch.db"
    args = [
        sys.executable,
        "-m",
        "mt",
        "batch",
        str(corpus),
        "--out",
        str(db),
        "--model",
        str(fast_model),
        "--beam",
        "1",
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = 0
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                con = sqlite3.connect(db, timeout=1)
                done = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if done >= 60:
                break
    assert proc.poll() is None, "the job ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    halfway = stats(db)
    assert 0 < halfway["done"] + halfway["failed"] < 202
    assert halfway["pending"] == 202 - halfway["documents"]

    res = subprocess.run(args, capture_output=True, text=True, timeout=600)
    # exit 1 when this run recorded a failure (the two bad files, unless done before the kill)
    assert res.returncode == (0 if " 0 failed" in res.stdout else 1), res.stderr
    assert "already done earlier" in res.stdout
    final = stats(db)
    assert final["documents"] == 202 and final["done"] == 200 and final["failed"] == 2
    assert final["pending"] == 0
    expected = sum(
        len(segment(f.read_text(encoding="utf-8")).sentences) for f in corpus.glob("doc*.txt")
    )
    assert final["sentences"] == expected  # no document's sentences stored twice
    assert final["cache_hits"] >= 150  # the boilerplate sentence is translated once, then served
    con = sqlite3.connect(db)
    keys = [k for (k,) in con.execute("SELECT key FROM documents")]
    assert len(keys) == len(set(keys)) == 202
    errors = dict(con.execute("SELECT name, error FROM documents WHERE status='failed'").fetchall())
    assert "not valid UTF-8" in errors["broken.txt"] and errors["empty.txt"] == "empty document"


def test_jsonl_input_two_workers_and_rerun(fast_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": f"a{i}", "text": f"Phrase numéro {i}. {BOILERPLATE}"}) for i in range(6)
    ]
    lines += ['{"id": "bad", "text": 3}', "not json", json.dumps({"id": "a0", "text": "Doublon."})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "j.db"
    res = run(
        "batch",
        str(src),
        "--out",
        str(db),
        "--model",
        str(fast_model),
        "--beam",
        "1",
        "--workers",
        "2",
    )
    assert res.returncode == 1, res.stderr  # three records failed
    assert b"6 done, 3 failed" in res.stdout
    s = stats(db)
    assert s["done"] == 6 and s["failed"] == 3 and s["pending"] == 0
    assert f"mt jobs failed --db {db}".encode() in res.stderr
    listed = run("jobs", "failed", "--db", str(db))
    assert listed.returncode == 0
    lines = listed.stdout.decode().splitlines()
    assert len(lines) == 3 and lines[0] == "bad\tline 7: 'text' (and 'reference') must be strings"
    assert (
        lines[1].startswith("line-8\tline 8: ") and lines[2] == "line-9\tline 9: duplicate id 'a0'"
    )
    as_json = json.loads(run("jobs", "failed", "--db", str(db), "--format", "json").stdout)
    assert [f["name"] for f in as_json] == ["bad", "line-8", "line-9"]
    assert all(f["key"].startswith(str(src)) for f in as_json)
    res = run("batch", str(src), "--out", str(db), "--model", str(fast_model), "--beam", "1")
    assert res.returncode == 0 and b"0 done, 0 failed, 9 already done earlier" in res.stdout
    assert stats(db)["documents"] == 9


def test_batch_bad_input(tmp_path: Path) -> None:
    res = run("batch", str(tmp_path / "missing"), "--out", str(tmp_path / "x.db"))
    assert res.returncode == 2 and b"no such input" in res.stderr
    res = run("batch", str(tmp_path), "--out", str(tmp_path / "x.db"), "--engine", "spark")
    assert res.returncode == 2 and b"unknown engine 'spark'" in res.stderr
    res = run("jobs", "stats", "--db", str(tmp_path / "nope.db"))
    assert res.returncode == 2 and b"no such database" in res.stderr
    res = run("jobs", "failed", "--db", str(tmp_path / "nope.db"))
    assert res.returncode == 2 and b"no such database" in res.stderr


def test_ray_engine_two_actors(fast_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    docs = [{"id": f"r{i}", "text": f"Phrase numéro {i}. {BOILERPLATE}"} for i in range(8)]
    src.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    db = tmp_path / "ray.db"
    args = ["batch", str(src), "--out", str(db), "--model", str(fast_model), "--beam", "1"]
    res = run(*args, "--engine", "ray", "--workers", "2")
    assert res.returncode == 0, res.stderr
    s = stats(db)
    assert s["done"] == 8 and s["failed"] == 0 and s["pending"] == 0 and s["sentences"] == 16
    res = run(*args, "--engine", "ray", "--workers", "2")  # nothing left: no double processing
    assert res.returncode == 0 and b"0 done, 0 failed, 8 already done earlier" in res.stdout
    assert stats(db)["documents"] == 8


def test_progress_display_on_a_terminal(fast_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(json.dumps({"id": str(i), "text": f"Phrase {i}."}) for i in range(5)) + "\n"
    )
    args = [
        "batch",
        str(src),
        "--out",
        str(tmp_path / "p.db"),
        "--model",
        str(fast_model),
        "--beam",
        "1",
    ]
    res, shown = run_with_terminal_stderr(args, b"")
    assert res.returncode == 0
    assert b"documents" in shown and b"sent/s" in shown and b"5/5" in shown
    res = run(*args[:3], str(tmp_path / "q.db"), *args[4:])  # not a terminal: plain log lines
    assert b"[batch] 5/5 documents" in res.stderr


def test_references_are_aligned_with_the_bundled_encoder(fast_model: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    doc = {
        "id": "r1",
        "text": "Le chat dort sur le canapé. Il pleut depuis trois jours.",
        "reference": "The cat is sleeping on the sofa. It has been raining for three days.",
    }
    src.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    db = tmp_path / "r.db"
    res = run("batch", str(src), "--out", str(db), "--model", str(fast_model), "--beam", "1")
    assert res.returncode == 0, res.stderr
    with sqlite3.connect(db) as con:
        (settings,) = con.execute("SELECT settings FROM runs").fetchone()
        refs = [r for (r,) in con.execute("SELECT reference FROM sentences ORDER BY idx")]
    assert json.loads(settings)["embedder"].endswith("fr-en-embed")
    assert refs == ["The cat is sleeping on the sofa.", "It has been raining for three days."]
