"""Sentence-alignment benchmark on ../shared/data/align (six books, gold links).

    python eval/align.py                 # dictionary and length only
    python eval/align.py --score         # + the bundled model places unmatched sentences
    python eval/align.py --translate     # + overlap with the bundled model's translations
    python eval/align.py --embed         # + the bundled sentence encoder's vectors
    python eval/align.py --embed --embedder DIR   # + another encoder's (train_embed.py export)
    python eval/align.py --sentences     # whole sentences aligned, not clauses (any of the above)
    python eval/align.py --data DIR      # other gold: NAME.fr, NAME.en, NAME.gold (any of the above)

Strict F1: a link counts only when both index lists match exactly. Lax F1: a predicted link
counts when it overlaps a gold link on both sides (and a gold link is found when a predicted
one overlaps it). As in vecalign and Bertalign, links with an empty side (insertions and
deletions) are left out of both scores. A Gale–Church (length-only, sentence by sentence)
baseline runs in the same process. Under the table, a 95 % interval for the mean strict F1:
a bootstrap that resamples each book's gold links in stretches of 20 consecutive links, with
the predicted links that start in them.
"""

from __future__ import annotations

import argparse
import bisect
import json
import resource
import sys
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mt.align import Link, align, split_clauses

if TYPE_CHECKING:
    from mt.align.embed import Embedder
    from mt.translate import Translator

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "align"


class GoldError(ValueError):
    """A gold folder or file this benchmark cannot read."""


def read_gold(path: Path) -> list[tuple[list[int], list[int]]]:
    """The links of a ``.gold`` file: one ``[fr indices]:[en indices]`` per line."""
    links = []
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                fr, en = line.split("]:[")
                links.append((json.loads(fr + "]"), json.loads("[" + en)))
            except ValueError:
                raise GoldError(f"{path}:{k}: not a link '[fr indices]:[en indices]'") from None
    return links


Book = tuple[str, list[str], list[str], list[tuple[list[int], list[int]]]]


def read_books(folder: Path = DATA) -> list[Book]:
    """Every ``NAME.gold`` of ``folder`` with its ``NAME.fr`` and ``NAME.en`` (one sentence per
    line), checked: each sentence of both sides in exactly one link, in order."""
    if not folder.is_dir():
        raise GoldError(f"{folder} is not a folder")
    books = []
    for gold_path in sorted(folder.glob("*.gold")):
        name = gold_path.stem
        sides = []
        for lang in ("fr", "en"):
            path = folder / f"{name}.{lang}"
            if not path.is_file():
                raise GoldError(f"{gold_path} has no {path.name} beside it")
            sides.append(path.read_text(encoding="utf-8").splitlines())
        gold = read_gold(gold_path)
        for side, lang, lines in ((0, "French", sides[0]), (1, "English", sides[1])):
            order = [i for link in gold for i in link[side]]
            if order != list(range(len(lines))):
                raise GoldError(
                    f"{gold_path}: its links do not cover the {len(lines)} {lang} sentences "
                    "once each, in order"
                )
        books.append((name, sides[0], sides[1], gold))
    if not books:
        raise GoldError(f"{folder} holds no NAME.gold (with NAME.fr and NAME.en)")
    return books


