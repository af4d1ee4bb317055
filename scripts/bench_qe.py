"""What the learned quality estimator adds to the time of ``mt run``.

    python scripts/bench_qe.py                 # newstest2013, 20 documents of 25 sentences

Runs the same documents through ``Service.process`` (check, translate, score; no reference)
with the estimator; with it but without the forced pass that marks the words the model found
unlikely in flagged sentences; with the estimator that also reads the model's agreement
(``Options(agreement=True)``: a sampling pass); and without an estimator
(``Options(estimate=False)``: the combined-factor score). Alternating, ``--rounds`` times each
after one warm-up document each, with no translation cache; reports the median seconds of
each and its share of the run without an estimator (the machine's speed drifts; alternating
rounds let the drift fall on all), and how many sentences had words marked.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "eval"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--set", default="newstest2013")
    p.add_argument("--docs", type=int, default=20)
    p.add_argument("--sentences", type=int, default=25)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    import mt.pipeline as pipeline
    from mt.options import Options
    from mt.service import Service

    lines = (DATA / f"{args.set}.fr").read_text(encoding="utf-8").splitlines()
    n = args.sentences
    docs = [" ".join(lines[k * n : (k + 1) * n]) for k in range(args.docs + 1)]
    # (service, whether flagged sentences get their unlikely words marked)
    runs = {
        "with the estimator": (Service(Options()), True),
        "with the estimator, no unlikely words marked": (Service(Options()), False),
        "with the estimator and agreement (`--agreement`)": (
            Service(Options(agreement=True)),
            True,
        ),
        "without (combined factors)": (Service(Options(estimate=False)), True),
    }
    marking = pipeline.unlikely_spans
    for service, _ in runs.values():
        service.process(docs[-1])  # models loaded, first-call costs paid
    times: dict[str, list[float]] = {name: [] for name in runs}
    marked = 0
    for _ in range(args.rounds):
        for name, (service, mark) in runs.items():
            pipeline.unlikely_spans = marking if mark else (lambda _s, fr, _e: [[] for _ in fr])
            start = time.perf_counter()
            results = [service.process(doc) for doc in docs[:-1]]
            times[name].append(time.perf_counter() - start)
            if name == "with the estimator":
                marked = sum(bool(s.unlikely) for r in results for s in r.sentences)
    pipeline.unlikely_spans = marking
    seconds = {name: statistics.median(t) for name, t in times.items()}
    base = seconds["without (combined factors)"]
    print(f"{args.docs} documents of {n} sentences ({args.set}), median of {args.rounds} rounds\n")
    print("| scoring | seconds | share of the run without it |\n|---|---:|---:|")
    for name, s in seconds.items():
        print(f"| {name} | {s:.1f} | {s / base:.1%} |")
    print(f"\nsentences with unlikely words marked (the estimator): {marked} of {args.docs * n}")


if __name__ == "__main__":
    main()
