"""Build mt/data/fr-bigrams.npz, the French word-bigram table behind the word-order signal.

    python scripts/build_lm.py                 # every prose corpus of ../shared/data/train
    python scripts/build_lm.py --lines 100000  # the first lines of each, for a quick table

Reads the French side of the training corpora (news, Tatoeba, Multi30k, biomedical abstracts,
Europarl, Canadian laws; not the software manuals), each distinct sentence once, and stores
log-quantised counts of hashed word bigrams (:mod:`mt.text.lm`).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import lzma
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mt.text.lm import _SCALE, BITS, BOS, EOS, LM_PATH, bigram_key  # noqa: E402

TRAIN = ROOT.parent / "shared" / "data" / "train"
CORPORA = [
    "wmt-news-2008-2012.tsv.gz",
    "tatoeba-2019.tsv.gz",
    "multi30k-train.tsv.gz",
    "wmt-biomed.tsv.gz",
    "europarl-v7.tsv.xz",
    "canada-laws.tsv.xz",
]
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœÆæ]+")
# hashed bigrams counted per batch: a Python Counter over tens of millions of keys is slow
BATCH = 20_000_000


def french_lines(limit: int) -> Iterator[str]:
    """The French side of each corpus, at most ``limit`` lines of each."""
    for name in CORPORA:
        path = TRAIN / name
        opener = gzip.open if name.endswith(".gz") else lzma.open
        with opener(path, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= limit:
                    break
                yield line.split("\t", 1)[0]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--lines", type=int, default=10**9, help="lines read of each corpus")
    args = p.parse_args()
    size = 1 << BITS
    table = np.zeros(size, dtype=np.uint64)
    seen: set[int] = set()
    keys: list[int] = []
    for line in french_lines(args.lines):
        digest = zlib.crc32(line.encode()) ^ (len(line) << 32)
        if digest in seen:
            continue
        seen.add(digest)
        words = [BOS, *(w.lower() for w in WORD.findall(line)), EOS]
        keys.extend(bigram_key(a, b) for a, b in itertools.pairwise(words))
        if len(keys) >= BATCH:
            table += np.bincount(np.asarray(keys, dtype=np.int64), minlength=size).astype(np.uint64)
            keys = []
    if keys:
        table += np.bincount(np.asarray(keys, dtype=np.int64), minlength=size).astype(np.uint64)
    q = np.minimum(np.round(np.log2(table.astype(np.float64) + 1) * _SCALE), 255).astype(np.uint8)
    LM_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(LM_PATH, q=q)
    print(
        f"{len(seen)} sentences, {int((table > 0).sum())} buckets used of {size}, "
        f"{LM_PATH.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
