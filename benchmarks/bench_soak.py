"""Soak: mixed traffic against Claimbot replicas for N minutes while things break, then the
invariants a sales-ops lead cares about.

    PYTHONPATH=. python -m benchmarks.bench_soak [--minutes 10] [--replicas 2] [--concurrency 8]
        # PostgreSQL from CLAIMBOT_TEST_POSTGRES_URL (a fresh database per run)

Traffic (signed requests shaped like Slack's, spread over the replicas like a load balancer):
``/claim`` opens, Enter in the form's name field, submissions (fresh names and names on record),
``/claim check``, ``/claim list``. Faults, on a fixed timetable relative to the run's length:
  database   refused for 8 s (TCP proxy cut), later hung for 6 s (proxy swallows everything)
  Slack      429s on chat.postMessage, 500s on chat.update, views.open and chat.postMessage
             stalled past the client's timeout (the fake's fault queue)
  process    one replica SIGKILLed mid-run and restarted
Invariants printed at the end: share of requests answered within 3 s, 5xx answers (must be 0),
acknowledged claims present (must be all), owners per customer (must be 1), and the verdict DM
of each acknowledged claim delivered once / twice / never.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks.bench_load import SECRET, KeepAliveRequester
from benchmarks.seed import seed_customers
from benchmarks.synthetic import company_names
from bot.fakeslack import validation
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.slackreq import SlackResult
from cards.blocks import escape_mrkdwn
from store.db import Database
from store.migrate import upgrade
from store.models import Claim, OutboxMessage
from tests.databases import fresh_postgres_database
from tests.e2e import processes
from tests.e2e.processes import BotProcess, claimbot_process
from tests.tcpproxy import TcpProxy

WORKSPACE = "T1"
SLACK_WINDOW = 3.0
USERS = [f"U0SOAK{i:04d}" for i in range(60)]


@dataclass
class Tally:
    """What the load generator saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    # Fresh customer names whose submission was answered with the verdict (acknowledged).
    acknowledged: dict[str, str] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)


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


_START = time.monotonic()


def now() -> str:
    return f"t+{time.monotonic() - _START:6.1f}s"


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


