"""Benchmark of the reminder/reclaim sweep over 1,000,000 claims.

    python -m benchmarks.bench_sweep                    # SQLite, and PostgreSQL when
                                                        # CLAIMBOT_TEST_POSTGRES_URL is set
    python -m benchmarks.bench_sweep --claims 100000    # quick mode
    python -m benchmarks.bench_sweep --backend sqlite

The claims are spread over the rules' states as a live workspace has them at ``NOW``: 70 % active
with their last follow-up anywhere in the last 14 days (so every idle threshold is crossed by some
claim every minute) and their protection ending anywhere in the next 90 days, 4 % waiting for
approval for up to 3 days, the rest won, released, lost or rejected. They are bulk-loaded
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), with 20 teams of 50 reps and a manager each.

It times:

- the finding queries of a first pass (no mark: every claim whose state calls for action) and of a
  pass 5 minutes after the last (the steady state of the running bot);
- a whole pass with its actions (reclaims, reminders, copies, warnings, approval reminders) in the
  steady state, and after one hour and one day of downtime (the catch-up).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bot.clock import FixedClock
from bot.directory import Directory
from bot.lifecycle.report import SweepReport
from bot.lifecycle.sweep import Sweeper, rules_digest
from bot.rules import Rules
from store import lifecycle as store
from store.db import Database
from store.migrate import upgrade
from store.models import OutboxMessage
from tests.databases import POSTGRES_ENV, fresh_postgres_database

WS = "T0BENCH001"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DAY = 86_400.0
TEAMS = 20
REPS_PER_TEAM = 50
BATCH = 50_000

CLAIM_COLUMNS = (
    "id", "workspace_id", "customer_id", "owner_id", "team_id", "status", "via",
    "submission_key", "submitted_at", "customer_name", "rules_fired", "decided_at",
    "decided_by", "decision", "protection_until", "last_activity_at", "extensions_granted",
    "ended_at", "end_reason", "version",
)  # fmt: skip
CUSTOMER_COLUMNS = ("id", "workspace_id", "name", "name_key", "created_at", "pooled_at")


def rules() -> Rules:
    return Rules.model_validate(
        {
            "admins": ["U0ADMIN001"],
            "channels": {"pool": "C0POOL0001"},
            "teams": [
                {
                    "name": f"Team {t}",
                    "managers": [f"U0MGR{t:05d}"],
                    "members": [_rep(t, r) for r in range(REPS_PER_TEAM)],
                }
                for t in range(1, TEAMS + 1)
            ],
        }
    )


def _rep(team: int, rep: int) -> str:
    return f"U0R{team:03d}{rep:04d}"


def _ago(rng: random.Random, low_days: float, high_days: float) -> datetime:
    return NOW - timedelta(seconds=rng.uniform(low_days * DAY, high_days * DAY))


def generate(count: int, seed: int = 7) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(customer row, claim row) pairs, claim states spread over the rules at ``NOW``."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        team = rng.randrange(1, TEAMS + 1)
        owner = _rep(team, rng.randrange(REPS_PER_TEAM))
        name = f"基准测试客户{number:07d}有限公司"
        roll = rng.random()
        pooled = None
        decided: datetime | None
        last: datetime | None = None
        protection: datetime | None = None
        ended: datetime | None = None
        reason = None
        if roll < 0.70:
            status = "active"
            # Idle for up to 14 days and 5 minutes: the last 5 minutes' worth are due for reclaim,
            # as they would be if the previous pass ran 5 minutes ago.
            last = _ago(rng, 0, 14 + 300 / DAY)
            protection = NOW + timedelta(seconds=rng.uniform(-300, 90 * DAY))
            decided = min(last, protection - timedelta(days=90))
            submitted = decided
        elif roll < 0.74:
            status = "pending"
            submitted, decided = _ago(rng, 0, 3), None
        else:
            submitted = _ago(rng, 20, 400)
            decided = submitted
            status = rng.choice(("won", "released", "released", "lost", "rejected"))
            if status in ("released", "lost"):
                ended = submitted + timedelta(days=rng.uniform(14, 90))
                reason = "reclaimed" if status == "released" else "lost"
                pooled = ended if rng.random() < 0.5 else None
        customer = (number, WS, name, name, submitted, pooled)
        claim = (
            number, WS, number, owner, team, status, "form", f"bench:{number}", submitted, name,
            "{}", decided, "system" if decided else None, "auto" if decided else None,
            protection, last, 0, ended, reason, 1,
        )  # fmt: skip
        yield customer, claim


# -- loading ------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


async def load(db: Database, count: int) -> None:
    """Bulk-insert ``count`` customers and claims, then refresh the planner's statistics."""
    async with db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        rows = generate(count)
        while True:
            batch = [pair for _, pair in zip(range(BATCH), rows, strict=False)]
            if not batch:
                break
            customers = [c for c, _ in batch]
            claims = [c for _, c in batch]
            if db.dialect == "postgresql":
                await raw.copy_records_to_table(  # type: ignore[union-attr]
                    "customers", records=customers, columns=CUSTOMER_COLUMNS
                )
                await raw.copy_records_to_table(  # type: ignore[union-attr]
                    "claims", records=claims, columns=CLAIM_COLUMNS
                )
            else:
                await _sqlite_insert(raw, "customers", CUSTOMER_COLUMNS, customers)
                await _sqlite_insert(raw, "claims", CLAIM_COLUMNS, claims)
        if db.dialect == "postgresql":
            await raw.execute(  # type: ignore[union-attr]
                "SELECT setval('claims_id_seq', (SELECT max(id) FROM claims));"
                "SELECT setval('customers_id_seq', (SELECT max(id) FROM customers));"
                "ANALYZE"
            )
        else:
            await raw.execute("ANALYZE")  # type: ignore[union-attr]
            await raw.commit()  # type: ignore[union-attr]


