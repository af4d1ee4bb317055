"""Search the aligner's costs on the six gold books, with a leave-one-book-out estimate.

    python scripts/tune_align.py            # the aligner alone
    python scripts/tune_align.py --score    # with the bundled model's scorer, as `--score` runs
    python scripts/tune_align.py --embed    # with the bundled encoder's vectors (and their costs)
    python scripts/tune_align.py --sentences   # whole sentences aligned, not clauses
    python scripts/tune_align.py --data DIR    # other gold books (eval/align.py's format)

Every setting in the grid aligns all six books of ``../shared/data/align``; the table gives
strict F1 per book. Picking the best setting on the same books that score it flatters it, so
the script also reports leave-one-book-out: for each book, the setting that is best on the
other five, scored on the held-out book. That mean is the number to expect on unseen books.
For the best setting other than the defaults it also gives a 95 % interval of its gain over
them, by a paired bootstrap over stretches of gold links (``eval/align.py``): an interval that
holds 0 cannot tell the two apart on these books.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))
sys.path.insert(0, str(ROOT))

from align import (  # noqa: E402  (eval/align.py)
    add_data_option,
    add_embed_option,
    add_score_option,
    add_sentences_option,
    as_pairs,
    book_vectors,
    bundled_translator,
    check_embed_args,
    difference_interval,
    f1,
    load_books,
    stretch_counts,
)

from mt.align import Costs, align, default_costs  # noqa: E402


def grid(embed: bool = False, clauses: bool = True) -> list[tuple[str, Costs]]:
    """One-at-a-time variations around the defaults (a full product would take hours)."""
    base = default_costs(embed)
    out = [("defaults", base)]
    if clauses:
        for brk in (base.clause_break - 2, base.clause_break + 2):
            out.append((f"clause_break={brk}", dataclasses.replace(base, clause_break=brk)))
    if embed:  # the costs only sentence vectors use
        for w in (base.embed_weight - 4, base.embed_weight + 4):
            out.append((f"embed_weight={w}", dataclasses.replace(base, embed_weight=w)))
        for floor in (0.0, 0.2):
            out.append((f"embed_floor={floor}", dataclasses.replace(base, embed_floor=floor)))

    for pen in (0.0, 3.0, 8.0):
        out.append((f"merge_penalty={pen}", dataclasses.replace(base, merge_penalty=pen)))
    for cover in (round(base.merge_cover - 0.1, 2), round(base.merge_cover + 0.1, 2)):
        out.append((f"merge_cover={cover}", dataclasses.replace(base, merge_cover=cover)))
    for rate in (0.0, 0.03, 0.08):
        out.append((f"insertion_rate={rate}", dataclasses.replace(base, insertion_rate=rate)))
    for lo, hi in ((0.9, 1.1), (0.85, 1.15), (0.75, 1.25)):
        out.append((f"length_ratio={lo}-{hi}", dataclasses.replace(base, length_ratio=(lo, hi))))
    for lw in (4.0, 12.0) if embed else (20.0, 28.0):
        out.append((f"lexical_weight={lw}", dataclasses.replace(base, lexical_weight=lw)))
    for shapes, costs in (
        (((1, 0), (0, 1)), (3.0, 3.5, 4.5) if embed else (3.0, 4.0, 4.5)),
        (((1, 2), (2, 1)), (1.5, 2.5)),
        (((2, 2),), (2.5, 4.5)),
        (((1, 3), (3, 1)), (3.5, 5.5)),
    ):
        for c in costs:
            beads = dict(base.beads) | {s: c for s in shapes}
            name = "/".join(f"{a}-{b}" for a, b in shapes) + f"={c}"
            out.append((name, dataclasses.replace(base, beads=beads)))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    add_score_option(p)
    add_embed_option(p)
    add_sentences_option(p)
    add_data_option(p)
    args = p.parse_args()
    check_embed_args(p, args)
    data = {name: (fr, en, gold) for name, fr, en, gold in load_books(p, args.data)}
    books = list(data)
    clauses = not args.sentences
    scorer = bundled_translator().score_pairs if args.score else None
    vectors = {
        b: book_vectors(fr, en, args.embedder, clauses) if args.embed else None
        for b, (fr, en, _) in data.items()
    }
    short = [b[:8] for b in books]
    print("| setting | " + " | ".join(short) + " | mean |")
    print("|---|" + "---:|" * (len(books) + 1))
    scores: dict[str, list[float]] = {}
    stretches: dict[str, list[np.ndarray]] = {}
    golds = [g for _, _, g in data.values()]
    start = time.perf_counter()
    for name, costs in grid(args.embed, clauses):
        links = [
            as_pairs(align(fr, en, costs=costs, scorer=scorer, vectors=vectors[b], clauses=clauses))
            for b, (fr, en, _) in data.items()
        ]
        row = [f1(pred, g)[0] for pred, g in zip(links, golds, strict=True)]
        stretches[name] = [stretch_counts(pred, g) for pred, g in zip(links, golds, strict=True)]
        scores[name] = row
        cells = " | ".join(f"{x:.3f}" for x in row)
        print(f"| {name} | {cells} | {sum(row) / len(row):.3f} |", flush=True)
    best = max(scores, key=lambda n: sum(scores[n]))
    print(f"\nbest on all {len(books)} books: {best} ({sum(scores[best]) / len(books):.3f})")
    rival = max((n for n in scores if n != "defaults"), key=lambda n: sum(scores[n]))
    lo, hi = difference_interval(stretches[rival], stretches["defaults"])
    gain = (sum(scores[rival]) - sum(scores["defaults"])) / len(books)
    print(
        f"best other than the defaults: {rival}, {gain:+.4f} against them; 95 % interval of the "
        f"difference {lo:+.4f} to {hi:+.4f} (paired bootstrap over stretches of gold links)"
    )
    held = []
    for k, book in enumerate(books):
        pick = max(scores, key=lambda n: sum(x for i, x in enumerate(scores[n]) if i != k))
        held.append(scores[pick][k])
        print(f"held out {book}: best on the others is {pick} → {scores[pick][k]:.3f}")
    print(f"leave-one-book-out strict F1: {sum(held) / len(held):.3f}")
    print(f"({len(scores)} settings in {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
