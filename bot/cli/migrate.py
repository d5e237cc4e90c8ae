"""``claimbot migrate``: bring the database schema up to date and say where it stands."""

from __future__ import annotations

import argparse

from bot.cli.common import open_runtime
from store.db import describe_url
from store.migrate import current_revision


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("migrate", help="bring the database schema up to date")
    sub.set_defaults(handler=handle)


async def handle(_args: argparse.Namespace) -> int:
    rt = await open_runtime(migrate=True, announce=False)
    try:
        revision = await current_revision(rt.db)
        print(f"database schema at revision {revision} ({describe_url(rt.db.url)})")
    finally:
        await rt.close()
    return 0
