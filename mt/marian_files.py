"""Write OPUS-MT style tokenizer files for a model trained with one joint SentencePiece model.

Used by the training script when it exports a model, and by tests that build tiny models, so
that both produce directories that ``MarianTokenizer.from_pretrained`` loads like OPUS-MT ones.
The SentencePiece model must be trained with ``eos_id=0, unk_id=1, bos_id=-1, pad_id=-1``;
``<pad>`` is appended after the pieces (id = piece count), as in OPUS-MT.
"""

from __future__ import annotations

import json
from pathlib import Path


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
