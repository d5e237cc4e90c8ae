"""The sweep's schedule: one leader among replicas on PostgreSQL (a database lock that moves when
the leader goes), every process on SQLite, and APScheduler running the pass at start."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import FixedClock
from bot.directory import Directory
from bot.lifecycle.report import SweepReport
from bot.lifecycle.scheduler import Leadership, SweepScheduler
from bot.lifecycle.sweep import Sweeper
from bot.rules import Rules
from store.db import Database
from tests.databases import fresh_postgres_database, sqlite_url
from tests.lifecycle.store_support import T0, add_claim


async def test_on_sqlite_every_process_sweeps(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path))
    try:
        first, second = Leadership(db), Leadership(db)
        assert await first.acquire() and await second.acquire()
        assert first.role == second.role == "leader"
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_on_postgres_one_replica_leads_until_it_goes() -> None:
    async with fresh_postgres_database() as url:
        a_db, b_db = Database(url), Database(url)
        try:
            a, b = Leadership(a_db), Leadership(b_db)
            assert await a.acquire() is True
            assert await b.acquire() is False
            assert (a.role, b.role) == ("leader", "follower")
            assert await a.acquire() is True, "a leader stays leader"

            await a.release()  # a stops
            assert await b.acquire() is True
            assert (a.role, b.role) == ("follower", "leader")

            # The leader's connection dies (a network cut, a restarted pooler): the lock goes
            # with it, another replica takes over, and the old leader knows it follows now.
            await terminate_leader_backend(b_db, b)
            assert await a.acquire() is True
            assert await b.acquire() is False
            assert (a.role, b.role) == ("leader", "follower")
            await a.release()
            await b.release()
        finally:
            await a_db.dispose()
            await b_db.dispose()


async def terminate_leader_backend(db: Database, leader: Leadership) -> None:
    """End exactly the leader's server process, in this test's database only, and return once
    it is gone (so its advisory lock is released before anyone asks for it)."""
    assert leader._connection is not None
    pid = await leader._connection.scalar(text("SELECT pg_backend_pid()"))
    async with db.engine.connect() as conn:
        # The timeout form waits until the process has exited (PostgreSQL 14+), and the
        # datname guard keeps the test from touching any other database on a shared server.
        ended = await conn.scalar(
            text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE pid = :pid AND datname = current_database()"
            ),
            {"pid": pid},
        )
        assert ended is True
        lingering = await conn.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = :pid"),
            {"pid": pid},
        )
        assert lingering == 0, "the terminated leader's advisory lock is released"


class CountingSweeper(Sweeper):
    """A sweeper that says when it has run."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.ran = asyncio.Event()

    async def run(self, now: datetime, *, dry_run: bool = False) -> SweepReport:
        report = await super().run(now, dry_run=dry_run)
        self.ran.set()
        return report


async def test_the_bot_sweeps_once_at_start_then_on_its_interval(db: Database) -> None:
    await add_claim(db, "idle", last=T0 - timedelta(days=8))
    rules = Rules()
    clock = FixedClock(T0)
    sweeper = CountingSweeper(db, rules, Directory(db, rules, clock))
    kicked = asyncio.Event()
    scheduler = SweepScheduler(sweeper, rules, clock, db, on_notices=kicked.set)
    await scheduler.start()
    try:
        await asyncio.wait_for(sweeper.ran.wait(), timeout=10)
        await asyncio.wait_for(kicked.wait(), timeout=10)
        assert scheduler.last_pass is not None
        assert scheduler.last_pass.notices == {"lifecycle.overdue": 1}
        job = scheduler._scheduler.get_job("claimbot-sweep")  # type: ignore[union-attr]
        assert job.trigger.interval == timedelta(minutes=5)
        health = await scheduler.health()
        assert health["role"] == "leader"
        assert health["last_pass"]["notices"] == {"lifecycle.overdue": 1}
    finally:
        await scheduler.stop()
