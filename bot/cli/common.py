"""What every operation does first: read settings and rules and open the database."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.rules import load_rules
from bot.runtime import Runtime
from bot.settings import ConfigError, Settings
from store.db import DatabaseUnavailable, database_file, describe_url
from store.migrate import current_revision, upgrade


async def open_runtime(
    *,
    need_credentials: bool = False,
    serving: bool = True,
    migrate: bool = True,
    create: bool = True,
    announce: bool = True,
    clock: Clock | None = None,
) -> Runtime:
    """Settings from the environment, rules from the config file, a migrated database.

    ``create=False`` refuses to start on a database that does not exist yet or is empty (a typo
    in the folder or in DATABASE_URL would otherwise make a new, empty one and report nothing).
    ``announce`` names the database on stderr. ``clock`` replaces the system clock
    (``claimbot sweep --at``). ``serving=False``: a process Slack never calls (``claimbot
    worker``) needs no signing secret.
    """
    settings = Settings.from_env()
    if need_credentials:
        settings.check_credentials(serving=serving)
    logging.getLogger().setLevel(settings.log_level)
    rules = load_rules(settings.config_path)
    name = describe_url(settings.database_url)
    check_sqlite_path(settings.database_url, create=create)
    rt = Runtime.create(settings, rules, clock=clock)
    try:
        if not create and await current_revision(rt.db) is None:
            raise ConfigError(
                f"the database {name} is empty: check DATABASE_URL "
                "(claimbot migrate creates a new one on purpose)."
            )
        if migrate:
            await upgrade(rt.db)
        if announce:
            print(
                f"database: {name} (schema revision {await current_revision(rt.db)})",
                file=sys.stderr,
            )
    except (DatabaseUnavailable, SQLAlchemyError, OSError, ConnectionError) as exc:
        await rt.close()
        raise ConfigError(
            f"the database {name} cannot be used ({exc.__class__.__name__}): check DATABASE_URL "
            "and that the server runs."
        ) from exc
    except ConfigError:
        await rt.close()
        raise
    return rt


def check_sqlite_path(url: str, *, create: bool) -> None:
    """One sentence, not a driver traceback, when an SQLite file cannot be opened as asked."""
    path = database_file(url)
    if path is None:
        return
    if not create and not path.exists():
        raise ConfigError(
            f"there is no database at {path} (DATABASE_URL): check the path; "
            "claimbot migrate creates a new one on purpose."
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(
            f"the folder {folder} for the SQLite database does not exist: create it or fix DATABASE_URL."
        )
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    # SQLite also writes its -wal and -shm files beside the database.
    if not writable or not os.access(folder, os.W_OK):
        raise ConfigError(
            f"the SQLite database {path} cannot be written by this user (uid {os.getuid()}): "
            "make the folder writable (for Docker, a volume the claimbot user owns) "
            "or point DATABASE_URL elsewhere."
        )
