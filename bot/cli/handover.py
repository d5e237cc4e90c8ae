"""``claimbot handover --from U… --to U… --by U… --reason TEXT [--yes] [--workspace T…]``: hand a
leaving rep's whole book to another rep from the command line (large books, scripted offboarding).

Without ``--yes`` it prints what would move and changes nothing. ``--by`` names the admin or
manager doing it: the audit log records them, and their rights are checked as in Slack.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.books import Book
from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "handover",
        help="hand every pending and active claim of one rep to another",
        description="Hand a leaving rep's pending and active claims to another rep in one step. "
        "Without --yes, print what would move and change nothing.",
    )
    sub.add_argument("--from", dest="from_id", required=True, metavar="USER", help="leaving rep")
    sub.add_argument("--to", dest="to_id", required=True, metavar="USER", help="receiving rep")
    sub.add_argument(
        "--by", required=True, metavar="USER", help="the admin or manager doing it (audited)"
    )
    sub.add_argument("--reason", required=True, help="why (shown to both reps)")
    sub.add_argument("--yes", action="store_true", help="do it (default: only show the preview)")
    sub.add_argument("--workspace", help="Slack team ID (default: the bot token's workspace)")
    sub.set_defaults(handler=handle)


def describe(book: Book) -> list[str]:
    """The book as lines for a terminal."""
    if book.refusal is not None:
        return [f"refused: {book.refusal.value}"]
    lines = [
        f"{book.from_id} -> {book.to_id}: {len(book.entries)} claims "
        f"({book.active} active, {book.pending} pending)"
    ]
    lines += [f"  #{e.claim_id} {e.status.value:8} {e.customer_name}" for e in book.entries]
    return lines


async def handle(args: argparse.Namespace) -> int:
    rt = await open_runtime()
    try:
        workspace = await resolve_workspace(rt, args.workspace)
        reason = " ".join(str(args.reason).split())
        if not reason:
            print("refused: --reason is empty")
            return 2
        if not args.yes:
            book = await rt.books.preview(workspace, args.by, args.from_id, args.to_id)
            print("\n".join(describe(book)))
            if book.ok:
                print("preview only: run again with --yes to hand them over")
            return 0 if book.ok else 1
        book = await rt.books.hand_over(workspace, args.by, args.from_id, args.to_id, reason)
        if not book.ok:
            print("\n".join(describe(book)))
            return 1
        print(f"handed over {len(book.entries)} claims from {book.from_id} to {book.to_id}")
        if rt.settings.bot_token:
            drained = await rt.outbox.drain()
            print(f"outbox: {drained.sent} sent, {drained.failed} failed")
        return 0
    finally:
        await rt.close()
