"""Bring a database schema up to date (``claimbot migrate``; also run by the bot at start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from store.db import Database, advisory_key

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate up to ``revision``. Replicas starting together on PostgreSQL take turns."""
    await _run(db, lambda config: command.upgrade(config, revision))


async def downgrade(db: Database, revision: str) -> None:
    """Migrate down to ``revision`` (``"base"`` drops everything)."""
    await _run(db, lambda config: command.downgrade(config, revision))


async def _run(db: Database, step: object) -> None:
    assert callable(step)

    def run(connection: Connection) -> None:
        step(alembic_config(connection))

    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            # A session-level lock: a second replica waits here until the first has migrated.
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": advisory_key("migrate")})
            await conn.commit()
        try:
            await conn.run_sync(run)
            await conn.commit()
        finally:
            if db.dialect == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key("migrate")}
                )
                await conn.commit()
