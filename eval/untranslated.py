"""French words the model leaves untranslated, and what replacing them from the word table does.

    python eval/untranslated.py                          # bundled model, the three news sets
    python eval/untranslated.py --model DIR --beam 1 ntrex128

Each set is translated once as the model writes it (``fix_untranslated=False``); then
:func:`mt.translate.untranslated.fix` is applied to every sentence, as the translator does by default.
Per set: BLEU and chrF without and with the replacements, how many copied French words were
found, how many the table replaced, how many are left (``mt run`` flags those), and the time the
replacing took. Then the most frequent replacements, to read.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from mt.errors import MTError
from mt.evaluate import DEFAULT_DATA, read_pair
from mt.translate import Translator
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND
from mt.translate.untranslated import fix

SETS = ["newstest2013", "newsdiscusstest2015", "ntrex128"]


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("sets", nargs="*", default=SETS, help="set names in --data or X prefixes")
    p.add_argument("--model", default=None)
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--show", type=int, default=25, help="most frequent replacements listed")
    args = p.parse_args()
    import sacrebleu

    try:
        sets = [read_pair(name, Path(args.data)) for name in args.sets]  # all checked first
        tr = Translator(
            args.model,
            beam=args.beam,
            threads=args.threads,
            backend=args.backend,
            fix_untranslated=False,
        )
    except MTError as exc:
        sys.exit(f"eval/untranslated.py: error: {exc}")
    print(f"model {tr.path.name}, beam {args.beam}, {args.backend}\n")
    print(
        "| set | lines | BLEU as written | BLEU replaced | chrF as written | chrF replaced "
        "| copied words | replaced | left (flagged) | lines changed | ms to replace |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    replaced: Counter[tuple[str, str]] = Counter()
    for fr_path, src, ref in sets:
        hyps = [s.translation for s in tr.translate_segments(src)]
        start = time.perf_counter()
        results = [fix(s, h) for s, h in zip(src, hyps, strict=True)]
        ms = (time.perf_counter() - start) * 1000
        fixed = [text for text, _ in results]
        found = [u for _, us in results for u in us]
        replaced.update((u.word, u.replacement) for u in found if u.replacement)
        n_rep = sum(u.replacement is not None for u in found)
        cells = [
            f"{sacrebleu.corpus_bleu(hyps, [ref]).score:.2f}",
            f"{sacrebleu.corpus_bleu(fixed, [ref]).score:.2f}",
            f"{sacrebleu.corpus_chrf(hyps, [ref]).score / 100:.3f}",
            f"{sacrebleu.corpus_chrf(fixed, [ref]).score / 100:.3f}",
            str(len(found)),
            str(n_rep),
            str(len(found) - n_rep),
            str(sum(a != b for a, b in zip(hyps, fixed, strict=True))),
            f"{ms:.0f}",
        ]
        print(f"| {fr_path.stem} | {len(src)} | " + " | ".join(cells) + " |", flush=True)
    if args.show:
        common = ", ".join(f"{w} → {r} ({n})" for (w, r), n in replaced.most_common(args.show))
        print(f"\nmost frequent replacements: {common}")


if __name__ == "__main__":
    main()
