"""Latency and throughput of ``mt serve`` under load, and while one client sends the largest
requests the server takes.

    python scripts/bench_serve.py                       # bundled model, 20 s per row
    python scripts/bench_serve.py --seconds 10 --model DIR

Starts ``mt serve`` on a free local port, then for concurrency 1, 8 and 32 sends one-sentence
``/v1/translate`` requests (newstest2013 lines, in turn) for ``--seconds`` each, and reports
requests per second and the p50/p95 latency of the answered ones. The last row repeats
concurrency 8 while another client sends maximum-size requests (``--char-limit`` characters of
newstest2013 text) back to back. Any answer other than 200 is counted by its status.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "eval"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int,
    model: str | None,
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``mt serve`` on ``port`` with a fresh store and ``args``; returns once it answers."""
    db = Path(tempfile.mkdtemp()) / "results.db"
    command = [sys.executable, "-m", "mt", "serve", "--port", str(port), "--db", str(db)]
    command += (args or []) + (["--model", model] if model else [])
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=5)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"{Path(sys.argv[0]).name}: the server did not start")


async def load(
    url: str, lines: list[str], concurrency: int, seconds: float, big: str | None
) -> tuple[list[float], Counter[int], int]:
    """Ordinary requests from ``concurrency`` clients (and, with ``big``, one client sending it
    back to back) for ``seconds``: latencies of the 200s, other statuses, big requests done."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    big_done = 0
    stop = time.monotonic() + seconds
    counter = iter(range(10**9))

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:

        async def ordinary() -> None:
            while time.monotonic() < stop:
                text = lines[next(counter) % len(lines)]
                start = time.monotonic()
                r = await client.post("/v1/translate", json={"text": text})
                if r.status_code == 200:
                    latencies.append(time.monotonic() - start)
                else:
                    statuses[r.status_code] += 1

        async def heavy() -> None:
            nonlocal big_done
            while time.monotonic() < stop:
                r = await client.post("/v1/translate", json={"text": big})
                big_done += r.status_code == 200
                if r.status_code != 200:
                    statuses[r.status_code] += 1

        tasks = [ordinary() for _ in range(concurrency)] + ([heavy()] if big else [])
        await asyncio.gather(*tasks)
    return latencies, statuses, big_done


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", default=None)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--char-limit", type=int, default=20_000)
    args = p.parse_args()
    lines = (DATA / "newstest2013.fr").read_text(encoding="utf-8").splitlines()
    big = ""
    for line in lines[1000:]:
        if len(big) + len(line) + 1 > args.char_limit:
            break
        big += line + " "
    port = free_port()
    server = start_server(port, args.model, ["--char-limit", str(args.char_limit)])
    # the model loaded: the first translation waits for it
    httpx.post(f"http://127.0.0.1:{port}/v1/translate", json={"text": "Bonjour."}, timeout=120)
    url = f"http://127.0.0.1:{port}"
    print("| clients | max-size client | requests/s | p50 s | p95 s | not 200 |")
    print("|---:|---|---:|---:|---:|---|")
    try:
        for concurrency, heavy in ((1, False), (8, False), (32, False), (8, True)):
            lat, statuses, big_done = asyncio.run(
                load(url, lines, concurrency, args.seconds, big.strip() if heavy else None)
            )
            q = statistics.quantiles(lat, n=20) if len(lat) > 1 else [float("nan")] * 19
            extra = f"yes ({big_done} done, {len(big)} characters each)" if heavy else "no"
            others = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "none"
            print(
                f"| {concurrency} | {extra} | {len(lat) / args.seconds:.1f} | "
                f"{statistics.median(lat):.3f} | {q[18]:.3f} | {others} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
