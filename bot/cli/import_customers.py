"""``claimbot import FILE.csv``: load an existing customer list (see bot/claims/importer.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from bot.claims.importer import CustomerImporter, UnreadableFile
from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace
from bot.settings import ConfigError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "import",
        help="load an existing customer list (CSV: name, other_name, credit_code, phone, email, "
        "region, owner, claimed_at, last_followup)",
    )
    sub.add_argument("file", type=Path, help="the CSV file (UTF-8, UTF-16, GB18030 or Big5)")
    sub.add_argument("--workspace", help="Slack team ID (default: the bot token's workspace)")
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise ConfigError(f"{args.file} is not a readable file.")
    rt = await open_runtime(create=False)
    # A bar with rows per second for a person watching; nothing in a log or a pipe.
    bar = tqdm(unit=" rows", desc="import", disable=not sys.stderr.isatty(), file=sys.stderr)
    try:
        workspace = await resolve_workspace(rt, args.workspace)
        importer = CustomerImporter(rt.db, rt.rules, rt.clock, rt.checker)
        report = await importer.load(args.file, workspace, progress=bar.update)
    except UnreadableFile as exc:
        raise ConfigError(str(exc)) from None
    finally:
        bar.close()
        await rt.close()
    print(report.summary())
    return 0 if report.loaded or not report.problems else 1
