import json
import sqlite3
from pathlib import Path

import pytest

from mt.errors import InputError
from mt.garble import FLAG_THRESHOLD
from mt.pipeline import run_document
from mt.score import repeated_ngrams, score_sentence
from mt.store import SCHEMA_VERSION, Store
from mt.translate import Translator

from .conftest import SAMPLE
from .test_cli import run

REFERENCE = (
    "Russia has absolutely lost momentum in Ukraine but President Vladimir Putin must not be "
    "underestimated, the head of the NATO military alliance told Sky News.\n\n"
    "Jens Stoltenberg was speaking after Moscow ordered its troops to withdraw from the key "
    "southern city of Kherson under fire from Ukrainian forces, in a major setback.\n"
)


def test_score_signals() -> None:
    good = score_sentence(
        "Le chat dort sur le canapé.", "The cat sleeps on the sofa.", logprob=-0.4, garble_score=0.0
    )
    assert good.quality > 0.8 and not good.flagged and good.reasons == []
    copied = score_sentence(
        "Le chat dort sur le canapé du salon.",
        "Le chat dort sur le canapé du salon.",
        logprob=-0.4,
        garble_score=0.0,
    )
    assert copied.flagged and any("untranslated" in r for r in copied.reasons)
    loop = score_sentence(
        "Il a dit non.", "He said no no no no no no no no no.", logprob=-0.5, garble_score=0.0
    )
    assert loop.flagged and repeated_ngrams("no no no no no") == 2
    unsure = score_sentence("Il a dit non.", "He said no.", logprob=-4.0, garble_score=0.0)
    assert unsure.flagged and "low model confidence" in unsure.reasons[0]
    with_ref = score_sentence(
        "Il a dit non.",
        "He said no.",
        logprob=-0.4,
        garble_score=0.0,
        reference_scores={"chrf": 0.1, "bleu": 0.0},
    )
    assert with_ref.quality < good.quality and "reference" in with_ref.reasons[-1]


