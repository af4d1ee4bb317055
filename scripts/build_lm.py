"""Build mt/data/fr-bigrams.npz, the French word-bigram table behind the word-order signal.

    python scripts/build_lm.py                 # every prose corpus of ../shared/data/train
    python scripts/build_lm.py --lines 100000  # the first lines of each, for a quick table

Reads the French side of the training corpora (news, Tatoeba, Multi30k, biomedical abstracts,
Europarl, Canadian laws; not the software manuals), each distinct sentence once, and stores
log-quantised counts of word bigrams under 32-bit keys (:mod:`mt.text.lm`).
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mt.text.lm import LM_PATH, sentence_keys, stored  # noqa: E402
from mt.text.words import LATIN_WORD  # noqa: E402

TRAIN = ROOT.parent / "shared" / "data" / "train"
CORPORA = [
    "wmt-news-2008-2012.tsv.gz",
    "tatoeba-2019.tsv.gz",
    "multi30k-train.tsv.gz",
    "wmt-biomed.tsv.gz",
    "europarl-v7.tsv.xz",
    "canada-laws.tsv.xz",
]
# sentences whose bigram keys are counted together: a Python Counter over tens of millions
# of keys is slow
BATCH_SENTENCES = 1_000_000


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
    p.add_argument("--out", type=Path, default=LM_PATH, help="where to write the table")
    args = p.parse_args()
    seen: set[int] = set()
    keys: list[np.ndarray] = []
    counted: list[tuple[np.ndarray, np.ndarray]] = []

    def count_batch() -> None:
        found, times = np.unique(np.concatenate(keys), return_counts=True)
        counted.append((found, times))
        keys.clear()

    for line in french_lines(args.lines):
        digest = zlib.crc32(line.encode()) ^ (len(line) << 32)
        if digest in seen:
            continue
        seen.add(digest)
        keys.append(sentence_keys([w.lower() for w in LATIN_WORD.findall(line)]))
        if len(keys) >= BATCH_SENTENCES:
            count_batch()
    count_batch()
    found, where = np.unique(np.concatenate([k for k, _ in counted]), return_inverse=True)
    times = np.bincount(where, weights=np.concatenate([c for _, c in counted]))
    q = stored(times)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # sorted keys stored as gaps: small numbers, which compress
    np.savez_compressed(args.out, gaps=np.diff(found, prepend=np.uint32(0)), q=q)
    print(
        f"{len(seen)} sentences, {len(found)} distinct bigrams, {args.out.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
