"""What HTML costs over plain text: one article of about 5,000 words translated as HTML (with
inline links and emphasis) and as its plain text, both warm, in alternating rounds.

python scripts/bench_html.py                 # ntrex128's first 5,000 words, 5 rounds
python scripts/bench_html.py --tagged 0.25    # tags in a quarter of the paragraphs only

The article is built as ``eval/html_tags.py`` builds its pages (same generator, same seed):
every paragraph of 1–3 sentences gets 1–3 tags, about one tag every 20 words, which is denser
than news pages; ``--tagged`` gives tags to that share of the paragraphs only.
The plain side translates exactly the paragraphs' text. Reported: the median wall-clock and
CPU seconds (all the process's threads) of each, and their ratios; CPU time is the steadier of
the two on a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from mt.evaluate import DEFAULT_DATA
from mt.markup import translate_pages
from mt.markup.page import parse
from mt.service import Service

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
from html_tags import build_page


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--set", default="ntrex128")
    p.add_argument("--words", type=int, default=5000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--tagged", type=float, default=1.0, help="share of paragraphs with tags")
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    lines, count = [], 0
    for line in (DEFAULT_DATA / f"{args.set}.fr").read_text().splitlines():
        lines.append(line)
        count += len(line.split())
        if count >= args.words:
            break
    article, _, _ = build_page(lines, random.Random(args.seed), 0, args.tagged)
    plain = [b.text for b in parse(article).blocks if b.translatable]
    tr = Service().translator
    # warm both paths: models, tables and the attention copy are loaded once per process
    translate_pages(tr, [article])
    tr.translate_documents(plain)
    wall: dict[str, list[float]] = {"html": [], "plain": []}
    cpu: dict[str, list[float]] = {"html": [], "plain": []}
    for _ in range(args.rounds):
        for name, work in (
            ("html", lambda: translate_pages(tr, [article])),
            ("plain", lambda: tr.translate_documents(plain)),
        ):
            start, start_cpu = time.perf_counter(), time.process_time()
            work()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    tags = article.count("data-k=")
    print(
        "| words | tags | plain s | html s | html / plain | plain CPU s | html CPU s | CPU ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    w = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    print(
        f"| {count} | {tags} | {w['plain']:.2f} | {w['html']:.2f} | {w['html'] / w['plain']:.3f} "
        f"| {c['plain']:.2f} | {c['html']:.2f} | {c['html'] / c['plain']:.3f} |"
    )


if __name__ == "__main__":
    main()
