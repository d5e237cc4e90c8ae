"""``claimbot sweep [--at ISO-8601] [--dry-run] [--no-send]``: one reminder/reclaim/escalation
pass as if the clock read ``--at`` (default: now), then the notices due at that moment are sent.

It prints what it did — or, with ``--dry-run``, what it would do, writing nothing — and exits.
Running it while the bot runs is safe: every notice is written once whoever writes it, and the
outbox hands each to one sender. Without a bot it can run from cron instead of the scheduler.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cli.common import open_runtime
from bot.clock import FixedClock, SystemClock
from bot.settings import ConfigError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser(
        "sweep",
        help="run one reminder/reclaim/escalation pass and print what it did",
        description="Run one pass of the sweep — overdue follow-ups, reclaim warnings, reclaims "
        "to the public pool, approvals waiting too long — as if the clock read --at, then send "
        "the notices due at that moment.",
    )
    sub.add_argument(
        "--at",
        metavar="ISO-8601",
        help="the moment to sweep at, e.g. 2026-12-01T09:00+08:00 "
        "(without an offset: the rules' time zone); default now",
    )
    sub.add_argument(
        "--dry-run", action="store_true", help="print what would be done; change and send nothing"
    )
    sub.add_argument(
        "--no-send",
        action="store_true",
        help="leave the notices in the outbox for the running bot to send",
    )
    sub.set_defaults(handler=handle)


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """``--at``: an ISO-8601 date or date-time; naive values are in ``zone``."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--at must be an ISO-8601 date-time such as 2026-12-01T09:00+08:00, not {text!r}."
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


async def handle(args: argparse.Namespace) -> int:
    clock = FixedClock(SystemClock().now())
    rt = await open_runtime(clock=clock, create=False)
    try:
        if args.at:
            clock.set(parse_moment(args.at, rt.rules.zone))
        report = await rt.lifecycle.sweeper.run(clock.now(), dry_run=args.dry_run)
        for line in report.lines:
            print(line)
        if report.omitted_lines:
            print(f"… and {report.omitted_lines} more")
        print(report.summary())
        if args.dry_run or args.no_send:
            return 0
        if not rt.settings.bot_token:
            print("not sending: SLACK_BOT_TOKEN is not set; the running bot will send them.")
            return 0
        drained = await rt.outbox.drain()
        print(
            f"outbox: {drained.sent} sent, {drained.deferred} held for working hours, "
            f"{drained.retried} to retry, {drained.failed} failed"
        )
        return 1 if drained.failed else 0
    finally:
        await rt.close()
