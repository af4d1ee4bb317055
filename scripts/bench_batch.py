"""Batch throughput: local with 1 and 2 workers, and Ray, on the same documents.

    python scripts/bench_batch.py [--docs 200] [--backend ct2] [--beam 4] [--model M]

Documents are built from ../shared/data/eval (newstest2013 French, 5 sentences each). Each
configuration starts from an empty database, so every document is processed (the sentence
cache only helps within a run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "eval"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--docs", type=int, default=200)
    p.add_argument("--backend", default="ct2")
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--model", default=None)
    args = p.parse_args()
    lines = (DATA / "newstest2013.fr").read_text(encoding="utf-8").splitlines()
    work = Path(tempfile.mkdtemp())
    src = work / "docs.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i in range(args.docs):
            text = " ".join(lines[(i * 5 + k) % len(lines)] for k in range(5))
            fh.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    print(
        f"{args.docs} documents of 5 newstest2013 sentences; backend {args.backend}, beam {args.beam}\n"
    )
    print("| engine | workers | documents/s | sentences/s | seconds |")
    print("|---|---:|---:|---:|---:|")
    for engine, workers in (("local", 1), ("local", 2), ("ray", 2)):
        db = work / f"{engine}-{workers}.db"
        cmd = [sys.executable, "-m", "mt", "batch", str(src), "--out", str(db), "--engine", engine,
               "--workers", str(workers), "--backend", args.backend, "--beam", str(args.beam)]  # fmt: skip
        if args.model:
            cmd += ["--model", args.model]
        start = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if res.returncode != 0:
            sys.exit(f"{engine}/{workers} failed: {res.stderr.strip().splitlines()[-1:]}")
        stats = json.loads(
            subprocess.run(
                [sys.executable, "-m", "mt", "jobs", "stats", "--db", str(db), "--format", "json"],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        print(
            f"| {engine} | {workers} | {stats['done'] / seconds:.2f} | {stats['sentences'] / seconds:.1f} | {seconds:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
