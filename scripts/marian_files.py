"""Write OPUS-MT style tokenizer files for a model trained with one joint SentencePiece model.

Used by the training script when it exports a model, and by tests that build tiny models, so
that both produce directories that ``MarianTokenizer.from_pretrained`` loads like OPUS-MT ones.
The SentencePiece model must be trained with ``eos_id=0, unk_id=1, bos_id=-1, pad_id=-1``;
``<pad>`` is appended after the pieces (id = piece count), as in OPUS-MT.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def train_sentencepiece(text: Path, prefix: Path, vocab_size: int, **options: Any) -> Path:
    """Train a unigram SentencePiece model in Marian's layout; returns ``<prefix>.model``.

    Marian's layout: ``</s>`` = 0, ``<unk>`` = 1, no ``<s>``, no ``<pad>`` piece (it is appended
    after the pieces by :func:`write_tokenizer_files`). ``options`` go to the trainer.
    """
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        **options,
    )
    return prefix.with_name(prefix.name + ".model")


def write_tokenizer_files(
    spm_model: Path, out: Path, *, max_length: int = 512, vocab_size: int | None = None
) -> int:
    """Write ``source.spm``, ``target.spm``, ``vocab.json`` and the tokenizer config into ``out``.

    ``vocab_size`` pads the vocabulary with placeholder entries (before ``<pad>``, which stays
    last as in OPUS-MT) to match a model of that size. Returns the id of ``<pad>`` (also the
    decoder start token).
    """
    import sentencepiece as spm
    from transformers import MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=str(spm_model))
    if sp.id_to_piece(0) != "</s>" or sp.id_to_piece(1) != "<unk>":
        raise ValueError(f"{spm_model}: expected </s> at id 0 and <unk> at id 1")
    for side in ("source.spm", "target.spm"):
        (out / side).write_bytes(Path(spm_model).read_bytes())
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    pad = max(sp.get_piece_size(), (vocab_size or 0) - 1)
    vocab.update({f"<extra_{i}>": i for i in range(sp.get_piece_size(), pad)})
    vocab["<pad>"] = pad
    (out / "vocab.json").write_text(
        json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8"
    )
    tok = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="fr",
        target_lang="en",
        model_max_length=max_length,
    )
    tok.save_pretrained(str(out))
    return pad


def new_marian_model(
    pad_id: int,
    *,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn_dim: int,
    max_positions: int = 512,
    **config: Any,
) -> Any:
    """A randomly initialised ``MarianMTModel`` in OPUS-MT's layout (``<pad>`` last, eos 0).

    The vocabulary is ``pad_id + 1`` entries with shared embeddings; ``config`` overrides other
    ``MarianConfig`` fields. The ``<pad>`` row, the decoder's start token, is zeroed:
    Marian and CTranslate2 start the decoder from a zero embedding, so a random row there made
    CTranslate2 translate the first word differently from transformers. ``padding_idx`` keeps
    the row at zero through training (it gets no gradient); after loading other weights, call
    :func:`zero_start_embedding` again.
    """
    from transformers import MarianConfig, MarianMTModel

    cfg = MarianConfig(
        vocab_size=pad_id + 1,
        decoder_vocab_size=pad_id + 1,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn_dim,
        decoder_ffn_dim=ffn_dim,
        max_position_embeddings=max_positions,
        share_encoder_decoder_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
        **config,
    )
    model = MarianMTModel(cfg)
    zero_start_embedding(model)
    return model


def zero_start_embedding(model: Any) -> None:
    """Zero the embedding of ``<pad>``, the decoder start token (see :func:`new_marian_model`)."""
    import torch

    with torch.no_grad():
        model.get_input_embeddings().weight[model.config.pad_token_id].zero_()
