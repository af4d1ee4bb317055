"""Time and memory of the aligner on 10,000-sentence inputs that give it little to hold on to.

    python scripts/bench_align.py            # every case, each in its own process
    python scripts/bench_align.py --case repeated
    python scripts/bench_align.py --size 2000    # smaller inputs (the shuffled English: 2 / 5)

``eval/align.py`` times the six gold books repeated to 10,000 sentences a side: long texts
whose anchors (sentence pairs that are each other's best lexical match) pin the search down.
These cases have few or no anchors, so the band the search keeps around its path decides the
cost: ``mt.align.CELL_BUDGET`` bounds it.

- ``books``: the gold books repeated, as in ``eval/align.py`` (no vectors), for comparison.
- ``repeated``: the 49-sentence Jane Eyre excerpt of the tests and its translation, repeated to
  10,000 sentences a side: every word recurs every 49 sentences.
- ``shuffled``: the books' French (10,000 sentences) against 4,000 of their English sentences
  in random order: different lengths, and no order in common.
- ``length-only``: the books repeated, lexical similarity off (Gale–Church): no anchors at all.

Sentences, not clauses, as with ``--sentences``: the cases are about the search, not the units.
Each case runs in its own process, so that its peak memory is its own. Vectors and translation
are not used (the search is the same with them).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT))

from align import measured_align, read_books  # noqa: E402  (eval/align.py)

SIZE = 10_000
CASES = ("books", "repeated", "shuffled", "length-only")


def _repeat(lines: list[str], size: int = SIZE) -> list[str]:
    return (lines * (size // max(len(lines), 1) + 1))[:size]


def inputs(case: str, size: int = SIZE) -> tuple[list[str], list[str], float | None]:
    """French and English sentences for ``case``, and the lexical weight (None: default)."""
    if case == "repeated":
        [(_, fr, en, _)] = read_books(ROOT / "tests" / "data")  # the Jane Eyre excerpt
        return _repeat(fr, size), _repeat(en, size), None
    fr_all: list[str] = []
    en_all: list[str] = []
    for _, fr, en, _ in read_books():
        fr_all += fr
        en_all += en
    if case == "shuffled":
        en = _repeat(en_all, size * 2 // 5)
        random.Random(0).shuffle(en)
        return _repeat(fr_all, size), en, None
    lexical_weight = 0.0 if case == "length-only" else None
    return _repeat(fr_all, size), _repeat(en_all, size), lexical_weight


def run_case(case: str, size: int) -> None:
    fr, en, lexical_weight = inputs(case, size)
    links, seconds, grown = measured_align(fr, en, clauses=False, lexical_weight=lexical_weight)
    print(
        f"| {case} | {len(fr):,} | {len(en):,} | {len(links):,} | {seconds:.1f} | +{grown:.0f} |",
        flush=True,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--case", choices=CASES, help="run one case in this process")
    p.add_argument("--size", type=int, default=SIZE, help="French sentences (default 10,000)")
    args = p.parse_args()
    if args.size < 1:
        p.error("--size must be at least 1")
    if args.case:
        run_case(args.case, args.size)
        return
    print("| case | fr | en | links | seconds (one core) | peak memory (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in CASES:
        done = subprocess.run(
            [sys.executable, __file__, "--case", case, "--size", str(args.size)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"case {case} failed: {done.stderr.strip().splitlines()[-1]}")
        print(done.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
