"""``claimbot token create|list|revoke``: REST API tokens, managed by an admin at the command line.

The token text is printed once, at creation; only its SHA-256 is stored.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import open_runtime
from bot.cli.workspace import resolve_workspace
from bot.settings import ConfigError
from store import api_tokens


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "token",
        help="create, list or revoke REST API tokens (/api/v1)",
        description="REST API tokens: each belongs to one workspace and is read or read-write.",
    )
    actions = sub.add_subparsers(dest="token_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token and print it (shown only once)")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'CRM sync'")
    create.add_argument(
        "--scope",
        choices=api_tokens.SCOPES,
        default=api_tokens.READ,
        help="read (default): check, list and read; read-write: also file claims",
    )
    create.add_argument("--by", help="who asked for it (a name or Slack user ID), for the record")
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a token: it stops working at once")
    revoke.add_argument("token_id", type=int, help="the token's number (see `claimbot token list`)")
    for action in (create, listing, revoke):
        action.add_argument(
            "--workspace", help="Slack team ID (default: the bot token's workspace)"
        )
    sub.set_defaults(handler=handle)


async def handle(args: argparse.Namespace) -> int:
    rt = await open_runtime()
    try:
        workspace_id = await resolve_workspace(rt, args.workspace)
        now = rt.clock.now()
        if args.token_action == "create":
            name = args.name.strip()
            if not name or len(name) > 80:
                raise ConfigError("--name must be 1 to 80 characters.")
            async with rt.db.write() as session:
                row, token = await api_tokens.create(
                    session, workspace_id, name=name, scope=args.scope, created_by=args.by, at=now
                )
            print(f"token {row.id} ({row.scope}) for {workspace_id}: {name}")
            print(token)
            print(
                "Keep it secret: it is shown only now. Revoke with: claimbot token revoke", row.id
            )
            return 0
        if args.token_action == "revoke":
            async with rt.db.write() as session:
                revoked = await api_tokens.revoke(
                    session, args.token_id, at=now, workspace_id=workspace_id
                )
            if revoked is None:
                raise ConfigError(f"there is no token {args.token_id} in {workspace_id}.")
            print(f"token {revoked.id} ({revoked.name}) revoked")
            return 0
        async with rt.db.session() as session:
            rows = await api_tokens.listing(session, workspace_id)
        for row in rows:
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "unused"
            print(f"{row.id}\t{row.scope}\t{state}\t{used}\t{row.name}")
        if not rows:
            print(f"no API tokens in {workspace_id} (create one: claimbot token create --name …)")
        return 0
    finally:
        await rt.close()