async def traffic(
    slack: Balancer, form: dict[str, Any], existing: list[str], fresh: list[str], tally: Tally,
    until: float, seed: int,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    fresh_names = iter(fresh)
    while time.monotonic() < until:
        user = rng.choice(USERS)
        kind = rng.choices(["open", "click", "submit", "check", "list"], [2, 3, 4, 1, 1])[0]
        name = ""
        started = time.monotonic()
        try:
            if kind == "open":
                result = await slack.command("", user=user)
            elif kind == "click":
                result = await slack.block_action(
                    "customer_name", user=user, view=form, value=rng.choice(existing)
                )
            elif kind == "check":
                result = await slack.command(f"check {rng.choice(existing)[:6]}", user=user)
            elif kind == "list":
                result = await slack.command("list", user=user)
            else:
                name = rng.choice(existing) if rng.random() < 0.2 else next(fresh_names)
                view = dict(form) | {"id": f"VSOAK{seed}{len(tally.latencies):07d}"}
                answers = {
                    "customer_name": name,
                    "contact_name": "张三",
                    "phone": f"139{rng.randrange(10**8):08d}",
                    "need_summary": "soak",
                }
                result = await slack.view_submission(view, answers, user=user)
        except (aiohttp.ClientError, TimeoutError) as exc:
            tally.errors[type(exc).__name__] += 1
            tally.kinds[kind] += 1
            continue
        tally.latencies.append(time.monotonic() - started)
        tally.statuses[result.status] += 1
        tally.kinds[kind] += 1
        if kind == "submit" and result.status == 200 and name in fresh:
            with contextlib.suppress(ValueError):
                answer = result.json()
                shown = json.dumps(answer.get("view", {}), ensure_ascii=False)
                if answer.get("response_action") == "update" and any(f in shown for f in FILED):
                    tally.acknowledged[name] = user
                elif os.environ.get("SOAK_DEBUG"):
                    print(str(answer)[:300])
            if os.environ.get("SOAK_DEBUG") and name not in tally.acknowledged:
                print(name, str(result.text)[:200])


async def faults(
    fake: FakeSlack, proxy: TcpProxy, replicas: Replicas, tally: Tally, seconds: float
) -> None:
    """The timetable, as shares of the run."""

    async def at(share: float) -> None:
        await asyncio.sleep(max(0.0, _START + warmup + share * seconds - time.monotonic()))

    warmup = time.monotonic() - _START
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


def verdict_deliveries(
    fake: FakeSlack, acknowledged: dict[str, str]
) -> tuple[Counter[str], list[str]]:
    """For each acknowledged claim, how often its rep got a delivered DM naming the customer;
    and a few of the duplicates, to explain them."""
    sent: dict[str, list[tuple[str, float]]] = {}
    for call in fake.calls:
        if call.method == "chat.postMessage" and call.delivered:
            text = str(call.params.get("text", "")) + str(call.params.get("blocks", ""))
            sent.setdefault(str(call.params.get("channel")), []).append((text, call.received_at))
    outcome: Counter[str] = Counter()
    examples: list[str] = []
    for name, user in acknowledged.items():
        shown = escape_mrkdwn(name)  # as the card prints it
        dms = [
            (text, at)
            for text, at in sent.get(user, [])
            if shown in text and any(f in text for f in FILED)
        ]
        outcome["once" if len(dms) == 1 else "twice+" if len(dms) > 1 else "never"] += 1
        if len(dms) > 1 and len(examples) < 3:
            examples.append(" | ".join(f"{at:.1f}: {text[:90]}" for text, at in dms))
    return outcome, examples


FILED = ("The customer is yours", "报备成功")


async def main(args: argparse.Namespace) -> None:
    # A replica restarted on a loaded machine, under traffic, may take a while to be healthy.
    processes.STARTUP_TIMEOUT = 120.0
    validation.CHECKS_ENABLED = False  # Slack checks payloads on its own CPUs, not the bot's
    fake = FakeSlack()
    await fake.start()
    for i, user in enumerate(USERS):
        fake.add_user(user, name=f"soak{i}", locale="zh-CN" if i % 2 else "en-US")
    tally = Tally()
    work = Path(tempfile.mkdtemp(prefix="claimbot-soak-"))
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
                traffic(slack, form, existing, fresh[i * chunk : (i + 1) * chunk], tally, until, i)
                for i in range(args.concurrency)
            ),
        )
        await asyncio.sleep(args.settle)  # the outbox delivers what the faults held back

        async with db.session() as session_db:
            present = set(
                await session_db.scalars(
                    select(Claim.customer_name).where(Claim.customer_name.in_(tally.acknowledged))
                )
            )
            owners = Counter(
                dict(
                    (
                        await session_db.execute(
                            select(Claim.customer_id, func.count())
                            .where(Claim.status.in_(("pending", "active", "won")))
                            .group_by(Claim.customer_id)
                        )
                    ).all()
                )
            )
            outbox = dict(
                (
                    await session_db.execute(
                        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                    )
                ).all()
            )
        await db.dispose()
        deliveries, duplicates = verdict_deliveries(fake, tally.acknowledged)
    await fake.stop()

    total = len(tally.latencies)
    within = sum(1 for s in tally.latencies if s <= SLACK_WINDOW)
    fivexx = sum(n for status, n in tally.statuses.items() if status >= 500)
    print("\nfaults injected:")
    for line in tally.faults:
        print(f"  {line}")
    print(f"\nrequests: {total} answered ({dict(tally.kinds)}); client errors {dict(tally.errors)}")
    print(f"HTTP statuses: {dict(sorted(tally.statuses.items()))}")
    print(f"answered within 3 s: {within}/{total} = {within / max(total, 1):.4%}")
    print(f"5xx answers: {fivexx} (must be 0)")
    print(f"acknowledged claims present: {len(present)}/{len(tally.acknowledged)} (must be all)")
    multiple = {c: n for c, n in owners.items() if n > 1}
    print(
        f"owners per customer: max {max(owners.values(), default=0)} over {len(owners)} "
        f"held customers; customers with >1 holder: {len(multiple)} (must be 0)"
    )
    print(
        "verdict DM per acknowledged claim: "
        f"once {deliveries['once']}, twice+ {deliveries['twice+']}, never {deliveries['never']}"
    )
    print(f"outbox rows by status at the end: {outbox}")
    for example in duplicates:
        print(f"  duplicate: {example}")


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
