"""Running the sweep on a schedule, on one replica at a time.

The running bot runs a pass every ``schedule.sweep_interval_minutes`` (APScheduler 3, on the bot's
event loop), and once at start so that a bot coming back from downtime catches up at once.

On PostgreSQL only the *leader* sweeps: the replica holding a session-level advisory lock on a
connection of its own. The others try to take it at every tick, so when the leader stops (or its
connection drops, which frees the lock) another takes over within one interval. On SQLite —
a single process by design — every process sweeps. Neither is needed for correctness: a pass run
twice or by two replicas at once writes each notice once (see :mod:`bot.lifecycle.sweep`); the
lock only keeps replicas from doing the same work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.lifecycle.report import SweepReport
from bot.lifecycle.sweep import Sweeper
from bot.rules import Rules
from store.db import Database, DatabaseUnavailable, advisory_key

log = logging.getLogger(__name__)

LEADER = "leader"
FOLLOWER = "follower"


class Leadership:
    """Whether this process is the one that sweeps."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.key = advisory_key("sweep-leader")
        self.role = FOLLOWER
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """Keep or take the leadership; True when this process leads now."""
        if self.db.dialect != "postgresql":
            self.role = LEADER
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except (DBAPIError, OSError, TimeoutError) as exc:
                log.warning("sweep leadership lost with its connection: %s", exc)
                await self._drop()
        try:
            connection = await self.db.engine.connect()
        except (DBAPIError, OSError, TimeoutError) as exc:
            log.warning("cannot try for the sweep leadership: %s", exc)
            self.role = FOLLOWER
            return False
        try:
            # Autocommit: the lock belongs to the session and no transaction is left open.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            taken = bool(
                await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                )
            )
        except (DBAPIError, OSError, TimeoutError) as exc:
            log.warning("cannot try for the sweep leadership: %s", exc)
            await connection.invalidate()
            self.role = FOLLOWER
            return False
        if not taken:
            await connection.close()
            self.role = FOLLOWER
            return False
        if self.role != LEADER:
            log.info("this replica now runs the sweep (leader)")
        self._connection, self.role = connection, LEADER
        return True

    async def release(self) -> None:
        """Give the leadership up (at shutdown)."""
        if self._connection is not None:
            try:
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
                await self._connection.close()
            except (DBAPIError, OSError, TimeoutError):
                await self._drop()
            self._connection = None
        self.role = FOLLOWER

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self.role = FOLLOWER
        if connection is not None:
            # Invalidated, never returned to the pool: a pooled connection must not carry the lock.
            with contextlib.suppress(Exception):
                await connection.invalidate()


class SweepScheduler:
    """The bot's background service that runs the sweep (``rt.services``)."""

    def __init__(
        self,
        sweeper: Sweeper,
        rules: Rules,
        clock: Clock,
        db: Database,
        *,
        on_notices: Callable[[], None] = lambda: None,
        run_at_start: bool = True,
    ) -> None:
        self.sweeper = sweeper
        self.rules = rules
        self.clock = clock
        self.leadership = Leadership(db)
        self.on_notices = on_notices
        self.run_at_start = run_at_start
        self.last_pass: SweepReport | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._turn = asyncio.Lock()

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        first_run: dict[str, Any] = {}
        if self.run_at_start:
            # APScheduler schedules in real time; the pass itself reads the injected clock.
            first_run["next_run_time"] = datetime.now(UTC)
        self._scheduler.add_job(
            self._scheduled,
            "interval",
            minutes=self.rules.schedule.sweep_interval_minutes,
            id="claimbot-sweep",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            **first_run,
        )
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop scheduling, let a pass in progress finish, give up the leadership."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        try:
            async with asyncio.timeout(30):
                async with self._turn:
                    await self.leadership.release()
        except TimeoutError:
            log.warning("a sweep pass was still running at shutdown")

    async def tick(self) -> SweepReport | None:
        """What every scheduled run does: lead or follow; if leading, one pass at the clock's now.

        Returns the pass's report, or None when another replica leads.
        """
        async with self._turn:
            if not await self.leadership.acquire():
                return None
            report = await self.sweeper.run(self.clock.now())
            self.last_pass = report
        if report.notices_written:
            self.on_notices()
        if report.reclaimed or report.notices_written:
            log.info(report.summary())
        return report

    async def _scheduled(self) -> None:
        try:
            await self.tick()
        except DatabaseUnavailable as exc:
            log.warning("sweep skipped: database unavailable (%s)", exc)
        except asyncio.CancelledError:
            # APScheduler cancels a running job when it shuts down and would log the
            # cancellation as a crash; the pass's transaction rolls back and the next one redoes it.
            log.info("sweep pass interrupted by shutdown")
        except Exception:
            log.exception("sweep pass failed; the next one will try again")

    async def health(self) -> dict[str, Any]:
        """The ``scheduler`` part of ``/healthz``."""
        last = self.last_pass
        return {
            "role": self.leadership.role,
            "interval_minutes": self.rules.schedule.sweep_interval_minutes,
            "last_pass": last.as_dict() if last is not None else None,
        }
