"""The database: one async engine per process, one session per unit of work.

SQLite (the default) runs in WAL mode; a *locked* unit of work starts with ``BEGIN IMMEDIATE`` so
that writers of every process queue on the database's write lock. PostgreSQL takes a transaction
advisory lock per workspace instead, so workspaces do not wait on each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

_BEGIN_MODE = "claimbot_sqlite_begin"


class DatabaseUnavailable(Exception):
    """The database did not answer; the caller should tell the user to try again shortly."""


def database_file(url: str) -> Path | None:
    """The file an SQLite URL names (``None`` for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe_url(url: str) -> str:
    """The URL as an operator may see it in logs: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def advisory_key(*parts: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` from a lock name."""
    digest = hashlib.blake2b(":".join(("claimbot", *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Database:
    """Engine, sessions and locks for one database URL."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 5,
        pool_timeout: float = 10.0,
        echo: bool = False,
    ) -> None:
        self.url = url
        options: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            # sqlite3's own busy timeout makes a second writer wait for the lock instead of failing.
            options["connect_args"] = {"timeout": 30}
        else:
            options.update(
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=pool_timeout,
                connect_args={"timeout": 5, "command_timeout": 30},
            )
        self.engine: AsyncEngine = create_async_engine(url, **options)
        self.dialect: str = self.engine.dialect.name
        # Units of work that write under a lock get connections of their own, so that a burst of
        # reads (live hints, lists) holding every pooled connection never makes a claim wait.
        writer_options = dict(options)
        if self.dialect == "sqlite":
            writer_options.update(pool_size=1, max_overflow=1)  # one writer at a time anyway
        else:
            writer_options.update(pool_size=max(2, pool_size // 2), max_overflow=max_overflow)
        self._writer: AsyncEngine = create_async_engine(url, **writer_options)
        if self.dialect == "sqlite":
            _prepare_sqlite(self.engine)
            _prepare_sqlite(self._writer)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer_sessions = async_sessionmaker(self._writer, expire_on_commit=False)
        # Writers of this process queue here, in arrival order, before they ask the database:
        # SQLite's busy handler would otherwise poll with growing sleeps (a slow, unfair queue),
        # and on PostgreSQL a waiter would hold a pooled connection while it waits.
        self._writers: dict[str, asyncio.Lock] = {}

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine sessions may be bound to (general and writers)."""
        return (self.engine, self._writer)

    def _queue(self, name: str) -> asyncio.Lock:
        # SQLite has one write lock for the whole file, so its writers share one queue.
        key = "sqlite" if self.dialect == "sqlite" else name
        lock = self._writers.get(key)
        if lock is None:
            lock = self._writers[key] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work without the claim lock: commits on success, rolls back on error."""
        async with self._unavailable_as_error(), self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that will write: on SQLite it queues for the write lock up front
        (a deferred transaction that reads first could fail at its first write); on PostgreSQL
        it is an ordinary transaction, with row locks where the queries ask for them."""
        async with (
            self._queue("write"),
            self._unavailable_as_error(),
            self._writer_sessions() as session,
            session.begin(),
        ):
            if self.dialect == "sqlite":
                await session.connection(execution_options={_BEGIN_MODE: "IMMEDIATE"})
            yield session

    @asynccontextmanager
    async def locked(self, workspace_id: str, scope: str = "claims") -> AsyncIterator[AsyncSession]:
        """A unit of work that holds ``scope``'s lock for ``workspace_id`` until it commits.

        Everything that decides who holds a customer runs inside one of these, so two claims
        racing from different processes are decided one after the other.
        """
        async with (
            self._queue(f"{scope}:{workspace_id}"),
            self._unavailable_as_error(),
            self._writer_sessions() as session,
            session.begin(),
        ):
            if self.dialect == "sqlite":
                # The first connection of the unit of work begins with BEGIN IMMEDIATE.
                await session.connection(execution_options={_BEGIN_MODE: "IMMEDIATE"})
            else:
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": advisory_key(scope, workspace_id)},
                )
            yield session

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except (DBAPIError, OSError, TimeoutError) as exc:
            log.warning("database ping failed: %s", exc)
            return False

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        await self._writer.dispose()

    @asynccontextmanager
    async def _unavailable_as_error(self) -> AsyncIterator[None]:
        try:
            yield
        except (OSError, TimeoutError, ConnectionError) as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        except OperationalError as exc:
            if self.dialect == "sqlite" and "locked" not in str(exc):
                raise
            raise DatabaseUnavailable(str(exc.orig)) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise DatabaseUnavailable(str(exc.orig)) from exc
            raise


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and our own BEGIN so a locked unit of work can ask for IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the driver so that BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a crash of the process; only a power loss can drop
        # the last commits, which is the trade SQLite's own docs recommend for WAL.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
