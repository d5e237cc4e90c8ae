"""API duplicate checks per second: ``GET /api/v1/customers/check`` against a real claimbot
process (``python -m bot``) with a million customers on record, over keep-alive HTTP.

    python -m benchmarks.bench_api [--customers 1000000] [--seconds 20] [--concurrency 16]
                                   [--postgres]   # uses CLAIMBOT_TEST_POSTGRES_URL

The queries mix what a CRM sends: names on record (exact), the same names reworded (a legal
suffix dropped, a region added), phone numbers on record, and names no one has. Every answer
must be a 200; the run is bounded by --seconds, after a short warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from benchmarks.bench_load import WORKSPACE, fake_slack_process
from benchmarks.seed import seed_customers
from benchmarks.synthetic import company_names
from store import api_tokens
from store.db import Database
from store.migrate import upgrade
from tests.databases import fresh_postgres_database
from tests.e2e import processes
from tests.e2e.processes import claimbot_process

REPO = Path(__file__).resolve().parent.parent
# The rate limit is not what is measured here.
RULES = "api:\n  rate_per_minute: 1000000\n  burst: 100000\n"


def queries(names: list[str], count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    unknown = company_names(count, seed=seed + 99)
    mixed = []
    for i in range(count):
        kind = i % 4
        name = rng.choice(names)
        if kind == 0:
            mixed.append(name)
        elif kind == 1:
            mixed.append(f"{name.replace('有限公司', '').replace(' Ltd', '')}（上海）")
        elif kind == 2:
            mixed.append(f"+86139{rng.randrange(1, len(names)):08d}")
        else:
            mixed.append(unknown[i])
    return mixed


async def main(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        api_url, _control = await stack.enter_async_context(fake_slack_process(10))
        work = Path(tempfile.mkdtemp(prefix="claimbot-api-"))
        if args.postgres:
            database_url = await stack.enter_async_context(fresh_postgres_database())
        else:
            database_url = f"sqlite+aiosqlite:///{work}/claimbot.db"
        db = Database(database_url)
        await upgrade(db)
        names = await seed_customers(db, WORKSPACE, args.customers)
        async with db.write() as session:
            _, token = await api_tokens.create(
                session,
                WORKSPACE,
                name="bench",
                scope="read",
                created_by=None,
                at=datetime.now(UTC),
            )
        await db.dispose()
        (work / "claimbot.yaml").write_text(RULES)
        # Building the name index of a million customers takes a while at start.
        processes.STARTUP_TIMEOUT = 600.0
        started = time.perf_counter()
        bot = await stack.enter_async_context(
            claimbot_process(
                api_url=api_url,
                database_url=database_url,
                log_dir=work,
                name="bot",
                env={
                    "CLAIMBOT_CONFIG": str(work / "claimbot.yaml"),
                    # The process runs in the work directory; the code is here.
                    "PYTHONPATH": str(REPO),
                },
            )
        )
        print(f"claimbot ready in {time.perf_counter() - started:.1f} s")
        http = await stack.enter_async_context(
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.concurrency),
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        url = f"{bot.url}/api/v1/customers/check"
        mix = queries(names, 5000)
        await load(http, url, mix, args.concurrency, seconds=2.0)  # warm-up
        done, latencies, failures, elapsed = await load(
            http, url, mix, args.concurrency, seconds=args.seconds
        )
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"API duplicate checks: {done / elapsed:.0f}/s at {args.customers:,} customers "
        f"({'PostgreSQL' if args.postgres else 'SQLite'}, {args.concurrency} concurrent, "
        f"{done} checks in {elapsed:.1f} s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"{failures} failures)"
    )


async def load(
    session: aiohttp.ClientSession, url: str, mix: list[str], concurrency: int, *, seconds: float
) -> tuple[int, list[float], int, float]:
    """Send checks from ``concurrency`` workers until ``seconds`` pass."""
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()
    deadline = started + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            query = mix[next(counter) % len(mix)]
            sent = time.perf_counter()
            async with session.get(url, params={"q": query}) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), latencies, failures, time.perf_counter() - started


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