def test_calibration_moves_the_confidence_midpoint(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    from mt.errors import ModelNotFoundError
    from mt.score import CALIBRATION_FILE, Calibration, load_calibration

    sharp = Calibration(logprob_midpoint=-0.6, logprob_scale=12.0)
    # a model whose confident output sits near -0.4: -0.7 is doubtful under its calibration,
    # not under the defaults (midpoint -1.6)
    args = ("Il a dit non.", "He said no.")
    assert not score_sentence(*args, logprob=-0.7, garble_score=0.0).flagged
    doubtful = score_sentence(*args, logprob=-0.7, garble_score=0.0, calibration=sharp)
    assert doubtful.flagged and "low model confidence" in doubtful.reasons[0]
    assert not score_sentence(*args, logprob=-0.4, garble_score=0.0, calibration=sharp).flagged

    model = tmp_path / "model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    assert load_calibration(model) == Calibration()  # no quality.json: the defaults
    (model / CALIBRATION_FILE).write_text('{"logprob_midpoint": 5.0, "logprob_scale": 3.0}')
    assert load_calibration(model) == Calibration(5.0, 3.0)
    # run_document reads the model's file: a midpoint above any log-probability flags everything
    doc = run_document("Le chat dort. Il pleut.", Translator(model, beam=1))
    assert all(s.flagged and "low model confidence" in s.reasons[0] for s in doc.sentences)
    for bad in ('{"logprob_midpoint": -1}', '{"logprob_midpoint": -1, "logprob_scale": 0}', "[]"):
        (model / CALIBRATION_FILE).write_text(bad)
        with pytest.raises(ModelNotFoundError, match="logprob_midpoint"):
            load_calibration(model)


def test_run_document_with_reference_and_repair(tiny_model: Path) -> None:
    tr = Translator(tiny_model, beam=1)
    doc = run_document(
        SAMPLE.read_text(encoding="utf-8"), tr, name="sky", reference=REFERENCE, repair_source=True
    )
    assert doc.metadata == "date 2022-11"
    assert len(doc.sentences) == 19
    second = doc.sentences[1]
    assert "Khersonsous" in second.source and "Kherson sous" in second.repaired
    assert any(f["type"] == "merged_token" for f in second.flags)
    assert doc.sentences[0].repaired.startswith("La Russie")  # metadata kept out of the prose
    assert doc.summary["sentences"] == 19
    assert doc.summary["flag_types"]["merged_token"] == 1
    assert sorted(doc.summary["worst"]) == sorted(doc.summary["worst"])[:5]
    assert all(0.0 <= s.quality <= 1.0 for s in doc.sentences)
    with_ref = [s for s in doc.sentences if s.reference]
    assert with_ref and all("chrf" in s.metrics for s in with_ref)
    # the score judges what was translated: the repaired French, without the header; the record
    # keeps the source's own garble score and flags, and a reason says what was repaired
    assert second.garble_score >= FLAG_THRESHOLD > second.metrics["garble"]
    assert second.reasons[0] == "source repaired before translation: 'Khersonsous' → 'Kherson sous'"
    first = doc.sentences[0]
    assert any(f["type"] == "metadata" for f in first.flags)
    assert first.garble_score >= FLAG_THRESHOLD > first.metrics["garble"]
    assert not any("garbled source" in r for r in first.reasons + second.reasons)
    third = doc.sentences[3]
    assert third.repaired.startswith("Mais le secrétaire général de l’OTAN a déclaré")
    # a garble the repair leaves (a stray capital is not repaired) still counts
    left = run_document("Il a dit que La Russie avait perdu.", tr, name="x", repair_source=True)
    assert left.sentences[0].metrics["garble"] >= 0.38 and left.sentences[0].flagged


def test_repaired_sentence_keeps_the_quote_balance_of_its_paragraph(tiny_model: Path) -> None:
    text = "“Nous devons attendre la suite. Ils ont ont perdu leur élan.”\n"
    doc = run_document(text, Translator(tiny_model, beam=1), name="q", repair_source=True)
    second = doc.sentences[1]
    assert second.repaired == "Ils ont perdu leur élan.”"
    # its closing quote matches the first sentence's opening one, repaired or not
    assert second.metrics["garble"] == 0.0
    assert second.garble_score >= 0.38  # the source's own garble: the repeated word


def test_store_round_trip_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = Store(path)
    run_id = store.new_run({"model": "x"})
    sentence = {
        "index": 0,
        "paragraph": 0,
        "source": "Bonjour.",
        "repaired": "Bonjour.",
        "translation": "Hello.",
        "reference": None,
        "logprob": -0.5,
        "garble_score": 0.0,
        "quality": 0.9,
        "flagged": False,
        "reasons": [],
        "flags": [],
        "metrics": {"logprob": -0.5},
    }
    doc_id = store.add_document(
        run_id, "a.txt", sentences=[sentence], metadata=None, summary={"n": 1}
    )
    store.add_failure(run_id, "b.txt", "empty document")
    store.close()
    store = Store(path)  # reopen: schema found, not recreated
    docs = store.documents()
    assert [(d["name"], d["status"]) for d in docs] == [("a.txt", "done"), ("b.txt", "failed")]
    assert [store.document(d["id"]) for d in docs] == docs and store.document(999) is None
    assert store.document_count() == 2
    [failed] = store.failures()
    assert (failed["name"], failed["error"]) == ("b.txt", "empty document")
    assert store.sentences(doc_id) == [
        {**{k: v for k, v in sentence.items() if k != "index"}, "idx": 0, "unlikely": []}
    ]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    with pytest.raises(InputError, match=f"version 99; this mt reads version {SCHEMA_VERSION}"):
        Store(path)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a usable SQLite database"):
        Store(tmp_path / "junk.db")


def test_mt_run_cli(tiny_model: Path, tmp_path: Path) -> None:
    ref = tmp_path / "ref.en"
    ref.write_text(REFERENCE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    db = tmp_path / "results.db"
    res = run(
        "run", str(SAMPLE), str(empty), "--model", str(tiny_model), "--beam", "1",
        "--db", str(db), "--out", str(tmp_path / "out"), "--repair",
    )  # fmt: skip
    # the empty article fails (exit 1) after the other one is done and stored
    assert res.returncode == 1, res.stderr
    assert b"19 sentences" in res.stdout and b"empty, recorded as failed" in res.stderr
    record = json.loads(
        (tmp_path / "out" / "sky-news-2022-11-nato-fr.json").read_text(encoding="utf-8")
    )
    assert record["metadata"] == "date 2022-11" and len(record["sentences"]) == 19
    page = (tmp_path / "out" / "sky-news-2022-11-nato-fr.html").read_text(encoding="utf-8")
    assert '<mark class="flag merged_token"' in page and "Khersonsous</mark>" in page
    docs = Store(db).documents()
    assert [d["status"] for d in docs] == ["done", "failed"]
    con = sqlite3.connect(db)
    (settings,) = con.execute("SELECT settings FROM runs").fetchone()
    con.close()
    # the tiny model has no quality.json: the run records the defaults it was scored with
    assert json.loads(settings)["calibration"] == {"logprob_midpoint": -1.6, "logprob_scale": 3.0}

    res = run("run", str(SAMPLE), "--reference", str(ref), "--reference", str(ref), "--db", str(db))
    assert res.returncode == 2 and b"1 articles but 2 --reference files" in res.stderr
    res = run("run", str(SAMPLE), "--db", str(tmp_path), "--model", str(tiny_model))
    assert res.returncode == 2 and b"is a directory" in res.stderr


def test_a_version_3_database_gains_the_unlikely_spans(tmp_path: Path) -> None:
    from mt.store_schema import _UNLIKELY, SCHEMA

    path = tmp_path / "v3.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA.replace(_UNLIKELY, ""))
    db.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    db.execute("INSERT INTO runs VALUES (1, 0, '{}')")
    db.execute("INSERT INTO documents VALUES (1, 1, NULL, 'a.txt', 'done', NULL, NULL, '{}', 0)")
    row = (1, 0, 0, "Bonjour.", "Bonjour.", "Hello.", None, -0.5, 0.0, 0.9, 0, "[]", "[]", "{}")
    db.execute(f"INSERT INTO sentences VALUES ({', '.join('?' * len(row))})", row)
    db.commit()
    db.close()
    store = Store(path)
    [sentence] = store.sentences(1)
    assert sentence["translation"] == "Hello." and sentence["unlikely"] == []
    assert store.db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
