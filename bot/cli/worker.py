"""``claimbot worker``: the background services in a process of their own.

Delivers the outbox (DMs, cards, retries) and the webhook deliveries and runs the
reminder/reclaim sweep, for web processes started with ``CLAIMBOT_BACKGROUND=off`` that then
only answer Slack. It serves ``GET /healthz`` on HOST:PORT and nothing else, needs the bot token
(not the signing secret) and stops on SIGTERM or SIGINT like the bot. Several workers may run:
the outbox leases its rows and one of them leads the sweep.
"""

from __future__ import annotations

import argparse

from bot.cli.common import open_runtime
from bot.cli.run import serve, stop_on_signals
from bot.runtime import Role


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "worker", help="run the outbox, webhook deliveries and the sweep (beside web processes)"
    )
    sub.set_defaults(handler=handle)


async def handle(_args: argparse.Namespace) -> int:
    stop = stop_on_signals()
    rt = await open_runtime(need_credentials=True, serving=False, migrate=True, announce=False)
    try:
        return await serve(rt, stop=stop, role=Role.WORKER)
    finally:
        await rt.close()
