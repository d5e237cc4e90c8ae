"""``claimbot webhooks status|retry``: where each webhook endpoint stands; requeue failures."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import open_runtime
from bot.webhooks.status import webhook_status
from store import webhooks as store


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "webhooks", help="webhook deliveries: status per endpoint, or retry the failed ones"
    )
    actions = sub.add_subparsers(dest="webhooks_action", metavar="ACTION", required=True)
    actions.add_parser("status", help="one line per endpoint; exit 1 if any is failing")
    retry = actions.add_parser("retry", help="put failed deliveries back in line")
    retry.add_argument("--endpoint", help="only this endpoint's (default: all)")
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    rt = await open_runtime()
    try:
        if args.webhooks_action == "retry":
            async with rt.db.write() as session:
                count = await store.requeue_failed(
                    session, now=rt.clock.now(), endpoint=args.endpoint
                )
            print(f"{count} failed deliveries requeued; the running bot sends them next")
            return 0
        statuses = await webhook_status(rt.db, rt.rules, rt.clock.now())
        for status in statuses:
            print(status.line())
        if not statuses:
            print("no webhook endpoints in the rules")
        return 0 if all(s.ok for s in statuses) else 1
    finally:
        await rt.close()