def _scored(
    links: list[tuple[list[int], list[int]]],
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The links the scores count (both sides non-empty), hashable."""
    return [(tuple(a), tuple(b)) for a, b in links if a and b]


def f1(
    pred: list[tuple[list[int], list[int]]], gold: list[tuple[list[int], list[int]]]
) -> tuple[float, float]:
    """Strict and lax F1, ignoring links with an empty side."""
    p, g = _scored(pred), _scored(gold)
    gs = set(g)
    tp = sum(1 for x in p if x in gs)
    strict = 2 * tp / (len(p) + len(g)) if p and g else 0.0

    def overlaps(x: tuple[tuple[int, ...], tuple[int, ...]], ys: list) -> bool:  # type: ignore[type-arg]
        return any(set(x[0]) & set(y[0]) and set(x[1]) & set(y[1]) for y in ys)

    prec = sum(overlaps(x, g) for x in p) / len(p) if p else 0.0
    rec = sum(overlaps(y, p) for y in g) / len(g) if g else 0.0
    lax = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return strict, lax


# the interval of the mean strict F1: each book's gold links in stretches of this many, which a
# bootstrap resamples (alignment errors come in runs, so single links would be too narrow)
STRETCH_LINKS = 20
BOOTSTRAP_SAMPLES = 2000


def stretch_counts(
    pred: list[tuple[list[int], list[int]]],
    gold: list[tuple[list[int], list[int]]],
    size: int = STRETCH_LINKS,
) -> np.ndarray:
    """Rows of (strict hits, predicted links, gold links) per stretch of ``size`` consecutive gold
    links, over the links with both sides (as :func:`f1` counts them); a predicted link belongs
    to the stretch that holds its first French sentence. The rows sum to what ``f1`` counts."""
    p, g = _scored(pred), _scored(gold)
    starts = [link[0][0] for link in g[::size]]
    counts = np.zeros((max(len(starts), 1), 3), dtype=np.int64)
    for k in range(len(g)):
        counts[k // size, 2] += 1
    hits = set(g)
    for link in p:
        row = max(bisect.bisect_right(starts, link[0][0]) - 1, 0)
        counts[row, 0] += link in hits
        counts[row, 1] += 1
    return counts


def _resampled_means(runs: list[list[np.ndarray]], samples: int, seed: int) -> list[np.ndarray]:
    """For each run (its books' :func:`stretch_counts`, the books in the same order in every
    run), the mean strict F1 of ``samples`` resamplings of each book's stretches; every run is
    resampled with the same stretches, so that runs can be compared sample by sample."""
    rng = np.random.default_rng(seed)
    means = [np.zeros(samples) for _ in runs]
    for k, first in enumerate(runs[0]):
        picked = rng.integers(0, len(first), size=(samples, len(first)))
        for run, total in zip(runs, means, strict=True):
            sums = run[k][picked].sum(axis=1)
            total += 2 * sums[:, 0] / np.maximum(sums[:, 1] + sums[:, 2], 1)
    return [total / len(runs[0]) for total in means]


def bootstrap_interval(
    books: list[np.ndarray], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> tuple[float, float]:
    """95 % interval of the mean strict F1 over ``books`` (each :func:`stretch_counts`), each
    book's stretches resampled with replacement ``samples`` times."""
    lo, hi = np.percentile(_resampled_means([books], samples, seed)[0], [2.5, 97.5])
    return float(lo), float(hi)


def difference_interval(
    books: list[np.ndarray],
    baseline: list[np.ndarray],
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """95 % interval of the difference in mean strict F1 between two alignments of the same
    books (``books`` minus ``baseline``, each :func:`stretch_counts` over the same gold), by a
    paired bootstrap: both are resampled with the same stretches. An interval that holds 0
    does not tell the two apart."""
    ours, theirs = _resampled_means([books, baseline], samples, seed)
    lo, hi = np.percentile(ours - theirs, [2.5, 97.5])
    return float(lo), float(hi)


def measured_align(fr: list[str], en: list[str], **options: Any) -> tuple[list[Link], float, float]:
    """``align(fr, en, **options)``, its seconds, and how far it raised the process's peak
    memory (MB)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    links = align(fr, en, **options)
    seconds = time.perf_counter() - start
    return links, seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def as_pairs(links: list[Link]) -> list[tuple[list[int], list[int]]]:
    return [(link.fr, link.en) for link in links]


def add_score_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--score",
        action="store_true",
        help="let the bundled model place unmatched sentences (Translator.score_pairs)",
    )


def add_embed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--embed",
        action="store_true",
        help="compare beads by the bundled sentence encoder's vectors (mt.align.embed)",
    )
    p.add_argument(
        "--embedder",
        default=None,
        metavar="DIR",
        help="with --embed: another encoder folder (e.g. a scripts/train_embed.py export)",
    )


def add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=Path,
        default=DATA,
        metavar="DIR",
        help="a folder of NAME.fr, NAME.en and NAME.gold (default: ../shared/data/align)",
    )


def load_books(p: argparse.ArgumentParser, folder: Path) -> list[Book]:
    """:func:`read_books`, or the parser's one-line error."""
    try:
        return read_books(folder)
    except (GoldError, OSError, UnicodeDecodeError) as exc:
        p.error(str(exc))


def add_sentences_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sentences",
        action="store_true",
        help="align whole sentences (align(..., clauses=False)), not clauses",
    )


def check_embed_args(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse ``--embedder`` without ``--embed``, or naming a folder that holds no encoder."""
    from mt.align.embed import is_embedder_dir

    if args.embedder and not args.embed:
        p.error("--embedder needs --embed")
    if args.embedder and not is_embedder_dir(Path(args.embedder)):
        p.error(f"{args.embedder} is not a sentence encoder folder (train_embed.py export)")


@cache
def _embedder(folder: str | None) -> Embedder:
    from mt.align.embed import Embedder

    return Embedder(folder)


def book_vectors(
    fr: list[str], en: list[str], embedder: str | None = None, clauses: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``align(fr, en, clauses=clauses, vectors=...)`` takes, from the bundled encoder
    or the one in ``embedder`` (loaded once)."""
    if clauses:
        fr, en = split_clauses(fr)[0], split_clauses(en)[0]
    return _embedder(embedder).pair_vectors(fr, en)


def bundled_translator() -> Translator:
    """The bundled model on ct2, greedy: what ``--translate`` and ``--score`` use."""
    from mt.translate import Translator

    return Translator(beam=1, backend="ct2")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        "--translate",
        action="store_true",
        help="translate the French (bundled model, ct2, greedy) and match its words too",
    )
    add_score_option(p)
    add_embed_option(p)
    add_sentences_option(p)
    add_data_option(p)
    args = p.parse_args()
    check_embed_args(p, args)
    books = load_books(p, args.data)
    if args.translate and not args.sentences:
        p.error("--translate needs --sentences (translations are per sentence)")
    clauses = not args.sentences
    translator = bundled_translator() if args.translate or args.score else None
    print("aligned:", "clauses (mt.align.split_clauses)" if clauses else "whole sentences", "\n")
    print(
        "| book | fr | en | strict F1 | lax F1 | Gale–Church strict | Gale–Church lax | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = []
    stretches = []
    all_vectors: list[tuple[np.ndarray, np.ndarray]] = []
    for book, fr, en, gold in books:
        translations = (
            [t.translation for t in translator.translate_segments(fr)]
            if translator and args.translate
            else None
        )
        start = time.perf_counter()
        vectors = book_vectors(fr, en, args.embedder, clauses) if args.embed else None
        if vectors is not None:
            all_vectors.append(vectors)
        embed_seconds = time.perf_counter() - start
        links = align(
            fr,
            en,
            translations=translations,
            scorer=translator.score_pairs if translator and args.score else None,
            vectors=vectors,
            clauses=clauses,
        )
        seconds = time.perf_counter() - start
        gc = align(fr, en, lexical_weight=0.0, clauses=False)
        s, lx = f1(as_pairs(links), gold)
        gs, gl = f1(as_pairs(gc), gold)
        totals.append((s, lx, gs, gl))
        stretches.append(stretch_counts(as_pairs(links), gold))
        print(
            f"| {book} | {len(fr)} | {len(en)} | {s:.3f} | {lx:.3f} | {gs:.3f} | {gl:.3f} "
            f"| {seconds:.1f}{f' ({embed_seconds:.1f} encoding)' if vectors else ''} |",
            flush=True,
        )
    avg = [sum(t[k] for t in totals) / len(totals) for k in range(4)]
    print(f"| **mean** | | | **{avg[0]:.3f}** | {avg[1]:.3f} | {avg[2]:.3f} | {avg[3]:.3f} | |")
    lo, hi = bootstrap_interval(stretches)
    print(
        f"\nmean strict F1 {avg[0]:.4f}, 95 % interval {lo:.3f}–{hi:.3f} (each book's gold links "
        f"in stretches of {STRETCH_LINKS}, resampled {BOOTSTRAP_SAMPLES:,} times)"
    )

    # scale: the six books end to end, repeated to 10,000 sentences a side
    fr_all: list[str] = []
    en_all: list[str] = []
    for _, fr, en, _ in books:
        fr_all += fr
        en_all += en
    reps = 10_000 // max(min(len(fr_all), len(en_all)), 1) + 1
    fr_all, en_all = (fr_all * reps)[:10_000], (en_all * reps)[:10_000]
    vectors = None
    if all_vectors:  # the books' vectors, repeated the same way (encoding is not timed)
        rows = [len(split_clauses(x)[0]) if clauses else len(x) for x in (fr_all, en_all)]
        vectors = (
            np.tile(np.concatenate([f for f, _ in all_vectors]), (reps, 1))[: rows[0]],
            np.tile(np.concatenate([e for _, e in all_vectors]), (reps, 1))[: rows[1]],
        )
    links, seconds, grown = measured_align(fr_all, en_all, vectors=vectors, clauses=clauses)
    print(
        f"\n10,000 × 10,000 sentences (the books repeated{', with vectors' if vectors else ''}): "
        f"{seconds:.1f} s on one core, {len(links)} links, peak memory +{grown:.0f} MB"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
