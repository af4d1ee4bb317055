"""Short inputs without a final mark, or in lower case: ``Translator(add_stop=..., capitalise=...)``.

    python eval/short.py                 # Tatoeba's test set, first 4,000 lines
    python eval/short.py --limit 12681   # all of it
    python eval/short.py --lower         # first letters lower-cased instead, marks kept

Users type single words and headlines ("Bonjour", "Le président en visite en Chine") with no
final mark, and the model learned sentences. Tatoeba's lines that end in ``.``, ``!`` or ``?``
lose that mark on both sides, and are translated as they are (``add_stop=False``) and with the
translator's full stop (the default); each output loses a final mark too, so that neither is
scored on punctuation. With ``--lower`` the lines keep their marks and lose the capital of
their first letter instead (lines that start with one), and are translated with
``capitalise=False`` and with the default; outputs and references are compared with their first
letters in lower case. Rows by the French length in words; "exact" counts outputs equal to the
reference, case aside.
"""

from __future__ import annotations

import argparse
import re

from sacrebleu.metrics import BLEU, CHRF

from mt.errors import MTError
from mt.evaluate import read_pair
from mt.translate import Translator

MARK = re.compile(r"\s*[.!?]+$")
BANDS = ((1, 2), (3, 4), (5, 8), (9, 16))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        "--set",
        default="tatoeba-test-v2021-08-07",
        help="eval pair in ../shared/data/eval, or X for X.fr / X.en",
    )
    p.add_argument("--limit", type=int, default=4000, help="first N lines")
    p.add_argument(
        "--lower", action="store_true", help="lower-case first letters instead of removing marks"
    )
    args = p.parse_args()
    if args.limit < 1:
        p.error("--limit must be at least 1")
    try:
        _, fr, en = read_pair(args.set)
    except MTError as exc:
        p.error(str(exc))
    fr, en = fr[: args.limit], en[: args.limit]
    if args.lower:
        translators = {"as is": Translator(capitalise=False), "capital": Translator()}
        keep = lambda f: f[:1].isupper() and f[1:2].islower()  # noqa: E731
        change = lambda s: s[:1].lower() + s[1:]  # noqa: E731
    else:
        translators = {"as is": Translator(add_stop=False), "full stop": Translator()}
        keep = lambda f: bool(MARK.search(f))  # noqa: E731
        change = lambda s: MARK.sub("", s)  # noqa: E731
    name = list(translators)[1]
    print(f"| words | lines | as is: BLEU / chrF / exact | {name}: BLEU / chrF / exact |")
    print("|---|---:|---|---|")
    for lo, hi in BANDS:
        rows = [
            (change(f), change(e))
            for f, e in zip(fr, en, strict=True)
            if lo <= len(f.split()) <= hi and keep(f)
        ]
        if not rows:
            continue
        refs = [e for _, e in rows]
        cells = []
        for translator in translators.values():
            out = translator.translate_segments([f for f, _ in rows])
            hyp = [change(s.translation) for s in out]
            exact = sum(h.lower() == r.lower() for h, r in zip(hyp, refs, strict=True))
            bleu = BLEU().corpus_score(hyp, [refs]).score
            chrf = CHRF().corpus_score(hyp, [refs]).score / 100
            cells.append(f"{bleu:.2f} / {chrf:.3f} / {exact}")
        print(f"| {lo}–{hi} | {len(rows)} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
