"""``claimbot doctor``: check a deployment, one line per check, non-zero exit on any ✗.

It reads the same environment and rules file as the bot and changes nothing: no database is
created or migrated, no message is left in Slack.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.clock import SystemClock
from bot.doctor import Doctor
from bot.rules import Rules, load_rules
from bot.settings import ConfigError, Settings
from bot.slack_client import web_client
from store.db import Database


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "doctor",
        help="check the deployment: token, scopes, channels, admins, database, rules",
        description="Check the deployment one line at a time (✓ or ✗ with what to do) and exit "
        "non-zero when anything is wrong. Changes nothing.",
    )
    sub.set_defaults(handler=handle)


async def handle(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    rules: Rules | None = None
    rules_error: str | None = None
    try:
        rules = load_rules(settings.config_path)
    except ConfigError as exc:
        rules_error = str(exc)
    db = Database(settings.database_url)
    try:
        doctor = Doctor(
            settings=settings,
            db=db,
            client=web_client(settings),
            clock=SystemClock(),
            rules=rules,
            rules_error=rules_error,
        )
        report = await doctor.run()
    finally:
        await db.dispose()
    for line in report.lines():
        print(line)
    failures = len(report.failures)
    print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 0 if report.ok else 1
