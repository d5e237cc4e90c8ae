"""``claimbot import FILE.csv``: load an existing customer list (see bot/claims/importer.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.claims.importer import CustomerImporter
from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace
from bot.settings import ConfigError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "import",
        help="load an existing customer list (CSV: name, other_name, credit_code, phone, email, "
        "region, owner)",
    )
    sub.add_argument("file", type=Path, help="the CSV file (UTF-8 or GB18030)")
    sub.add_argument("--workspace", help="Slack team ID (default: the bot token's workspace)")
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise ConfigError(f"{args.file} is not a readable file.")
    rt = await open_runtime(create=False)
    try:
        workspace = await resolve_workspace(rt, args.workspace)
        importer = CustomerImporter(rt.db, rt.rules, rt.clock, rt.checker)
        report = await importer.load(args.file, workspace)
    finally:
        await rt.close()
    print(report.summary())
    return 0 if report.loaded or not report.problems else 1
