"""The ``claimbot`` command: run the bot, or one operation (migrate, doctor, sweep, import, export).

Each operation lives in its own module of this package and adds its own subparser.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.cli import (
    doctor,
    export,
    handover,
    import_customers,
    migrate,
    playground,
    rekey,
    run,
    sweep,
    tokens,
    webhooks,
    worker,
)
from bot.settings import ConfigError

COMMANDS = (
    run,
    playground,
    migrate,
    doctor,
    import_customers,
    export,
    sweep,
    rekey,
    tokens,
    webhooks,
    handover,
    worker,
)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every operation's subcommand."""
    root = argparse.ArgumentParser(
        prog="claimbot",
        description="Customer claim registration for Slack. "
        "Without a command, runs the bot (HTTP, or Socket Mode when SLACK_APP_TOKEN is set).",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = parser().parse_args(argv)
    handler = getattr(args, "handler", run.handle)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every step at INFO; the operator needs only its warnings.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler announces every job it adds and runs; start-up says what matters in one block.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        return int(asyncio.run(handler(args)) or 0)
    except ConfigError as exc:
        print(f"claimbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
