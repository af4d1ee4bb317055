"""Sentence vectors: the encoder folder, the vectors, and what the aligner does with them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import mt
from mt.align.embed import Embedder, bundled_embedder, is_embedder_dir
from mt.translate.models import is_marian_dir

from .conftest import SAMPLE
from .test_align import INSERTED_EN, INVENTED_FR, covers
from .test_cli import run


@pytest.fixture(scope="module")
def tiny_encoder(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny translation model's encoder saved as ``scripts/train_embed.py export`` saves one."""
    from transformers import MarianMTModel

    out = tmp_path_factory.mktemp("encoders") / "tiny-embed"
    encoder = MarianMTModel.from_pretrained(tiny_model).get_encoder()
    encoder.config.architectures = ["MarianEncoder"]
    encoder.save_pretrained(out)
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        shutil.copy(tiny_model / name, out / name)
    return out


def test_vectors_compose_and_long_texts_are_read_whole(tiny_encoder: Path) -> None:
    emb = Embedder(tiny_encoder, max_input_tokens=16)
    texts = ["Il pleut sur Paris.", "Le chat dort.", ""]
    vec = emb.vectors(texts, "fr")
    assert vec.shape == (3, emb.dim) and vec.dtype == np.float32
    assert np.abs(vec[0] - vec[1]).sum() > 0
    # a batch gives each text the vector it gets alone
    np.testing.assert_allclose(emb.vectors(texts[1:2], "fr")[0], vec[1], rtol=1e-4, atol=1e-5)
    long = " ".join(["Il pleut sur Paris depuis lundi et rien ne change."] * 6)
    cut = " ".join(long.split()[:6])
    whole, start = emb.vectors([long, cut], "fr")
    assert np.abs(whole - start).sum() > 1.0  # beyond 16 pieces the text still counts
    assert emb.vectors([], "en").shape == (0, emb.dim)
    with pytest.raises(mt.InputError, match="unknown language"):
        emb.vectors(texts, "de")


def test_an_encoder_folder_is_not_a_translation_model(tiny_model: Path, tiny_encoder: Path) -> None:
    assert is_embedder_dir(tiny_encoder) and not is_marian_dir(tiny_encoder)
    assert is_marian_dir(tiny_model) and not is_embedder_dir(tiny_model)
    with pytest.raises(mt.ModelNotFoundError, match="not a sentence encoder"):
        Embedder(tiny_model)
    broken = tiny_encoder.parent / "broken"
    shutil.copytree(tiny_encoder, broken, dirs_exist_ok=True)
    (broken / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(mt.ModelNotFoundError, match="could not load"):
        Embedder(broken)


def test_vectors_place_an_inserted_sentence() -> None:
    fr, en = INVENTED_FR, INSERTED_EN
    axes = np.eye(4, dtype=np.float32) * 10
    fv = axes[[0, 2, 3]]
    ev = axes[[0, 1, 2, 3]]
    expected = [([0], [0]), ([], [1]), ([1], [2]), ([2], [3])]
    links = mt.align(fr, en, vectors=(fv, ev))
    assert covers(links, 3, 4)
    assert [(x.fr, x.en) for x in links] == expected
    assert [(x.fr, x.en) for x in mt.align(fr, en)] != expected  # length alone cannot tell
    with pytest.raises(mt.InputError, match="expected 3 and 4"):
        mt.align(fr, en, vectors=(fv[:2], ev))
    with pytest.raises(mt.InputError, match="dimensions"):
        mt.align(fr, en, vectors=(fv, ev[:, :3]))


def test_align_cli_with_an_encoder(tmp_path: Path, tiny_encoder: Path) -> None:
    (tmp_path / "a.fr").write_text("Bonjour.\nIl pleut.\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("Hello.\nIt rains.\n", encoding="utf-8")
    args = ("align", str(tmp_path / "a.fr"), str(tmp_path / "a.en"), "--segmented")
    res = run(*args, "--embedder", str(tiny_encoder), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert sorted(i for r in rows for i in r["fr"]) == [0, 1]
    res = run(*args, "--embedder", str(tmp_path / "missing"))
    assert res.returncode != 0 and b"Traceback" not in res.stderr
    assert b"not a sentence encoder" in res.stderr


def test_the_bundled_encoder_finds_translations() -> None:
    emb = bundled_embedder()
    assert emb is not None, "mt/models/fr-en-embed is missing"
    fr = [
        "Le chat dort sur le canapé.",
        "La Russie a perdu l'élan en Ukraine.",
        "Il pleut depuis trois jours.",
    ]
    en = [
        "It has been raining for three days.",
        "The cat is sleeping on the sofa.",
        "Russia has lost momentum in Ukraine.",
    ]
    fv, ev = emb.pair_vectors(fr, en)
    unit = lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)  # noqa: E731
    assert list((unit(fv) @ unit(ev).T).argmax(1)) == [1, 2, 0]


def test_a_list_cut_by_semicolons_meets_its_translation_whole() -> None:
    # nine clauses against one: more than a bead holds, unless split_clauses joins them
    fr = [
        "Le chat dort sur le canapé.",
        "Il faut acheter du pain; du lait frais; des oeufs de ferme; du beurre salé; de la "
        "farine; du sucre roux; des pommes rouges; du fromage de chèvre; du vin rouge.",
        "Marie part demain matin.",
    ]
    en = [
        "The cat sleeps on the sofa.",
        "We must buy bread, fresh milk, farm eggs, salted butter, flour, brown sugar, red "
        "apples, goat cheese, red wine.",
        "Mary leaves tomorrow morning.",
    ]
    links = mt.align(fr, en, embedder=bundled_embedder())
    assert [(x.fr, x.en) for x in links] == [([0], [0]), ([1], [1]), ([2], [2])]


def test_the_pipeline_aligns_its_reference_with_vectors(tiny_model: Path) -> None:
    from mt.pipeline import run_document

    from .test_pipeline import REFERENCE

    doc = run_document(
        SAMPLE.read_text(encoding="utf-8"),
        mt.Translator(tiny_model, beam=1),
        reference=REFERENCE,
        embedder=bundled_embedder(),
    )
    first = doc.sentences[0]
    assert first.reference is not None and first.reference.startswith("Russia has absolutely")
