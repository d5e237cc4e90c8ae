"""Start-up and memory at a million customers: the time from starting ``python -m bot`` to its
first answered request, and the process's resident memory then and after some load.

    python -m benchmarks.bench_startup [--customers 1000000] [--postgres] [--db PATH]

``--db PATH`` keeps the seeded SQLite file at PATH and reuses it on the next run (seeding a
million customers takes minutes). The first request is ``/claim check`` of a name on record: its
answer needs the duplicate check's name index, which is built at start. Targets (issue #15):
RSS at 1,000,000 customers <= 1 GB; first answer within 15 s of start.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import signal
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp

from benchmarks.bench_load import SECRET, WORKSPACE, KeepAliveRequester, fake_slack_process
from benchmarks.seed import seed_customers
from benchmarks.synthetic import company_names
from bot.fakeslack.reading import text_of
from bot.fakeslack.slackreq import SlackResult
from store.db import Database
from store.migrate import upgrade
from tests.databases import fresh_postgres_database
from tests.e2e.processes import free_port

RSS_TARGET_MB = 1024
FIRST_ANSWER_TARGET_SECONDS = 15.0
# How long to wait for a first answer before giving up (a busy machine takes far longer).
ANSWER_WAIT_SECONDS = 600.0


def is_check_answer(answer: SlackResult, name: str) -> bool:
    """Whether ``answer`` is ``/claim check``'s real reply about ``name``: while the index is
    still building, the bot answers 200 too, but with "try again in a moment", which names no
    customer."""
    if answer.status != 200 or not answer.text:
        return False
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and name[:12] in html.unescape(text_of(body))


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def database(stack: AsyncExitStack, args: argparse.Namespace) -> tuple[str, list[str]]:
    """The database URL, seeded with ``args.customers`` (or reused), and some names on record."""
    names = company_names(min(args.customers, 1000))
    if args.postgres:
        url = await stack.enter_async_context(fresh_postgres_database())
    else:
        path = args.db or Path(tempfile.mkdtemp(prefix="claimbot-startup-")) / "claimbot.db"
        url = f"sqlite+aiosqlite:///{path}"
        # Written once seeding has finished: a file without it was cut short.
        seeded = path.with_name(f"{path.name}.seeded-{args.customers}")
        if seeded.exists():
            print(f"reusing {path}")
            return url, names
        path.unlink(missing_ok=True)
    db = Database(url)
    await upgrade(db)
    await seed_customers(db, WORKSPACE, args.customers)
    await db.dispose()
    if not args.postgres:
        seeded.touch()
    return url, names


async def main(args: argparse.Namespace) -> None:
    async with AsyncExitStack() as stack:
        api_url, _control = await stack.enter_async_context(fake_slack_process(10))
        database_url, names = await database(stack, args)
        port = free_port()
        env = os.environ | {
            "SLACK_BOT_TOKEN": "xoxb-startup",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        log = Path(tempfile.mkdtemp(prefix="claimbot-startup-")) / "bot.log"
        started = time.perf_counter()
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", env=env, stdout=output, stderr=output
            )
        try:
            session = await stack.enter_async_context(aiohttp.ClientSession())
            slack = KeepAliveRequester(f"http://127.0.0.1:{port}", SECRET)
            slack.session = session
            first_answer = None
            while time.perf_counter() - started < ANSWER_WAIT_SECONDS:
                if process.returncode is not None:
                    raise SystemExit(f"claimbot exited; see {log}")
                try:
                    answer = await slack.command(f"check {names[0]}", user="U0LOAD0000")
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
                    continue
                if is_check_answer(answer, names[0]):
                    first_answer = time.perf_counter() - started
                    break
                await asyncio.sleep(0.05)
            if first_answer is None:
                raise SystemExit(f"no answer within {ANSWER_WAIT_SECONDS:.0f} s; see {log}")
            rss_first, _ = memory_mb(process.pid)
            for name in names[:200]:
                await slack.command(f"check {name}", user="U0LOAD0001")
            rss_after, peak = memory_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()

    print(f"\n{args.customers:,} customers, {'PostgreSQL' if args.postgres else 'SQLite'}")
    print(f"  first answer {first_answer:.1f} s after start")
    print(f"  RSS at first answer {rss_first:.0f} MB; after 200 checks {rss_after:.0f} MB")
    print(f"  peak RSS {peak:.0f} MB")
    print("targets:")
    for met, text in (
        (first_answer <= FIRST_ANSWER_TARGET_SECONDS,
         f"first answer within {FIRST_ANSWER_TARGET_SECONDS:.0f} s: {first_answer:.1f} s"),
        (peak <= RSS_TARGET_MB, f"RSS <= {RSS_TARGET_MB} MB (peak): {peak:.0f} MB"),
    ):  # fmt: skip
        print(f"  {'met    ' if met else 'NOT MET'}  {text}")
    print(f"(bot log: {log})")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--db", type=Path, help="SQLite file to keep (reused when it exists)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
