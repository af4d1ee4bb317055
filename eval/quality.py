"""How well the reference-free quality score tracks chrF against a reference; fit its calibration.

    python eval/quality.py ntrex128                     # bundled model, beam 4
    python eval/quality.py --fit newstest2013 --write   # fit the model's quality.json
    python eval/quality.py --limit 500 --model DIR newstest2013

Each sentence of the set is translated and scored as ``mt run`` scores it without a reference
(garble flags, model log-probability, length ratio, repeats, untranslated copy, French words
left untranslated, made-up words, coverage of the French content); the score is
then compared with the sentence's chrF against the set's reference: Spearman correlation, chrF
of flagged and unflagged sentences, and how many of the clearly bad translations (chrF below
the pipeline's own "far from the reference" line, 0.3) the flag catches — with the model's
calibration (its ``quality.json``) and with the built-in defaults. The word checks also run on
the human references, as if they were the translations: how often they fire there tells how
often they fire on a good translation.

With the model's learned estimators (``qe.json``, and ``qe-agreement.json`` that also reads the
model's agreement with its translation; fitted by ``scripts/train_qe.py`` on other sets), their
predictions are scored the same way, and every scorer is also judged at a 10 % flag rate
(the lowest-scored tenth flagged: how many of the chrF < 0.3 sentences are among them). Last,
the sample article goes through ``mt run``'s pipeline, and the script says whether its two
misread sentences (13: "désosser" read as "disappoint"; 1: "sous le feu" lost in
"Khersonsous") are among its three lowest.

``--fit`` chooses the log-probability midpoint (where the confidence factor is 0.5, so a clean
sentence is flagged) as the threshold that best separates bad translations from the rest (F1),
and the scale so that a sentence at the set's median log-probability gets a factor of 0.9.
``--write`` saves them as the model directory's ``quality.json``. Fit on one set, report on
another.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

from scipy.stats import spearmanr

from mt.errors import MTError
from mt.evaluate import DEFAULT_DATA, read_pair
from mt.garble import check_sentence
from mt.score import (
    CALIBRATION_FILE,
    COVERAGE_FLOOR,
    COVERAGE_MIN_WORDS,
    QUALITY_THRESHOLD,
    Calibration,
    coverage_factor,
    load_calibration,
    reference_metrics,
    score_sentence,
)
from mt.score.coverage import coverage
from mt.score.invented import invented
from mt.translate import Translator
from mt.translate.untranslated import find as find_untranslated

BAD_CHRF = 0.3  # mt.score flags "far from the reference" below this


def fit(logprob: list[float], bad: list[bool]) -> Calibration:
    """The F1-best log-probability threshold for ``bad``, and a scale giving 0.9 at the median."""
    best = (-1.0, 0.0)
    for t in sorted(set(logprob)):
        pred = [x < t for x in logprob]
        tp = sum(p and b for p, b in zip(pred, bad, strict=True))
        f1 = 2 * tp / (sum(pred) + sum(bad)) if tp else 0.0
        if f1 > best[0]:
            best = (f1, t)
    midpoint = best[1]
    spread = statistics.median(logprob) - midpoint
    if spread <= 0:
        sys.exit("eval/quality.py: error: the fitted midpoint is not below the median log-prob")
    return Calibration(round(midpoint, 3), round(math.log(9) / spread, 3))


def report(name: str, quality: list[float], chrf: list[float], flagged: list[bool]) -> list[str]:
    """Table cells for one calibration."""
    bad = [c < BAD_CHRF for c in chrf]
    caught = sum(f and b for f, b in zip(flagged, bad, strict=True))

    def mean_median(xs: list[float]) -> str:
        return f"{statistics.mean(xs):.3f} / {statistics.median(xs):.3f}" if xs else "–"

    n = len(quality)
    return [
        name,
        f"{spearmanr(quality, chrf)[0]:.3f}",
        f"{sum(flagged)} ({sum(flagged) / n:.1%})",
        mean_median([c for c, f in zip(chrf, flagged, strict=True) if f]),
        mean_median([c for c, f in zip(chrf, flagged, strict=True) if not f]),
        f"{caught} of {sum(bad)} ({caught / max(sum(bad), 1):.1%})",
        f"{caught / sum(flagged):.1%}" if sum(flagged) else "–",
    ]


def caught_at(scores: list[float], chrf: list[float], rate: float = 0.1) -> str:
    """How many chrF < 0.3 sentences are among the lowest-scored ``rate`` of all."""
    n = max(1, round(rate * len(scores)))
    lowest = sorted(range(len(scores)), key=lambda k: scores[k])[:n]
    bad = sum(c < BAD_CHRF for c in chrf)
    hit = sum(chrf[k] < BAD_CHRF for k in lowest)
    return f"{hit} of {bad} ({hit / max(bad, 1):.1%})"


def learned(tr, src, out, garble, chrf, scores_by_rule) -> None:  # type: ignore[no-untyped-def]
    """The learned estimator's agreement with chrF, beside the other scorers."""
    from mt.score.estimator import load_estimator, pair_signals

    estimator = load_estimator(tr.path)
    print("\n| scorer | ρ with chrF | chrF < 0.3 among the lowest 10 % |\n|---|---:|---:|")
    logprob = [o.logprob for o in out]
    print(
        f"| log-probability alone | {spearmanr(logprob, chrf)[0]:.3f} | {caught_at(logprob, chrf)} |"
    )
    if scores_by_rule is not None:
        q = [x.quality for x in scores_by_rule]
        print(
            f"| combined factors (quality.json) | {spearmanr(q, chrf)[0]:.3f} | {caught_at(q, chrf)} |"
        )
    if estimator is None:
        print("(the model has no learned estimator: run scripts/train_qe.py)")
        return
    agreeing = load_estimator(tr.path, agreement=True)
    # one set of signals serves both estimators: each reads the signals it was fitted on
    found = pair_signals(
        tr,
        src,
        [o.translation for o in out],
        garble,
        logprobs=[o.logprob for o in out],
        with_agreement=agreeing is not None,
    )
    estimates = estimator.estimate(found)
    q = [e.quality for e in estimates]
    flagged = sum(e.flagged for e in estimates)
    print(f"| learned estimator | {spearmanr(q, chrf)[0]:.3f} | {caught_at(q, chrf)} |")
    if agreeing is not None:
        qa = [e.quality for e in agreeing.estimate(found)]
        print(
            f"| learned estimator with agreement (`--agreement`) | {spearmanr(qa, chrf)[0]:.3f} "
            f"| {caught_at(qa, chrf)} |"
        )
    bad = [c < BAD_CHRF for c in chrf]
    hit = sum(e.flagged and b for e, b in zip(estimates, bad, strict=True))
    print(
        f"\nlearned estimator's own flag (quality < {estimator.flag_below}): {flagged} flagged "
        f"({flagged / len(q):.1%}), {hit} of {sum(bad)} chrF < 0.3 among them"
    )
    for name in ("logprob", "coverage", "length_ratio"):
        values = [s.values[name] for s in found]
        print(f"signal {name}: ρ with chrF {spearmanr(values, chrf)[0]:.3f}")


