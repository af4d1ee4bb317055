"""Build a CTranslate2 vocabulary map (``vmap.txt``) for a Marian model directory.

    python scripts/build_vmap.py mt/models/fr-en-small [--corpus runs/data/stream.tsv]

With a vocabulary map, CTranslate2 scores only the target tokens that can translate the tokens
of the batch being decoded instead of the whole vocabulary; the output projection is the largest
single cost of a decoding step (for opus-mt-fr-en's shape, 512 × 59,514 multiply-adds per token
against about 21 M for all six decoder layers), so this is where the ct2 path gains most.

Candidates per source token: the source token itself (names and numbers are copied), and the
``--top`` target tokens with the highest Dice coefficient of sentence-level co-occurrence over
``--pairs`` sentence pairs of a tab-separated French/English corpus. The ``--always`` most frequent
target tokens are candidates for every sentence. The file goes into the model directory, where
the ct2 backend picks it up (and converts again) — ``Translator(..., vmap=False)`` or
``--no-vmap`` turns it off. What it costs in BLEU is measured by ``scripts/bench_translate.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import sentencepiece as spm
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
SHARED_TRAIN = ROOT.parent / "shared" / "data" / "train"


def default_corpus() -> Path:
    """The training stream of scripts/train_marian.py if prepared, else Europarl."""
    stream = ROOT / "runs" / "data" / "stream.tsv"
    return stream if stream.is_file() else SHARED_TRAIN / "europarl-v7.tsv.xz"


def read_pairs(corpus: Path, limit: int) -> Iterator[tuple[str, str]]:
    """Up to ``limit`` (French, English) pairs of a .tsv, .tsv.gz or .tsv.xz file."""
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(corpus.suffix, open)
    with opener(corpus, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        n = 0
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0] and cols[1]:
                yield cols[0], cols[1]
                n += 1
                if n >= limit:
                    return


def presence(docs: list[list[int]], size: int) -> sparse.csr_matrix:
    """Sentence × token matrix of ones where the token occurs in the sentence."""
    rows = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    cols = np.fromiter((t for d in docs for t in d), dtype=np.int64, count=len(rows))
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), (len(docs), size))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def build(model: Path, corpus: Path, pairs: int, top: int, always: int) -> list[str]:
    """The lines of ``vmap.txt`` for ``model`` (source n-gram, tab, target candidates)."""
    vocab: dict[str, int] = json.loads((model / "vocab.json").read_text(encoding="utf-8"))
    pieces = {i: p for p, i in vocab.items()}
    source = spm.SentencePieceProcessor(model_file=str(model / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(model / "target.spm"))
    fr_docs, en_docs = [], []
    for fr, en in read_pairs(corpus, pairs):
        fr_docs.append([vocab[p] for p in source.encode(fr, out_type=str) if p in vocab])
        en_docs.append([vocab[p] for p in target.encode(en, out_type=str) if p in vocab])
    if not fr_docs:
        raise SystemExit(f"error: no tab-separated sentence pairs in {corpus}")
    xf, xe = presence(fr_docs, len(vocab)), presence(en_docs, len(vocab))
    df_fr = np.asarray(xf.sum(axis=0)).ravel()
    df_en = np.asarray(xe.sum(axis=0)).ravel()
    co = (xf.T @ xe).tocsr()
    frequent = [pieces[int(i)] for i in np.argsort(-df_en)[:always] if df_en[i] > 0]
    lines = ["\t" + " ".join(frequent)]
    for s in np.flatnonzero(df_fr):
        start, end = co.indptr[s], co.indptr[s + 1]
        cols, counts = co.indices[start:end], co.data[start:end]
        dice = 2 * counts / (df_fr[s] + df_en[cols])
        best = [pieces[int(cols[k])] for k in np.argsort(-dice)[:top]]
        own = pieces[int(s)]
        if own not in best:
            best.append(own)
        lines.append(own + "\t" + " ".join(best))
    return lines


def write_vmap(
    model: Path,
    corpus: Path | None = None,
    *,
    pairs: int = 300_000,
    top: int = 30,
    always: int = 500,
    out: Path | None = None,
) -> Path:
    """Build the map for ``model`` and write it (default ``MODEL/vmap.txt``)."""
    lines = build(model, corpus or default_corpus(), pairs, top, always)
    out = out or model / "vmap.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path, help="a Marian model directory (vocab.json, *.spm)")
    p.add_argument("--corpus", type=Path, default=None, help="default: " + str(default_corpus()))
    p.add_argument("--pairs", type=int, default=300_000)
    p.add_argument("--top", type=int, default=30, help="candidates per source token")
    p.add_argument("--always", type=int, default=500, help="frequent target tokens always kept")
    p.add_argument("--out", type=Path, default=None, help="default: MODEL/vmap.txt")
    args = p.parse_args()
    for name in ("vocab.json", "source.spm", "target.spm"):
        if not (args.model / name).is_file():
            sys.exit(f"error: {args.model / name} not found (is it a Marian model directory?)")
    corpus = args.corpus or default_corpus()
    if not corpus.is_file():
        sys.exit(f"error: corpus {corpus} not found")
    out = write_vmap(
        args.model, corpus, pairs=args.pairs, top=args.top, always=args.always, out=args.out
    )
    lines = sum(1 for _ in out.open(encoding="utf-8"))
    print(f"{out}: {lines - 1} source tokens, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
