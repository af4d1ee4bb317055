"""BLEU / chrF of a model on the evaluation sets, printed as the README's Markdown table.

python eval/bleu.py                                   # bundled model, the README's four sets
python eval/bleu.py --model DIR --beam 1 --limit 500 newstest2013
python eval/bleu.py --card                            # also write the table into the model card

With ``--card`` the table replaces the one from an earlier run with the same settings in the
"Evaluation" section of the model directory's README.md (the model card), and its scores go into
the card's ``model-index`` (``scripts/model_card.py``), so the card's numbers always come from
this script and belong to the weights beside them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mt.errors import MTError
from mt.evaluate import DEFAULT_DATA, evaluate
from mt.translate import Translator
from mt.translate.backends import BACKENDS, DEFAULT_BACKEND

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from model_card import update_evaluation

README_SETS = ["newstest2013", "newsdiscusstest2015", "ntrex128", "tatoeba-test-v2021-08-07"]
# Helsinki-NLP/opus-mt-fr-en's model card (newstest2013 only is published for these sets).
PUBLISHED = {"newstest2013": (33.9, 0.591)}


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("sets", nargs="*", default=README_SETS, help="set names in --data or X prefixes")
    p.add_argument("--model", default=None)
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS)
    p.add_argument(
        "--vmap",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ct2: use the model's vocabulary map (vmap.txt) when it has one",
    )
    p.add_argument("--limit", type=int, default=None, help="first N lines of each set")
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--card", action="store_true", help="write the table into the model's README.md")
    args = p.parse_args()
    try:
        tr = Translator(
            args.model, beam=args.beam, threads=args.threads, backend=args.backend, vmap=args.vmap
        )
        results = []
        for name in args.sets:
            r = evaluate(tr, name, data_dir=Path(args.data), limit=args.limit)
            results.append(r)
            print(
                f"{r.name}: BLEU {r.bleu} chrF {r.chrf} ({r.sentences} lines, {r.sentences_per_second:.1f} sent/s)",
                file=sys.stderr,
            )
    except MTError as exc:
        sys.exit(f"eval/bleu.py: error: {exc}")
    vmap = ", vmap" if getattr(tr.backend, "use_vmap", False) else ""
    limit = f", first {args.limit} lines" if args.limit else ""
    title = f"backend {args.backend}{vmap}, beam {args.beam}{limit}"
    lines = [
        "| set | lines | BLEU | chrF | sent/s | opus-mt-fr-en (published) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        pub = PUBLISHED.get(r.name)
        ref = f"BLEU {pub[0]} / chrF {pub[1]}" if pub else "–"
        lines.append(
            f"| {r.name} | {r.sentences} | {r.bleu} | {r.chrf} | {r.sentences_per_second:.1f} | {ref} |"
        )
    lines += [
        "",
        f"BLEU signature: `{results[0].bleu_signature}`  ",
        f"chrF signature: `{results[0].chrf_signature}`",
    ]
    print(f"model: `{tr.path.name}`, {title}\n")
    print("\n".join(lines))
    if args.card:
        card = tr.path / "README.md"
        scores = {r.name: (r.bleu, r.chrf) for r in results}
        import datetime

        import ctranslate2

        lines.append(
            f"\nRun {datetime.date.today()} (CTranslate2 {ctranslate2.__version__}); "
            "sent/s depend on the machine."
        )
        try:
            update_evaluation(
                card, f"`python eval/bleu.py` — {title}", "\n".join(lines), scores, title
            )
        except OSError as exc:
            sys.exit(f"eval/bleu.py: error: cannot write {card}: {exc}")
        print(f"\nwrote the table into {card}", file=sys.stderr)


if __name__ == "__main__":
    main()
