"""Build mt/data/fr-bigrams.npz, the French word-bigram table behind the word-order signal.

    python scripts/build_lm.py [--lines 800000]

Reads the French side of runs/data/stream.tsv (made by `train_marian.py prepare`) or, without
it, the French side of ../shared/data/train/wmt-news and europarl directly.
"""

from __future__ import annotations

import argparse
import itertools
import lzma
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mt.text.lm import _SCALE, BITS, BOS, EOS, LM_PATH, bigram_key  # noqa: E402

WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœÆæ]+")


def french_lines(limit: int):  # type: ignore[no-untyped-def]
    stream = ROOT / "runs" / "data" / "stream.tsv"
    if stream.exists():
        fh = open(stream, encoding="utf-8")  # noqa: SIM115
    else:
        fh = lzma.open(  # noqa: SIM115
            ROOT.parent / "shared" / "data" / "train" / "europarl-v7.tsv.xz", "rt", encoding="utf-8"
        )
    with fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            yield line.split("\t", 1)[0]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, default=800_000)
    args = p.parse_args()
    counts: Counter[int] = Counter()
    seen = set()
    for line in french_lines(args.lines):
        if line in seen:
            continue
        seen.add(line)
        words = [BOS, *(w.lower() for w in WORD.findall(line)), EOS]
        counts.update(bigram_key(a, b) for a, b in itertools.pairwise(words))
    table = np.zeros(1 << BITS, dtype=np.uint32)
    keys = np.fromiter(counts.keys(), dtype=np.int64)
    vals = np.fromiter(counts.values(), dtype=np.int64)
    np.add.at(table, keys, vals)
    q = np.minimum(np.round(np.log2(table.astype(np.float64) + 1) * _SCALE), 255).astype(np.uint8)
    LM_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(LM_PATH, q=q)
    print(
        f"{len(seen)} sentences, {len(counts)} buckets used, {LM_PATH.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
