"""What every operation does first: read settings and rules and open the database."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.rules import load_rules
from bot.runtime import Runtime
from bot.settings import ConfigError, Settings
from store.db import DatabaseUnavailable
from store.migrate import upgrade


async def open_runtime(
    *, need_credentials: bool = False, migrate: bool = True, clock: Clock | None = None
) -> Runtime:
    """Settings from the environment, rules from the config file, a migrated database.

    ``clock`` replaces the system clock (``claimbot sweep --at``).
    """
    settings = Settings.from_env()
    if need_credentials:
        settings.check_credentials()
    logging.getLogger().setLevel(settings.log_level)
    rules = load_rules(settings.config_path)
    rt = Runtime.create(settings, rules, clock=clock)
    if migrate:
        try:
            await upgrade(rt.db)
        except (DatabaseUnavailable, OSError, ConnectionError) as exc:
            await rt.close()
            raise ConfigError(
                f"the database at DATABASE_URL cannot be reached ({exc.__class__.__name__})."
            ) from exc
    return rt
