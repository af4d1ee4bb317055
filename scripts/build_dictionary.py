"""Build mt/data/fr-en-stems.tsv.gz: French → English stem translations from the training pairs.

    python scripts/build_dictionary.py [--pairs 1000000]

Words are reduced to their Snowball stems (so "filles" and "fille", "daughters" and "daughter"
count as one), then the Dice coefficient of sentence-level co-occurrence (one sparse matrix
product) is computed between the 30,000 most frequent French and English stems; up to five
English stems per French stem. The aligner uses it for lexical similarity that does not depend
on the translation model's quality.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

from mt.align import stem

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "mt" / "data" / "fr-en-stems.tsv.gz"
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœÆæ]+")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=1_000_000)
    p.add_argument("--vocab", type=int, default=30_000)
    p.add_argument("--top", type=int, default=5, help="English stems kept per French stem")
    p.add_argument("--min-dice", type=float, default=0.05)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    docs_fr, docs_en = [], []
    with open(ROOT / "runs" / "data" / "stream.tsv", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= args.pairs:
                break
            fr, en = line.rstrip("\n").split("\t")
            docs_fr.append({stem(w.lower(), "fr") for w in WORD.findall(fr)})
            docs_en.append({stem(w.lower(), "en") for w in WORD.findall(en)})

    def matrix(docs: list[set[str]]) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
        df = Counter(w for d in docs for w in d)
        vocab = [w for w, c in df.most_common(args.vocab) if c >= 3]
        index = {w: i for i, w in enumerate(vocab)}
        rows, cols = [], []
        for r, d in enumerate(docs):
            for w in d:
                if w in index:
                    rows.append(r)
                    cols.append(index[w])
        m = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(docs), len(vocab))
        )
        return m, vocab, np.array([df[w] for w in vocab], dtype=np.float32)

    xf, vf, dff = matrix(docs_fr)
    xe, ve, dfe = matrix(docs_en)
    co = (xf.T @ xe).tocsr()
    lines = []
    for i in range(co.shape[0]):
        start, end = co.indptr[i], co.indptr[i + 1]
        cols, counts = co.indices[start:end], co.data[start:end]
        dice = 2 * counts / (dff[i] + dfe[cols])
        best = np.argsort(-dice)[: args.top]
        keep = [(ve[cols[k]], float(dice[k])) for k in best if dice[k] >= args.min_dice]
        if keep:
            lines.append(vf[i] + "\t" + " ".join(f"{w}:{d:.2f}" for w, d in keep))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines)} French stems, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
