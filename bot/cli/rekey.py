"""``claimbot rekey [--workspace T…] [--restart] [--batch N]``: recompute every stored name key
after a change to the normaliser or its word lists (see bot/rekey.py). Safe while the bot runs;
a stopped run resumes where it was."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace
from bot.rekey import BATCH, Rekeyer
from store import customers as customer_store


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "rekey",
        help="recompute stored name keys after a change to the name normaliser (resumable)",
        description="Recompute every customer's name keys with the current normaliser, in "
        "batches under the claim lock, while the bot runs. An interrupted run resumes where it "
        "stopped; running bots pick the new keys up by themselves.",
    )
    sub.add_argument(
        "--workspace", help="Slack team ID (default: every workspace that has customers)"
    )
    sub.add_argument(
        "--restart", action="store_true", help="start over instead of resuming an unfinished run"
    )
    sub.add_argument(
        "--batch", type=int, default=BATCH, help=f"customers per transaction (default {BATCH})"
    )
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    rt = await open_runtime()
    try:
        if args.workspace:
            workspaces = [await resolve_workspace(rt, args.workspace)]
        else:
            async with rt.db.session() as session:
                workspaces = await customer_store.workspaces_with_customers(session)
        rekeyer = Rekeyer(rt.db, rt.clock, batch=max(1, args.batch))
        for workspace in workspaces:
            total = await rekeyer.total(workspace, restart=args.restart)
            with tqdm(
                total=total, desc=workspace, unit=" customers", file=sys.stderr, leave=True
            ) as bar:
                report = await rekeyer.run(workspace, restart=args.restart, progress=bar.update)
            print(report.summary())
    finally:
        await rt.close()
    return 0
