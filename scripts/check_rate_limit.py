"""How closely ``mt serve``'s rate limits hold under a flood of requests.

    python scripts/check_rate_limit.py                   # 10/second, 100/10seconds; 30 s each
    python scripts/check_rate_limit.py --seconds 60

Starts ``mt serve`` twice: without keys and a limit per address, then with an API key and a
limit per key. Against each it sends cheap requests (``GET /languages``) from 16 concurrent clients as fast as they go for
``--seconds``, and reports how many were admitted per second against the configured rate, and
whether every refusal was a 429 with ``Retry-After``. ``--seconds`` should be a whole number
of each limit's windows: a moving window admits its whole amount at once from a cold start.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_serve import free_port, start_server

KEY = "rate-check-key"


async def flood(url: str, headers: dict[str, str], seconds: float) -> tuple[Counter[int], int]:
    """Statuses of the answers, and how many refusals lacked a Retry-After."""
    statuses: Counter[int] = Counter()
    missing = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as client:

        async def one() -> None:
            nonlocal missing
            while time.monotonic() < stop:
                r = await client.get("/languages")
                statuses[r.status_code] += 1
                missing += r.status_code == 429 and "retry-after" not in r.headers

        await asyncio.gather(*(one() for _ in range(16)))
    return statuses, missing


def per_second(limit: str) -> float:
    import limits

    item = limits.parse(limit)
    return item.amount / item.get_expiry()


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--address-limit", default="10/second")
    p.add_argument("--key-limit", default="100/10seconds")
    p.add_argument("--seconds", type=float, default=30.0)
    args = p.parse_args()
    print("| caller | limit | admitted/s | configured/s | ratio | refused (429) | other |")
    print("|---|---|---:|---:|---:|---:|---|")
    for caller, limit, keyed in (
        ("an address, no keys configured", args.address_limit, False),
        ("an API key", args.key_limit, True),
    ):
        port = free_port()
        flag = "--key-req-limit" if keyed else "--req-limit"
        server = start_server(port, None, [flag, limit], {"MT_API_KEYS": KEY} if keyed else None)
        headers = {"Authorization": f"Bearer {KEY}"} if keyed else {}
        try:
            statuses, missing = asyncio.run(
                flood(f"http://127.0.0.1:{port}", headers, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        admitted = statuses[200] / args.seconds
        rate = per_second(limit)
        others = {k: v for k, v in statuses.items() if k not in (200, 429)}
        print(
            f"| {caller} | {limit} | {admitted:.2f} | {rate:.2f} | {admitted / rate:.3f} | "
            f"{statuses[429]} (no Retry-After: {missing}) | {others or 'none'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
