"""Count how often the training corpora hold a French phrase, and how often its English says X.

    python eval/data_gaps.py                  # the phrases the bundled model misreads in the sample
    python eval/data_gaps.py --phrase 'sous le feu' 'under fire' --show 5

Each ``--phrase FR EN`` is a pair of case-insensitive regular expressions, matched against the
text in Unicode NFC (quotes and spaces as written). For every corpus of ``../shared/data/train``
(raw lines, before any filtering or sampling) the table gives its pairs, the pairs whose French
matches FR and, of those, the pairs whose English matches EN: a sense the data
never pairs with its English is one no amount of training on it teaches. ``--show N`` prints
up to N pairs per phrase and corpus, those whose English matches first.
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from mt.evaluate import DEFAULT_DATA as EVAL_DATA

DEFAULT_DATA = EVAL_DATA.parent / "train"

# The two readings of the sample article the bundled model gets wrong (docs/results/translation.md): `désosser` (here: to take apart, reverse-engineer) and `sous le feu` (under fire).
_UNDER_FIRE = r"\bunder (heavy |enemy |constant )?fire\b"
DEFAULT_PHRASES = [
    (r"\bdésoss", r"\b(de-?)?bon(e|es|ed|ing|eless)\b"),  # the butcher's sense
    (  # the sample's sense, and its figurative kin
        r"\bdésoss",
        r"reverse[- ]engineer\w*|dismantl\w*|unravel\w*|(take|took|taking|taken) apart|strip\w* down",
    ),
    (r"\bsous le feu\b", _UNDER_FIRE),
    # the sample's construction: a verb of leaving before it
    (r"\b(retir\w*|quitt\w*|évacu\w*|fui\w*|repli\w*)\b.*\bsous le feu\b", _UNDER_FIRE),
]


class DataError(Exception):
    """A corpus folder or a phrase that cannot be used."""


@dataclass
class Corpus:
    """One corpus's pairs, its lines that are not pairs (no tab), and a `Count` per phrase."""

    pairs: int
    not_pairs: int
    counts: list[Count]


@dataclass
class Count:
    """Pairs of one corpus whose French matched, and of those, whose English matched too."""

    french: int = 0
    both: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)
    misses: list[tuple[str, str]] = field(default_factory=list)

    def examples(self, n: int) -> list[tuple[str, str]]:
        """Up to n pairs, those whose English matched first (marked)."""
        marked = [(fr, f"[EN matches] {en}") for fr, en in self.hits]
        return (marked + self.misses)[:n]


def open_corpus(path: Path) -> TextIO:
    if path.name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8")
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def corpora(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    found = sorted(p for p in folder.iterdir() if re.search(r"\.tsv(\.gz|\.xz)?$", p.name))
    if not found:
        raise DataError(f"{folder}: no .tsv, .tsv.gz or .tsv.xz corpus there")
    return found


def lines(path: Path) -> Iterator[str]:
    try:
        with open_corpus(path) as fh:
            for line in fh:
                yield unicodedata.normalize("NFC", line.rstrip("\n"))
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from exc


def compile_phrases(raw: list[tuple[str, str]]) -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    out = []
    for fr, en in raw:
        try:
            out.append((re.compile(fr, re.IGNORECASE), re.compile(en, re.IGNORECASE)))
        except re.error as exc:
            raise DataError(f"bad pattern {fr!r} / {en!r}: {exc}") from exc
    return out


def count(path: Path, phrases: list[tuple[re.Pattern[str], re.Pattern[str]]], keep: int) -> Corpus:
    """One pass over a corpus."""
    counts = [Count() for _ in phrases]
    n_pairs = not_pairs = 0
    # One search over the union of the French patterns skips most lines cheaply.
    any_french = re.compile("|".join(f"(?:{fr.pattern})" for fr, _ in phrases), re.IGNORECASE)
    for line in lines(path):
        fr, tab, en = line.partition("\t")
        if not tab:
            not_pairs += 1
            continue
        n_pairs += 1
        if not any_french.search(fr):
            continue
        for (fr_re, en_re), c in zip(phrases, counts, strict=True):
            if fr_re.search(fr):
                c.french += 1
                hit = en_re.search(en) is not None
                c.both += hit
                kept = c.hits if hit else c.misses
                if len(kept) < keep:
                    kept.append((fr, en))
    return Corpus(n_pairs, not_pairs, counts)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of fr<TAB>en corpora")
    p.add_argument(
        "--phrase",
        nargs=2,
        action="append",
        metavar=("FR", "EN"),
        help="French and English regular expressions (repeatable; default: the sample's gaps)",
    )
    p.add_argument("--show", type=int, default=0, help="pairs to print per phrase and corpus")
    args = p.parse_args()
    try:
        if args.show < 0:
            raise DataError("--show must be 0 or more")
        raw = [tuple(x) for x in args.phrase] if args.phrase else DEFAULT_PHRASES
        phrases = compile_phrases(raw)
        files = corpora(args.data)
        results = {f.name: count(f, phrases, args.show) for f in files}
    except DataError as exc:
        sys.exit(f"eval/data_gaps.py: error: {exc}")
    for i, (fr, en) in enumerate(raw):
        print(f"\nFR /{fr}/  EN /{en}/\n")
        print("| corpus | pairs | with the French | of those, with the English |")
        print("|---|---:|---:|---:|")
        for name, c in results.items():
            print(f"| {name} | {c.pairs:,} | {c.counts[i].french:,} | {c.counts[i].both:,} |")
        total = sum(c.pairs for c in results.values())
        total_fr = sum(c.counts[i].french for c in results.values())
        total_both = sum(c.counts[i].both for c in results.values())
        print(f"| all | {total:,} | {total_fr:,} | {total_both:,} |")
        for name, c in results.items():
            for fr_text, en_text in c.counts[i].examples(args.show):
                print(f"\n  {name}\n    fr: {fr_text}\n    en: {en_text}")
    for name, c in results.items():
        if c.not_pairs:
            print(f"{name}: lines without a tab, not counted: {c.not_pairs:,}", file=sys.stderr)


if __name__ == "__main__":
    main()