async def _sqlite_insert(raw: Any, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    marks = ", ".join("?" for _ in columns)
    await raw.execute("BEGIN")
    await raw.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [tuple(_sqlite_value(v) for v in row) for row in rows],
    )
    await raw.execute("COMMIT")


# -- timing -------------------------------------------------------------------------------------


async def set_mark(db: Database, rules: Rules, at: datetime) -> None:
    """Pretend the last pass ran at ``at``."""
    async with db.write() as session:
        mark = await store.sweep_mark(session, WS)
        if mark is not None:
            await session.delete(mark)
            await session.flush()
        await store.save_sweep_mark(session, WS, swept_until=at, rules_digest=rules_digest(rules))


async def time_finding(
    sweeper: Sweeper, since: datetime | None, now: datetime
) -> tuple[float, int]:
    async with sweeper.db.session() as session:
        started = time.perf_counter()
        active, pending = await sweeper.candidates(session, WS, since, now)
        return time.perf_counter() - started, len(active) + len(pending)


async def time_pass(sweeper: Sweeper, now: datetime) -> tuple[float, SweepReport]:
    started = time.perf_counter()
    report = await sweeper.run(now)
    return time.perf_counter() - started, report


def describe(report: SweepReport) -> str:
    reclaimed = sum(report.reclaimed.values())
    kinds = ", ".join(f"{n} {k.split('.')[-1]}" for k, n in sorted(report.notices.items()))
    return f"{report.candidates:,} looked at; {reclaimed:,} reclaimed; notices: {kinds or 'none'}"


async def bench(db: Database, label: str, count: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    the_rules = rules()
    await upgrade(db)
    # The teams first (ids 1..20, in the rules' order): the claims refer to them.
    directory = Directory(db, the_rules, FixedClock(NOW))
    await directory.ensure_seeded(WS)
    started = time.perf_counter()
    await load(db, count)
    rows.append(
        (f"[{label}] load {count:,} claims + customers", f"{time.perf_counter() - started:.1f} s")
    )
    sweeper = Sweeper(db, the_rules, directory)
    async with db.session() as session:
        counts = dict(
            (
                await session.execute(
                    select(text("status"), func.count())
                    .select_from(text("claims"))
                    .group_by(text("status"))
                )
            ).all()
        )
    rows.append(
        (f"[{label}] claims by status", ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    )

    for what, since in (
        ("first pass ever (no mark)", None),
        ("5 min after the last", NOW - timedelta(minutes=5)),
    ):
        await time_finding(sweeper, since, NOW)  # warm the cache once
        elapsed, found = await time_finding(sweeper, since, NOW)
        rows.append(
            (f"[{label}] finding queries, {what}", f"{elapsed * 1000:.1f} ms, {found:,} claims")
        )

    now = NOW
    for what, gap in (
        ("steady state: pass 5 min after the last", timedelta(minutes=5)),
        ("after 1 hour down", timedelta(hours=1)),
        ("after 1 day down", timedelta(days=1)),
    ):
        await set_mark(db, the_rules, now)
        now = now + gap
        elapsed, report = await time_pass(sweeper, now)
        rows.append((f"[{label}] whole pass, {what}", f"{elapsed:.2f} s — {describe(report)}"))
    async with db.session() as session:
        outbox = await session.scalar(select(func.count(OutboxMessage.id)))
    rows.append((f"[{label}] outbox rows written", f"{outbox:,}"))
    return rows


@asynccontextmanager
async def database(backend: str, directory: Path) -> AsyncIterator[Database]:
    if backend == "postgres":
        async with fresh_postgres_database() as url:
            db = Database(url)
            try:
                yield db
            finally:
                await db.dispose()
    else:
        db = Database(f"sqlite+aiosqlite:///{directory / 'bench.db'}")
        try:
            yield db
        finally:
            await db.dispose()


async def run(args: argparse.Namespace) -> None:
    backends = args.backend or (
        ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]
    )
    rows: list[tuple[str, str]] = []
    for backend in backends:
        with tempfile.TemporaryDirectory() as directory:
            async with database(backend, Path(directory)) as db:
                rows += await bench(db, backend, args.claims)
        for name, value in rows[-9:]:
            print(f"{name:<60} {value}", flush=True)
        print()
    print("summary")
    for name, value in rows:
        print(f"  {name:<58} {value}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgres"], help="repeatable"
    )
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
