"""Soak: mixed traffic against Claimbot replicas for N minutes while things break, then the
invariants a sales-ops lead cares about.

    PYTHONPATH=. python -m benchmarks.bench_soak [--minutes 10] [--replicas 2] [--concurrency 8]
        # PostgreSQL from CLAIMBOT_TEST_POSTGRES_URL (a fresh database per run)

Traffic (signed requests shaped like Slack's, spread over the replicas like a load balancer):
``/claim`` opens, Enter in the form's name field, submissions (fresh names and names on record,
some with a deal size that needs a manager), ``/claim check``, ``/claim list``, managers approving
or rejecting (with a reason, in the modal) the cards in their DMs, and reps logging follow-ups
through the button on their verdict DM and the follow-up modal. Faults, on a fixed timetable relative to the run's length:
  database   refused for 8 s (TCP proxy cut), later hung for 6 s (proxy swallows everything)
  Slack      429s on chat.postMessage, 500s on chat.update, views.open and chat.postMessage
             stalled past the client's timeout (the fake's fault queue)
  process    one replica SIGKILLed mid-run and restarted
Invariants printed at the end: share of requests answered within 3 s, 5xx answers (must be 0),
acknowledged claims and follow-ups present (must be all), owners per customer (must be 1), and
notices delivered once / twice / never: every outbox row by the posts that carry its id (DMs and
channels apart, see ``benchmarks/soak_counts.py``), the verdict of each acknowledged claim and the
decision on each claim a manager decided, with the repeats explained.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks import soak_counts
from benchmarks.bench_load import SECRET, KeepAliveRequester
from benchmarks.seed import seed_customers
from benchmarks.soak_traffic import (
    MANAGERS,
    RULES,
    SLACK_WINDOW,
    START,
    USERS,
    Tally,
    now,
    traffic,
)
from benchmarks.synthetic import company_names
from bot.fakeslack import validation
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackResult
from store.db import Database
from store.migrate import upgrade
from store.models import Claim, FollowUp, OutboxMessage
from tests.databases import fresh_postgres_database
from tests.e2e import processes
from tests.e2e.processes import BotProcess, claimbot_process
from tests.tcpproxy import TcpProxy

WORKSPACE = "T1"


class Replicas:
    """Claimbot processes behind a round-robin "load balancer"; one can be killed and restarted."""

    def __init__(self, api_url: str, database_url: str, work: Path) -> None:
        self.api_url, self.database_url, self.work = api_url, database_url, work
        self.running: list[tuple[BotProcess, AsyncExitStack]] = []
        self._generation = itertools.count()

    async def start(self) -> None:
        stack = AsyncExitStack()
        bot = await stack.enter_async_context(
            claimbot_process(
                api_url=self.api_url,
                database_url=self.database_url,
                log_dir=self.work,
                name=f"bot{next(self._generation)}",
                env={"LOG_LEVEL": "WARNING"},
            )
        )
        self.running.append((bot, stack))

    def urls(self) -> list[str]:
        return [f"{bot.url}/slack/events" for bot, _ in self.running]

    async def kill_and_restart(self, tally: Tally) -> None:
        bot, stack = self.running.pop(0)
        os.kill(bot.process.pid, signal.SIGKILL)
        tally.faults.append(f"{now()} SIGKILL replica pid {bot.process.pid}")
        with contextlib.suppress(ProcessLookupError, OSError):
            await stack.aclose()
        await self.start()
        tally.faults.append(f"{now()} replica restarted at {self.running[-1][0].url}")

    async def stop(self) -> None:
        for _, stack in self.running:
            with contextlib.suppress(ProcessLookupError, OSError):
                await stack.aclose()


class Balancer(KeepAliveRequester):
    """Round robin over whatever replicas are running now."""

    replicas_of: Replicas
    _turn = 0

    async def post(self, body: bytes, content_type: str, **forge: Any) -> SlackResult:
        urls = self.replicas_of.urls()
        self._turn += 1
        self.url = urls[self._turn % len(urls)]
        self.replicas = None
        return await super().post(body, content_type, **forge)


async def faults(
    fake: FakeSlack, proxy: TcpProxy, replicas: Replicas, tally: Tally, seconds: float
) -> None:
    """The timetable, as shares of the run."""

    async def at(share: float) -> None:
        await asyncio.sleep(max(0.0, START + warmup + share * seconds - time.monotonic()))

    warmup = time.monotonic() - START
    await at(0.10)
    fake.inject("chat.postMessage", status=429, retry_after=1, times=5)
    fake.inject("chat.update", status=500, times=5)
    tally.faults.append(f"{now()} Slack: 5 x 429 chat.postMessage, 5 x 500 chat.update")
    await at(0.20)
    proxy.cut()
    tally.faults.append(f"{now()} database refused (proxy cut) for 8 s")
    await asyncio.sleep(8)
    proxy.restore()
    tally.faults.append(f"{now()} database back")
    await at(0.35)
    fake.inject("views.open", stall=12, times=2)
    fake.inject("chat.postMessage", stall=12, times=2)
    tally.faults.append(f"{now()} Slack: views.open and chat.postMessage stalled 12 s (x2 each)")
    await at(0.50)
    await replicas.kill_and_restart(tally)
    await at(0.65)
    proxy.hang()
    tally.faults.append(f"{now()} database hung (accepts, never answers) for 6 s")
    await asyncio.sleep(6)
    proxy.restore()
    tally.faults.append(f"{now()} database back")
    await at(0.80)
    fake.inject("chat.postMessage", status=500, times=5)
    fake.inject("views.open", status=429, retry_after=1, times=3)
    tally.faults.append(f"{now()} Slack: 5 x 500 chat.postMessage, 3 x 429 views.open")


@asynccontextmanager
async def proxied(url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    await proxy.start()
    try:
        yield (
            parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
            proxy,
        )
    finally:
        await proxy.stop()


async def main(args: argparse.Namespace) -> None:
    # A replica restarted on a loaded machine, under traffic, may take a while to be healthy.
    processes.STARTUP_TIMEOUT = 120.0
    validation.CHECKS_ENABLED = False  # Slack checks payloads on its own CPUs, not the bot's
    fake = FakeSlack()
    await fake.start()
    for i, user in enumerate(USERS + MANAGERS):
        fake.add_user(user, name=f"soak{i}", locale="zh-CN" if i % 2 else "en-US")
    tally = Tally()
    work = Path(tempfile.mkdtemp(prefix="claimbot-soak-"))
    # The replicas run in ``work`` and read its claimbot.yaml (JSON is YAML).
    (work / "claimbot.yaml").write_text(json.dumps(RULES), encoding="utf-8")
    async with AsyncExitStack() as stack:
        direct_url = await stack.enter_async_context(fresh_postgres_database())
        db = Database(direct_url)
        await upgrade(db)
        existing = await seed_customers(db, WORKSPACE, args.customers)
        url, proxy = await stack.enter_async_context(proxied(direct_url))
        replicas = Replicas(fake.api_url, url, work)
        for _ in range(args.replicas):
            await replicas.start()
        stack.push_async_callback(replicas.stop)
        session = await stack.enter_async_context(
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        )
        slack = Balancer(replicas.urls()[0], SECRET, fake=fake)
        slack.replicas_of, slack.session = replicas, session
        await slack.command("", user=USERS[0])
        await fake.wait_for("views.open")
        form = fake.latest_view()

        seconds = args.minutes * 60
        print(
            f"soak: {args.minutes} min, {args.replicas} replicas on PostgreSQL, "
            f"{args.concurrency} concurrent, {args.customers:,} customers on record; logs in {work}",
            flush=True,
        )
        fresh = company_names(40_000 * args.concurrency // 8, seed=7)
        until = time.monotonic() + seconds
        chunk = len(fresh) // args.concurrency
        await asyncio.gather(
            faults(fake, proxy, replicas, tally, seconds),
            *(
                traffic(
                    slack, fake, form, existing, fresh[i * chunk : (i + 1) * chunk], tally, until, i
                )
                for i in range(args.concurrency)
            ),
        )
        await asyncio.sleep(args.settle)  # the outbox delivers what the faults held back

        async with db.session() as session_db:
            present, owners, decided, followups, undelivered, outbox = await what_was_kept(
                session_db, tally
            )
        await db.dispose()
    await fake.stop()
    report(tally, fake, present, owners, decided, followups, undelivered, outbox)


async def what_was_kept(session: Any, tally: Tally) -> tuple[
    set[str], Counter[int], dict[str, str], int, dict[int, str], dict[str, int]
]:  # fmt: skip
    """From the database after the run: acknowledged claims present, holders per customer,
    claims a manager decided (customer → rep), acknowledged follow-ups present, outbox rows not
    sent (id → recipient), outbox rows by status."""
    acknowledged = [*tally.acknowledged, *tally.pending, *tally.in_line]
    present = set(
        await session.scalars(
            select(Claim.customer_name).where(Claim.customer_name.in_(acknowledged))
        )
    )
    owners: Counter[int] = Counter(
        dict(
            (
                await session.execute(
                    select(Claim.customer_id, func.count())
                    .where(Claim.status.in_(("pending", "active", "won")))
                    .group_by(Claim.customer_id)
                )
            ).all()
        )
    )
    decided = dict(
        (
            await session.execute(
                select(Claim.customer_name, Claim.owner_id).where(
                    Claim.decided_by.in_(MANAGERS), Claim.decision.in_(("approved", "rejected"))
                )
            )
        ).all()
    )
    followups = await session.scalar(
        select(func.count(FollowUp.id)).where(FollowUp.summary.in_(tally.followups))
    )
    undelivered = dict(
        (
            await session.execute(
                select(OutboxMessage.id, OutboxMessage.recipient).where(
                    OutboxMessage.status != "sent"
                )
            )
        ).all()
    )
    outbox = dict(
        (
            await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        ).all()
    )
    return present, owners, decided, int(followups or 0), undelivered, outbox


def report(
    tally: Tally, fake: FakeSlack, present: set[str], owners: Counter[int],
    decided: dict[str, str], followups: int, undelivered: dict[int, str], outbox: dict[str, int],
) -> None:  # fmt: skip
    total = len(tally.latencies)
    within = sum(1 for s in tally.latencies if s <= SLACK_WINDOW)
    fivexx = sum(n for status, n in tally.statuses.items() if status >= 500)
    print("\nfaults injected:")
    for line in tally.faults:
        print(f"  {line}")
    print(f"\nrequests: {total} answered ({dict(tally.kinds)}); client errors {dict(tally.errors)}")
    print(f"nothing to act on yet (no live card / no verdict DM): {dict(tally.idle)}")
    print(f"HTTP statuses: {dict(sorted(tally.statuses.items()))}; not 200: {dict(tally.not_ok)}")
    print(
        f"answered within 3 s: {within}/{total} = {within / max(total, 1):.4%}; late: {dict(tally.late)}"
    )
    print(f"5xx answers: {fivexx} (must be 0)")
    acknowledged = len(tally.acknowledged) + len(tally.pending) + len(tally.in_line)
    answered = {"yours": tally.acknowledged, "waiting": tally.pending, "in line": tally.in_line}
    missing = {how: len(set(names) - present) for how, names in answered.items()}
    print(
        f"acknowledged claims present: {len(present)}/{acknowledged} (must be all; answered "
        + ", ".join(f"'{how}' {len(names)}" for how, names in answered.items())
        + f"; missing by answer: {missing})"
    )
    print(f"acknowledged follow-ups present: {followups}/{len(tally.followups)} (must be all)")
    multiple = {c: n for c, n in owners.items() if n > 1}
    print(
        f"owners per customer: max {max(owners.values(), default=0)} over {len(owners)} "
        f"held customers; customers with >1 holder: {len(multiple)} (must be 0)"
    )
    verdicts = soak_counts.by_meaning(fake, tally.acknowledged, soak_counts.FILED)
    decisions = soak_counts.by_meaning(fake, decided, soak_counts.DECIDED)
    rows = soak_counts.by_outbox_row(fake, undelivered)
    print("notices delivered:")
    print(f"  verdict DM per acknowledged claim: {verdicts.line()}")
    print(f"  decision DM per claim a manager decided ({len(decided)}): {decisions.line()}")
    for where, counted in rows.items():
        print(
            f"  outbox rows sent to a {where}, by delivered posts carrying the row: {counted.line()}"
        )
    print(f"outbox rows by status at the end: {outbox}")
    for counted in (verdicts, decisions, *rows.values()):
        for example in counted.examples:
            print(f"  repeat: {example}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--settle", type=float, default=30, help="seconds to let outboxes drain")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
