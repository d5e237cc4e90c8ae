"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from store.db import Database
from store.migrate import upgrade
from tests.databases import fresh_postgres_database, sqlite_url

pytest_plugins = ["tests.fakeslack.pytest_plugin"]


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: SQLite always, PostgreSQL when the environment names a server."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        async with fresh_postgres_database() as url:
            yield url


@pytest_asyncio.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database on each backend."""
    database = Database(database_url)
    await upgrade(database)
    yield database
    await database.dispose()
