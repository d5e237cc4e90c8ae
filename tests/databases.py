"""Throwaway databases for tests: a SQLite file per test, and a fresh PostgreSQL database per
test when CLAIMBOT_TEST_POSTGRES_URL names a server (otherwise those tests skip, with the reason)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CLAIMBOT_TEST_POSTGRES_URL"
SKIP_REASON = (
    f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1/test)"
)


def postgres_url() -> str | None:
    """The server named by the environment, if any."""
    return os.environ.get(POSTGRES_ENV) or None


def sqlite_url(directory: Path, name: str = "claimbot.db") -> str:
    return f"sqlite+aiosqlite:///{directory / name}"


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create an empty database on the test server, yield its SQLAlchemy URL, then drop it."""
    base = postgres_url()
    if base is None:
        pytest.skip(SKIP_REASON)
    url = make_url(base)
    name = f"claimbot_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        # C.UTF-8 so that pg_trgm and sorting see Chinese characters (see matching-notes).
        await admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await admin.close()
    try:
        yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def database_of(kind: str, directory: Path, name: str = "shared.db") -> AsyncIterator[str]:
    """A database URL of ``kind`` (``sqlite``: a file in ``directory``; ``postgres``: a fresh
    database), for tests parametrised over both."""
    if kind == "sqlite":
        yield sqlite_url(directory, name)
    else:
        async with fresh_postgres_database() as url:
            yield url
