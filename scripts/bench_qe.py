"""What the learned quality estimator adds to the time of ``mt run``.

    python scripts/bench_qe.py                 # newstest2013, 20 documents of 25 sentences

Runs the same documents through ``Service.process`` (check, translate, score; no reference)
with the estimator, with the estimator that also reads the model's agreement
(``Options(agreement=True)``: a sampling pass), and without an estimator
(``Options(estimate=False)``: the combined-factor score), alternating, ``--rounds`` times each
after one warm-up document each, with no translation cache, and reports the median seconds of
each and its share of the run without an estimator (the machine's speed drifts; alternating
rounds let the drift fall on all).
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
    from mt.options import Options
    from mt.service import Service

    lines = (DATA / f"{args.set}.fr").read_text(encoding="utf-8").splitlines()
    n = args.sentences
    docs = [" ".join(lines[k * n : (k + 1) * n]) for k in range(args.docs + 1)]
    services = {
        "with the estimator": Service(Options()),
        "with the estimator and agreement (`--agreement`)": Service(Options(agreement=True)),
        "without (combined factors)": Service(Options(estimate=False)),
    }
    for service in services.values():
        service.process(docs[-1])  # models loaded, first-call costs paid
    times: dict[str, list[float]] = {name: [] for name in services}
    for _ in range(args.rounds):
        for name, service in services.items():
            start = time.perf_counter()
            for doc in docs[:-1]:
                service.process(doc)
            times[name].append(time.perf_counter() - start)
    seconds = {name: statistics.median(t) for name, t in times.items()}
    base = seconds["without (combined factors)"]
    print(f"{args.docs} documents of {n} sentences ({args.set}), median of {args.rounds} rounds\n")
    print("| scoring | seconds | share of the run without it |\n|---|---:|---:|")
    for name, s in seconds.items():
        print(f"| {name} | {s:.1f} | {s / base:.1%} |")


if __name__ == "__main__":
    main()
