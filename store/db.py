"""The database: one async engine per process, one session per unit of work.

SQLite (the default) runs in WAL mode; a *locked* unit of work starts with ``BEGIN IMMEDIATE`` so
that writers of every process queue on the database's write lock. PostgreSQL takes a transaction
advisory lock per workspace instead, so workspaces do not wait on each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
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


class DatabaseCannotWrite(DatabaseUnavailable):
    """The database answers but cannot store anything (SQLite: disk full, file read-only)."""


# SQLite's words for "cannot write": SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN.
_CANNOT_WRITE = ("disk is full", "readonly database", "disk i/o error", "unable to open")


def database_file(url: str) -> Path | None:
    """The file an SQLite URL names (``None`` for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe_url(url: str) -> str:
    """The URL as an operator may see it in logs: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


# The event-loop time by which a unit of work must be done, while a Slack request waits for its
# answer (None outside a request, or once the request is acknowledged). A hung database then
# costs the user a "try again in a moment" inside Slack's 3 seconds instead of a silent 404.
_deadline: ContextVar[float | None] = ContextVar("claimbot_db_deadline", default=None)

# How long /healthz waits for ``SELECT 1`` before it says 503 (the contract: within a second).
PING_TIMEOUT_SECONDS = 0.8
# How long the probe behind /healthz may keep trying in the background before it gives up.
PROBE_GIVE_UP_SECONDS = 10.0


@contextmanager
def answer_within(seconds: float | None) -> Iterator[None]:
    """Units of work started inside this block must finish within ``seconds`` from now (or
    the enclosing request's deadline, if sooner), else they raise :class:`DatabaseUnavailable`."""
    deadline = None if seconds is None else asyncio.get_running_loop().time() + seconds
    enclosing = _deadline.get()
    if deadline is not None and enclosing is not None:
        deadline = min(deadline, enclosing)
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def set_deadline(seconds: float | None) -> None:
    """Like :func:`answer_within`, for the rest of the current task (Bolt's middleware has
    no block to wrap the listener in)."""
    _deadline.set(None if seconds is None else asyncio.get_running_loop().time() + seconds)


def seconds_left(default: float) -> float:
    """Seconds until the current request's deadline (``default`` when none is set), at least 0:
    what a request may still wait before it must answer."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.0, deadline - asyncio.get_running_loop().time())


# After the deadline, the unit of work's task is cancelled again every this many seconds:
# SQLAlchemy closes a cancelled asyncpg connection gracefully, shielded, for up to 2 s (a hung
# server never answers the goodbye), unless the task is cancelled once more while it waits.
_RECANCEL_SECONDS = 0.05
_RECHECK_SECONDS = 0.25

# A database that answered nothing at all to this process for this long is taken to hang
# (rather than to be busy): work past its deadline is then cancelled.
SILENCE_SECONDS = 1.5


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
        self._probe: asyncio.Task[None] | None = None
        # Why the last write failed for want of space or permission (None once one succeeds).
        self.write_failure: str | None = None
        # Event-loop time of the last unit of work the database saw through (None: not yet).
        self._last_answer: float | None = None

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
        async with (
            self._within_deadline(),
            self._unavailable_as_error(),
            self._sessions() as session,
            session.begin(),
        ):
            yield session
        self._answered()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that will write: on SQLite it queues for the write lock up front
        (a deferred transaction that reads first could fail at its first write); on PostgreSQL
        it is an ordinary transaction, with row locks where the queries ask for them."""
        async with (
            self._within_deadline(),
            self._queue("write"),
            self._unavailable_as_error(),
            self._writer_sessions() as session,
            session.begin(),
        ):
            if self.dialect == "sqlite":
                await session.connection(execution_options={_BEGIN_MODE: "IMMEDIATE"})
            yield session
        self._answered()
        self.write_failure = None

    @asynccontextmanager
    async def locked(self, workspace_id: str, scope: str = "claims") -> AsyncIterator[AsyncSession]:
        """A unit of work that holds ``scope``'s lock for ``workspace_id`` until it commits.

        Everything that decides who holds a customer runs inside one of these, so two claims
        racing from different processes are decided one after the other.
        """
        async with (
            self._within_deadline(),
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
        self._answered()
        self.write_failure = None

    @asynccontextmanager
    async def _within_deadline(self) -> AsyncIterator[None]:
        deadline = _deadline.get()
        if deadline is None:
            yield
            return
        loop = asyncio.get_running_loop()
        if deadline <= loop.time() and not self.answered_within(SILENCE_SECONDS):
            raise DatabaseUnavailable("the request's database budget is spent")
        task = asyncio.current_task()
        assert task is not None
        fired = 0
        handle: asyncio.TimerHandle | None = None

        def expire() -> None:
            nonlocal fired, handle
            if fired == 0 and self.answered_within(SILENCE_SECONDS):
                # Busy, not hung: others still get answers. Wait on (the claim form has its
                # own "being decided" answer for a burst) and look again shortly.
                handle = loop.call_later(_RECHECK_SECONDS, expire)
                return
            fired += 1
            task.cancel()
            handle = loop.call_later(_RECANCEL_SECONDS, expire)

        handle = loop.call_at(deadline, expire)
        try:
            yield
        except asyncio.CancelledError:
            if fired == 0:
                raise  # somebody else's cancellation
            for _ in range(fired):
                task.uncancel()
            # Cancelled before COMMIT, so the transaction rolls back: nothing is half-written.
            raise DatabaseUnavailable(
                "the database did not answer within the request's budget"
            ) from None
        finally:
            if handle is not None:
                handle.cancel()

    def _answered(self) -> None:
        self._last_answer = asyncio.get_running_loop().time()

    def answered_within(self, seconds: float) -> bool:
        """True when some unit of work (or ping) went through in the last ``seconds``: a
        database that is slow under load keeps answering; a hung one has gone silent."""
        last = self._last_answer
        return last is not None and asyncio.get_running_loop().time() - last <= seconds

    async def ping(self) -> bool:
        """True when the database answers a trivial query within ``PING_TIMEOUT_SECONDS``."""
        timeout = PING_TIMEOUT_SECONDS
        # A task of its own, left to finish when the answer is late: when a pooled connection
        # hangs, SQLAlchemy's graceful close of a cancelled one takes up to 2 s more, which
        # /healthz must not wait; and a slow first connect (a loaded server) is not thrown away
        # only to start again at the next ping. One probe at a time.
        probe = self._probe
        if probe is None or probe.done():
            probe = self._probe = asyncio.create_task(self._select_one())
        done, _ = await asyncio.wait({probe}, timeout=timeout)
        if not done:
            log.warning("database ping failed: no answer within %.1f s", timeout)
            return False
        error = probe.exception()
        if error is not None:
            log.warning("database ping failed: %s", error)
            return False
        return True

    async def can_write(self) -> bool:
        """False while the last write failed for want of space or permission and a probe
        write still fails; a probe that succeeds clears the failure."""
        if self.write_failure is None:
            return True
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.write() as session:
                # Allocates a page and commits: what a full disk or a read-only file refuses.
                await session.execute(text("CREATE TABLE claimbot_write_probe (x INTEGER)"))
                await session.execute(text("DROP TABLE claimbot_write_probe"))
        except (DatabaseUnavailable, DBAPIError, TimeoutError) as exc:
            log.warning("database still cannot write: %s", exc)
            return False
        return True

    async def _select_one(self) -> None:
        # Bounded, so a hung server does not keep the one probe forever.
        async with asyncio.timeout(PROBE_GIVE_UP_SECONDS), self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        self._answered()

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
            reason = str(exc.orig).lower()
            if self.dialect == "sqlite" and any(words in reason for words in _CANNOT_WRITE):
                self.write_failure = str(exc.orig)
                log.error(
                    "the database cannot store anything (%s): free disk space on %s's volume or "
                    "make the file and its directory writable; Claimbot recovers by itself",
                    exc.orig,
                    self.engine.url.database,
                )
                raise DatabaseCannotWrite(str(exc.orig)) from exc
            if self.dialect == "sqlite" and "locked" not in reason:
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
