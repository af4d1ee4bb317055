"""Scoring translations made by any system: the API, ``mt score``, ``POST /v1/score``, and the
learned estimator read from a model directory."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import mt
from mt.errors import InputError
from mt.options import Options
from mt.score.agreement import agreement
from mt.score.estimator import AGREEMENT_FEATURES, estimator_files, load_estimator
from mt.score.signals import FEATURES
from mt.server import create_app
from mt.service import Service

from .test_cli import run

FR = ["Le chat dort sur la table.", "Il a payé 350 euros à Paris."]
EN = ["The cat sleeps on the table.", "He paid 120 euros in London."]


def with_estimator(
    model: Path,
    tmp: pytest.TempPathFactory,
    x: np.ndarray,
    y: np.ndarray,
    flag_below: float,
    agreement: bool = False,
) -> Path:
    """A copy of ``model`` with an estimator fitted on synthetic signals ``x`` (:data:`FEATURES`,
    or with ``agreement`` :data:`AGREEMENT_FEATURES`) and qualities ``y``."""
    import lightgbm as lgb

    folder = tmp.mktemp("qe") / model.name
    shutil.copytree(model, folder)
    features = list(AGREEMENT_FEATURES if agreement else FEATURES)
    params = {"objective": "regression", "verbose": -1, "min_data_in_leaf": 5}
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=features), 30)
    meta_file, model_file = estimator_files(agreement)
    (folder / model_file).write_text(booster.model_to_string(), encoding="utf-8")
    grid = [0.0, 0.5, 1.0]
    meta = {"features": features, "calibration": {"x": grid, "y": grid}, "flag_below": flag_below}
    (folder / meta_file).write_text(json.dumps(meta), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def estimated_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with an estimator fitted on synthetic signals: a lost number costs half
    the quality, nothing else counts."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, len(FEATURES)))
    lost = FEATURES.index("numbers_lost")
    x[:, lost] = rng.choice([0, 0, 0, 0, 0, 1, 2], size=600)  # as rare as in real text
    y = np.clip(0.9 - 0.4 * x[:, lost], 0, 1)
    return with_estimator(tiny_model, tmp_path_factory, x, y, flag_below=0.6)


def test_score_translations_of_any_system(tiny_model: Path) -> None:
    scores = mt.score_translations(FR, EN, references=EN, model=str(tiny_model))
    assert [s.index for s in scores] == [0, 1]
    assert [s.translation for s in scores] == EN
    assert all(0 <= s.quality <= 1 and s.chrf == 1.0 for s in scores)
    assert set(FEATURES) <= set(scores[1].signals)
    assert scores[1].signals["numbers_lost"] == 1 and scores[0].signals["numbers_lost"] == 0
    with pytest.raises(InputError, match="as many lines"):
        mt.score_translations(FR, EN[:1], model=str(tiny_model))
    with pytest.raises(InputError, match="lists of strings"):
        mt.score_translations("Le chat.", "The cat.", model=str(tiny_model))  # type: ignore[arg-type]


def test_the_learned_estimator_decides_quality_and_names_its_reasons(estimated_model: Path) -> None:
    assert load_estimator(estimated_model) is not None
    service = Service(Options(model=str(estimated_model)))
    faithful, lost = service.score_translations(FR[1:] * 2, ["He paid 350 euros in Paris.", EN[1]])
    assert faithful.quality > 0.8 > 0.6 > lost.quality
    assert lost.flagged and not faithful.flagged
    assert lost.reasons[0] == "a number of the French is missing from the English"
    # the pipeline scores its own translations with the same estimator
    doc = service.process("Il a payé 350 euros à Paris.")
    assert doc.sentences[0].quality == pytest.approx(
        service.score_translations([doc.sentences[0].repaired], [doc.sentences[0].translation])[
            0
        ].quality
    )


def test_an_estimator_fitted_on_other_signals_is_refused(
    estimated_model: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(estimated_model, folder)
    meta = json.loads((folder / "qe.json").read_text(encoding="utf-8"))
    meta["features"] = meta["features"][:-1]
    (folder / "qe.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(mt.ModelNotFoundError, match="train_qe"):
        load_estimator(folder)


def test_mt_score_cli(tiny_model: Path, tmp_path: Path) -> None:
    fr, en, ref = tmp_path / "fr.txt", tmp_path / "en.txt", tmp_path / "ref.txt"
    fr.write_text("\n".join(FR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    ref.write_text("\n".join(EN) + "\n", encoding="utf-8")
    model = ["--model", str(tiny_model)]
    r = run("score", str(fr), str(en), "--format", "jsonl", "-r", str(ref), *model)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [row["source"] for row in rows] == FR and rows[0]["chrf"] == 1.0
    text = run("score", str(fr), str(en), *model)
    assert text.returncode == 0 and text.stdout.decode().startswith("#0 ")
    en.write_text(EN[0] + "\n", encoding="utf-8")
    bad = run("score", str(fr), str(en), *model)
    assert bad.returncode == 2 and b"as many lines" in bad.stderr and b"Traceback" not in bad.stderr


def test_score_endpoint(tiny_model: Path, tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "r.db", model=str(tiny_model), beam=1))
    r = client.post("/v1/score", json={"fr": FR, "en": EN, "references": EN})
    assert r.status_code == 200
    scores = r.json()["scores"]
    assert [s["translation"] for s in scores] == EN and scores[0]["chrf"] == 1.0
    assert client.post("/v1/score", json={"fr": FR, "en": EN[:1]}).status_code == 422
    assert client.post("/v1/score", json={"fr": FR, "en": EN, "beam": 2}).status_code == 422
    r = client.post("/v1/score", json={"fr": ["x" * 30_000], "en": ["y"]})
    assert r.status_code == 413


@pytest.fixture(scope="module")
def agreeing_model(estimated_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with a second estimator that reads only the model's agreement."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, len(AGREEMENT_FEATURES)))
    x[:, -1] = rng.uniform(size=600)
    return with_estimator(
        estimated_model, tmp_path_factory, x, x[:, -1], flag_below=0.3, agreement=True
    )


@pytest.mark.parametrize("backend", ["ct2", "torch"])
def test_samples_are_finished_translations_drawn_at_random(tiny_model: Path, backend: str) -> None:
    service = Service(Options(model=str(tiny_model), backend=backend))
    sources = ["Le chat dort sur la table.", "Il a payé 350 euros à Paris.", "Paris"]
    drawn = service.translator.sample_translations(sources, 4)
    assert [len(d) for d in drawn[:2]] == [4, 4]
    assert all(isinstance(t, str) for d in drawn for t in d)
    if backend == "torch":  # CTranslate2's sampling follows no seed
        assert drawn == service.translator.sample_translations(sources, 4)
    assert any(t.strip() for d in drawn for t in d)


def test_scores_with_agreement_repeat_from_one_run_to_the_next(
    agreeing_model: Path, tmp_path: Path
) -> None:
    fr, en = tmp_path / "fr.txt", tmp_path / "en.txt"
    fr.write_text("\n".join(FR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    args = ("score", str(fr), str(en), "--agreement", "--format", "jsonl")
    runs = [run(*args, "--model", str(agreeing_model)) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    rows = [[json.loads(line) for line in r.stdout.decode().splitlines()] for r in runs]
    assert rows[0] == rows[1] and all("agreement" in row["signals"] for row in rows[0])


def test_agreement_is_mean_chrf_against_the_samples() -> None:
    [same, other, none] = agreement(
        ["The cat sleeps.", "The cat sleeps.", "The cat."],
        [["The cat sleeps."] * 2, ["A dog."], []],
    )
    assert same == 1.0 and 0 <= other < 0.3 and math.isnan(none)


def test_the_agreement_estimator_reads_the_models_own_samples(agreeing_model: Path) -> None:
    assert load_estimator(agreeing_model, agreement=True).needs_agreement  # type: ignore[union-attr]
    service = Service(Options(model=str(agreeing_model), agreement=True))
    source = FR[0]
    own = service.translator.sample_translations([source], 4)[0][0]
    near, far = service.score_translations([source, source], [own, "Zebras quietly tax volcanoes."])
    assert near.signals["agreement"] > far.signals["agreement"]
    assert near.quality > far.quality
    assert far.flagged and any("asked again" in r for r in far.reasons)
    # mt run's pipeline reads the same signal for its own translations
    doc = service.process(source)
    assert 0.0 <= doc.sentences[0].quality <= 1.0


def test_agreement_needs_an_estimator_fitted_with_it(estimated_model: Path, tmp_path: Path) -> None:
    with pytest.raises(mt.ModelNotFoundError, match="train_qe"):
        Service(Options(model=str(estimated_model), agreement=True)).score_translations(FR, EN)
    fr, en = tmp_path / "fr.txt", tmp_path / "en.txt"
    fr.write_text("\n".join(FR) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN) + "\n", encoding="utf-8")
    r = run("score", str(fr), str(en), "--agreement", "--model", str(estimated_model))
    assert r.returncode != 0 and b"train_qe" in r.stderr and b"Traceback" not in r.stderr


def test_a_server_asked_for_agreement_without_its_estimator_says_why(
    estimated_model: Path, tmp_path: Path
) -> None:
    options = Options(model=str(estimated_model), agreement=True)
    client = TestClient(
        create_app(tmp_path / "r.db", options=options), raise_server_exceptions=False
    )
    r = client.post("/v1/score", json={"fr": FR, "en": EN})
    assert r.status_code == 400 and "train_qe" in r.text


@pytest.fixture(scope="module")
def confidence_model(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with an estimator that reads only the model's confidence."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, len(FEATURES)))
    lp = FEATURES.index("logprob")
    x[:, lp] = rng.uniform(-8, 0, size=600)
    return with_estimator(tiny_model, tmp_path_factory, x, 1 + x[:, lp] / 8, flag_below=0.9)


def test_flagged_sentences_that_blame_the_model_mark_the_words_it_found_unlikely(
    confidence_model: Path, tmp_path: Path
) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Le chat dort sur la table. Il a payé 350 euros à Paris.\n", encoding="utf-8")
    db, out = tmp_path / "r.db", tmp_path / "out"
    r = run("run", str(text), "--db", str(db), "--out", str(out), "--model", str(confidence_model))
    assert r.returncode == 0, r.stderr
    record = json.loads((out / "a.json").read_text(encoding="utf-8"))
    marked = [s for s in record["sentences"] if s["unlikely"]]
    assert marked  # the tiny model's output is gibberish: it finds its own words unlikely
    for s in marked:
        assert s["flagged"] and any("unlikely" in reason for reason in s["reasons"])
        assert all(0 <= a < b <= len(s["translation"]) for a, b in s["unlikely"])
    assert 'class="flag unlikely"' in (out / "a.html").read_text(encoding="utf-8")
    client = TestClient(create_app(db, model=str(confidence_model)))
    [stored] = client.get("/v1/documents").json()
    sentences = client.get(f"/v1/documents/{stored['id']}").json()["sentences"]
    marks = [f for s in sentences for f in s["translation_flags"] if f["type"] == "unlikely"]
    assert marks and all(m["text"] for m in marks)
    assert [s["unlikely"] for s in sentences] == [
        [list(span) for span in s["unlikely"]] for s in record["sentences"]
    ]


def test_an_unlikely_word_yields_to_a_mark_that_says_more() -> None:
    from mt.score import translation_marks

    marks = translation_marks("La Russie a perdu.", "Russie has lost.", [(0, 6), (11, 15)])
    assert [(m["type"], m["text"]) for m in marks] == [
        ("untranslated", "Russie"),
        ("unlikely", "lost"),
    ]