MISREAD = {13: "désosser read as 'disappoint'", 1: "'sous le feu' lost in 'Khersonsous'"}


def sample_ranks(model: str | None, beam: int) -> None:
    """Where the sample article's misread sentences rank under mt run's quality."""
    from mt.options import Options
    from mt.score.estimator import load_estimator
    from mt.service import Service

    sample = Path(__file__).resolve().parent.parent / "examples" / "sky-news-2022-11-nato-fr.txt"
    for agreement in (False, True):
        service = Service(Options(model=model, beam=beam, agreement=agreement))
        if agreement and load_estimator(service.translator.path, agreement=True) is None:
            continue
        doc = service.process(sample.read_text(encoding="utf-8"))
        order = sorted(doc.sentences, key=lambda s: s.quality)
        lowest = [s.index for s in order[:3]]
        how = "mt run --agreement" if agreement else "mt run"
        print(f"\nsample article, {how}: three lowest sentences {lowest}")
        for k, what in MISREAD.items():
            rank = [s.index for s in order].index(k) + 1
            print(
                f"- sentence {k} ({what}): quality {doc.sentences[k].quality:.3f}, "
                f"rank {rank} of {len(order)}"
            )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("set", nargs="?", default="newstest2013", help="set name in --data")
    p.add_argument("--model", default=None)
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--limit", type=int, default=None, help="first N lines")
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--fit", action="store_true", help="fit the calibration on this set")
    p.add_argument(
        "--write", action="store_true", help="with --fit: write the model's quality.json"
    )
    args = p.parse_args()
    try:
        _, src, ref = read_pair(args.set, Path(args.data))  # both sides, as many lines each
    except MTError as exc:
        sys.exit(f"eval/quality.py: error: {exc}")
    src, ref = src[: args.limit], ref[: args.limit]
    try:
        tr = Translator(args.model, beam=args.beam)
        out = tr.translate_segments(src)
        has_file = (tr.path / CALIBRATION_FILE).is_file()
        model_cal = load_calibration(tr.path) if has_file else None
    except MTError as exc:
        sys.exit(f"eval/quality.py: error: {exc}")
    logprob = [o.logprob for o in out]
    garble = [check_sentence(s).garble_score for s in src]
    chrf = [reference_metrics(o.translation, r)["chrf"] for o, r in zip(out, ref, strict=True)]

    calibrations = {}
    if args.fit:
        calibrations["fitted here"] = fit(logprob, [c < BAD_CHRF for c in chrf])
    if model_cal is not None:
        calibrations["model's quality.json"] = model_cal
    calibrations["built-in defaults"] = Calibration()
    print(f"{args.set}, {len(src)} sentences, model {tr.path.name}, beam {args.beam}")
    pct = statistics.quantiles(logprob, n=100)
    print(
        f"mean token log-probability: 1st percentile {pct[0]:.2f}, median "
        f"{statistics.median(logprob):.2f}, 99th percentile {pct[98]:.2f}"
    )
    print(f"Spearman ρ, log-probability vs sentence chrF: {spearmanr(logprob, chrf)[0]:.3f}\n")
    print(
        f"| calibration (midpoint, scale) | ρ quality vs chrF | flagged (quality < "
        f"{QUALITY_THRESHOLD}) | chrF flagged (mean / median) | chrF not flagged | "
        f"chrF < {BAD_CHRF} caught | flagged with chrF < {BAD_CHRF} |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, cal in calibrations.items():
        scores = [
            score_sentence(s, o.translation, logprob=o.logprob, garble_score=g, calibration=cal)
            for s, o, g in zip(src, out, garble, strict=True)
        ]
        label = f"{name} ({cal.logprob_midpoint}, {cal.logprob_scale})"
        cells = report(label, [x.quality for x in scores], chrf, [x.flagged for x in scores])
        print("| " + " | ".join(cells) + " |")
    print("\n| word check | model's translations | references |\n|---|---:|---:|")
    for label, check in [
        ("sentences with a made-up word", lambda s, t: bool(invented(s, t))),
        (
            "sentences with a French word left untranslated",
            lambda s, t: bool(find_untranslated(s, t)),
        ),
        (
            f"sentences with coverage below {COVERAGE_FLOOR} ({COVERAGE_MIN_WORDS}+ words judged)",
            lambda s, t: coverage_factor(coverage(s, t)) < 1.0,
        ),
    ]:
        hyp = sum(check(s, o.translation) for s, o in zip(src, out, strict=True))
        refs = sum(check(s, r) for s, r in zip(src, ref, strict=True))
        print(f"| {label} | {hyp} ({hyp / len(src):.1%}) | {refs} ({refs / len(src):.1%}) |")
    learned(
        tr,
        src,
        out,
        garble,
        chrf,
        scores_by_rule=[
            score_sentence(
                s, o.translation, logprob=o.logprob, garble_score=g, calibration=model_cal
            )
            for s, o, g in zip(src, out, garble, strict=True)
        ]
        if model_cal
        else None,
    )
    sample_ranks(args.model, args.beam)
    if args.fit and args.write:
        cal = calibrations["fitted here"]
        path = tr.path / CALIBRATION_FILE
        fitted = {"logprob_midpoint": cal.logprob_midpoint, "logprob_scale": cal.logprob_scale}
        fitted |= {"fitted_on": f"{args.set} ({len(src)} lines, beam {args.beam})"}
        path.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
