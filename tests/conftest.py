"""Shared fixtures: a tiny Marian model built from fixture text and saved like a real one."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
# training-only helpers (building Marian models and their vocabularies) live with the scripts
sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
EXAMPLES = Path(__file__).parent.parent / "examples"
SAMPLE = EXAMPLES / "sky-news-2022-11-nato-fr.txt"


def build_tiny_model(out: Path, *, seed: int = 0) -> Path:
    """Random-weight Marian model + SentencePiece model trained on fixture text, saved to ``out``."""
    import torch
    from marian_files import new_marian_model, train_sentencepiece, write_tokenizer_files

    out.mkdir(parents=True, exist_ok=True)
    text = out / "spm-train.txt"
    lines = []
    for row in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines():
        lines.extend(row.split("\t"))
    lines.extend(SAMPLE.read_text(encoding="utf-8").splitlines())
    text.write_text("\n".join(lines), encoding="utf-8")
    train_sentencepiece(text, out / "spm", 400, character_coverage=1.0, minloglevel=2)
    pad = write_tokenizer_files(out / "spm.model", out)
    for f in ("spm.model", "spm.vocab", "spm-train.txt"):
        (out / f).unlink()
    torch.manual_seed(seed)
    # Random weights: outputs are gibberish but exercise every code path; 64 positions keep
    # generation (and so the tests) short.
    model = new_marian_model(
        pad, d_model=32, encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=64, max_positions=64
    )
    model.save_pretrained(out)
    return out


def biased_model(src: Path, dst: Path, token: str, bias: float = 50.0) -> Path:
    """A copy of ``src`` whose decoder prefers ``token`` (to force loops or empty output)."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    shutil.copytree(src, dst)
    model = MarianMTModel.from_pretrained(dst)
    tok_id = MarianTokenizer.from_pretrained(dst).convert_tokens_to_ids(token)
    with torch.no_grad():
        model.final_logits_bias[0, tok_id] = bias
    model.save_pretrained(dst)
    return dst


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-fr-en")
