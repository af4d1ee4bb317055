"""Translations that open a quote or a bracket, where a small vocabulary spells words badly.

    python eval/quotes.py                                   # the bundled model, three news sets
    python eval/quotes.py --model DIR --model mt/models/fr-en-small --threads 2

For each set, the lines whose English reference opens a double quote or bracket on a word
(``"absolutely``, ``(the``): BLEU and chrF (sacrebleu) of the model on those lines, and how many
words right after an opening mark in its output are not English (wordfreq knows no such word, and
the French source does not hold it either: "notly" for "absolument", "3ifying").
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from mt.errors import MTError
from mt.evaluate import DEFAULT_DATA, read_pair
from mt.text.lexicon import zipf
from mt.translate import Translator, split_open_marks
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND

SETS = ["newstest2013", "newsdiscusstest2015", "ntrex128"]
# the word right after an opening double quote or bracket (the start, a space or a bracket before)
_OPENED_WORD = re.compile(r"(?:^|[\s(\[])[\"(\[]\s*([^\W_][\w'-]*)")


def opened_words(text: str) -> list[str]:
    """The words that follow an opening double quote or bracket in ``text``."""
    return _OPENED_WORD.findall(text)


def is_foreign(word: str, source: str) -> bool:
    """A word English does not know and the source did not hold (a misspelt or invented one)."""
    return zipf(word.lower(), "en") == 0 and word.lower() not in source.lower()


def picked_lines(name: str, data: Path) -> tuple[str, list[str], list[str]]:
    """The set's name, and its French and English lines whose English opens a mark on a word."""
    fr_path, fr, en = read_pair(name, data)
    picked = [(f, e) for f, e in zip(fr, en, strict=True) if split_open_marks(e) != e]
    return fr_path.stem, [f for f, _ in picked], [e for _, e in picked]


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("sets", nargs="*", default=SETS, help="set names in --data or X prefixes")
    p.add_argument(
        "--model", action="append", default=None, help="model folder (repeat to compare)"
    )
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    p.add_argument("--data", default=str(DEFAULT_DATA))
    args = p.parse_args()
    import sacrebleu

    try:
        # every set is read and checked before any model loads
        sets = [picked_lines(name, Path(args.data)) for name in args.sets]
        translators = (
            Translator(model, beam=args.beam, threads=args.threads, backend=args.backend)
            for model in args.model or [None]
        )
        for k, tr in enumerate(translators):
            if k == 0:
                print(
                    "| model | set | lines | BLEU | chrF | words after an opening mark | not English |"
                )
                print("|---|---|---:|---:|---:|---:|---:|")
            for name, src, ref in sets:
                if not src:
                    print(f"| `{tr.path.name}` | {name} | 0 | – | – | – | – |", flush=True)
                    continue
                hyps = [s.translation for s in tr.translate_segments(src)]
                words = [(w, s) for h, s in zip(hyps, src, strict=True) for w in opened_words(h)]
                foreign = sum(is_foreign(w, s) for w, s in words)
                bleu = sacrebleu.corpus_bleu(hyps, [ref]).score
                chrf = sacrebleu.corpus_chrf(hyps, [ref]).score / 100
                print(
                    f"| `{tr.path.name}` | {name} | {len(src)} | {bleu:.2f} | {chrf:.3f} "
                    f"| {len(words)} | {foreign} |",
                    flush=True,
                )
    except MTError as exc:
        sys.exit(f"eval/quotes.py: error: {exc}")


if __name__ == "__main__":
    main()
