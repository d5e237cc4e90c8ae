"""Benchmark of the analytics (``/claim stats funnel``, ``/claim stats by …``) beside the
dashboard's report, over the sweep benchmark's claims.

    python -m benchmarks.bench_analytics                    # SQLite, and PostgreSQL when
                                                            # CLAIMBOT_TEST_POSTGRES_URL is set
    python -m benchmarks.bench_analytics --claims 100000    # quick mode

The claims are :mod:`benchmarks.bench_sweep`'s (20 teams of 50 reps, 26 % of them filed over the
last 400 days and won, released, lost or rejected), each given a stage, a follow-up in one of
ten, a deal size, a region and an industry (a profile field). It times, for an admin (every
claim) over the last 90 days and a manager (one team): the dashboard's report, the analytics,
and the counts by region and by industry. Each figure is the best of three runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from benchmarks.bench_sweep import NOW, WS, database, load, rules
from bot.clock import FixedClock
from bot.directory import Directory
from bot.metrics.analytics import AnalyticsService
from bot.metrics.periods import Period
from bot.metrics.service import MetricsService, Scope, ScopeKind
from store.db import Database
from store.metrics import ByProfile
from store.migrate import upgrade
from store.models import Claim, FollowUp
from tests.databases import POSTGRES_ENV

STAGES = ("contact", "analysis", "proposal", "negotiation")
REGIONS = ("north", "east", "south", "central")
INDUSTRIES = ("finance", "retail", "manufacturing", None)
BATCH = 20_000


async def enrich(db: Database) -> None:
    """A stage, a deal size, a region, an industry on every claim (by its id, in a few bulk
    updates); a follow-up at another stage on one in ten."""
    async with db.session() as session:
        for bucket in range(4):
            industry = INDUSTRIES[bucket]
            await session.execute(
                update(Claim)
                .where(Claim.id % 4 == bucket)
                .values(
                    stage=STAGES[bucket],
                    region=REGIONS[(bucket + 1) % 4],
                    deal_size=Claim.id % 500 * 10_000 + 10_000,
                    profile={} if industry is None else {"industry": industry},
                )
            )
        ids = list(await session.scalars(select(Claim.id).where(Claim.id % 10 == 0)))
    for start in range(0, len(ids), BATCH):
        async with db.session() as session:
            await session.execute(
                insert(FollowUp),
                [
                    {
                        "workspace_id": WS,
                        "claim_id": number,
                        "author_id": "U0BENCH",
                        "happened_at": NOW,
                        "method": "call",
                        "summary": "bench",
                        "stage": STAGES[(number // 10) % 4],
                        "created_at": NOW,
                    }
                    for number in ids[start : start + BATCH]
                ],
            )


async def best_of_three(call: Callable[[], Awaitable[Any]]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return min(times)


async def bench(db: Database, label: str, count: int) -> list[tuple[str, str]]:
    the_rules = rules()
    await upgrade(db)
    clock = FixedClock(NOW)
    directory = Directory(db, the_rules, clock)
    await directory.ensure_seeded(WS)
    started = time.perf_counter()
    await load(db, count)
    await enrich(db)
    rows = [
        (f"[{label}] load and enrich {count:,} claims", f"{time.perf_counter() - started:.1f} s")
    ]
    metrics = MetricsService(db, the_rules, clock, directory)
    analytics = AnalyticsService(metrics)
    scopes = {
        "admin": Scope(ScopeKind.ALL, "U0ADMIN001"),
        "manager": Scope(ScopeKind.TEAMS, "U0MANAGER01", team_ids=(1,), team_names=("Team 1",)),
    }
    for who, scope in scopes.items():
        timed: dict[str, Callable[[], Awaitable[Any]]] = {
            "dashboard report": partial(metrics.report, WS, scope, Period.QUARTER, at=NOW),
            "analytics (funnel …)": partial(analytics.analytics, WS, scope, Period.QUARTER),
            "by region": partial(analytics.grouped, WS, scope, Period.QUARTER, "region"),
            "by industry": partial(
                analytics.grouped, WS, scope, Period.QUARTER, ByProfile("industry")
            ),
        }
        for name, call in timed.items():
            seconds = await best_of_three(call)
            rows.append((f"[{label}] {who}: {name}", f"{seconds * 1000:.0f} ms"))
    return rows


async def run(args: argparse.Namespace) -> None:
    backends = args.backend or (
        ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]
    )
    rows: list[tuple[str, str]] = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as directory:
            async with database(backend, Path(directory)) as db:
                rows += await bench(db, backend, args.claims)
    for name, value in rows:
        print(f"{name:<60} {value}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgres"], help="repeatable"
    )
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
