"""Load: Claimbot (a real ``python -m bot`` process) against the fake Slack, beside a bare
slack-bolt app that only acknowledges, measured in the same run so their ratio tells our overhead.

    python -m benchmarks.bench_load [--customers 100000] [--requests 1000] [--concurrency 50]
                                    [--postgres]   # uses CLAIMBOT_TEST_POSTGRES_URL
                                    [--profile DIR]  # py-spy on the first replica, per scenario
                                    [--replicas N] [--worker]  # N answering, one claimbot worker
                                    [--rates 20 50 100 200 [--seconds 10]]  # open loop

Scenarios (signed requests shaped like Slack's, over keep-alive HTTP):
  open    ``/claim`` — the ack (the modal is opened after it)
  click   Enter in the form's name field — the ack (the live hint follows it)
  submit  the claim form — the full verdict: duplicate check against the existing customers,
          first come first served under the lock, the claim, audit and outbox rows
Targets (issue #15), printed met or not: submit p99 < 150 ms at 50 concurrent on SQLite with
100,000 customers; submit p50 within 3x the bare app; open and click p50 within 2x the bare app.
The machine may be shared: compare the ratios of one run, not figures across runs.
With ``--rates`` the load is open (a fixed arrival rate, see benchmarks/open_loop.py) and the
report is p50/p99 per rate and the highest rate whose p99 stays under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from multidict import CIMultiDict

from benchmarks.open_loop import P99_LIMIT_MS, at_rate, percentile, report
from benchmarks.profiling import py_spy, top
from benchmarks.seed import seed_customers
from benchmarks.synthetic import company_names
from bot.fakeslack.slackreq import SlackRequester, SlackResult, sign
from store.db import Database
from store.migrate import upgrade
from tests.databases import fresh_postgres_database
from tests.e2e import processes
from tests.e2e.processes import BotProcess, claimbot_process, free_port

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WORKSPACE = "T1"


class KeepAliveRequester(SlackRequester):
    """SlackRequester over one shared keep-alive session (a load generator, not a test),
    spreading requests over several replicas' URLs like a load balancer would."""

    session: aiohttp.ClientSession
    replicas: itertools.cycle[str] | None = None

    async def post(self, body: bytes, content_type: str, **_: Any) -> SlackResult:
        timestamp = int(time.time())
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
        }
        url = next(self.replicas) if self.replicas is not None else self.url
        async with self.session.post(url, data=body, headers=headers) as response:
            return SlackResult(
                response.status, CIMultiDict(response.headers), await response.text()
            )


@asynccontextmanager
async def fake_slack_process(users: int) -> AsyncIterator[tuple[str, str]]:
    """``python -m bot.fakeslack``: (its Web API URL, its control URL)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.fakeslack", "--users", str(users),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    base_url, control_url = (await process.stdout.readline()).decode().split()
    try:
        yield f"{base_url}/api/", control_url
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def bare_app(api_url: str, log_dir: Path) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    env = os.environ | {"PORT": str(port), "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api_url}
    with (log_dir / "bare.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.bare_app", env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"{url}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        yield url, process.pid
    finally:
        process.terminate()
        await process.wait()


async def run(
    requests: int, concurrency: int, make: Callable[[int], Awaitable[SlackResult]]
) -> tuple[float, list[float], int]:
    """Fire ``requests`` calls with ``concurrency`` in flight; (seconds, latencies ms, failures)."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))

    async def worker() -> None:
        nonlocal failures
        for i in counter:
            started = time.perf_counter()
            result = await make(i)
            latencies.append((time.perf_counter() - started) * 1000)
            if result.status != 200:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def row(
    label: str, app: str, seconds: float, latencies: list[float], failures: int, cpu: float
) -> dict[str, Any]:
    return {
        # CPU per request, what it started after its ack included: the cost of a request,
        # which a shared machine's load inflates far less than it does latencies.
        "cpu_ms": cpu * 1000 / len(latencies),
        "scenario": label,
        "app": app,
        "n": len(latencies),
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "failures": failures,
    }


SETTLE_SECONDS = 15.0
# A process using less CPU than this share of a core has finished what the scenario started.
IDLE_SHARE = 0.05


def cpu_seconds(pids: Collection[int]) -> float:
    """User and system CPU the processes have used, from /proc (Linux)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


async def settle(pids: Collection[int] = ()) -> None:
    """Let the bot finish what each request started after its ack (a modal to open, a hint to
    show), so that one scenario's tail is not measured as the next one's latency, and so that
    its CPU is counted in the scenario's cost: until the processes are idle (or 15 s without
    ``pids``)."""
    if not pids:
        await asyncio.sleep(SETTLE_SECONDS)
        return
    for _ in range(300):
        before = cpu_seconds(pids)
        await asyncio.sleep(1.0)
        if cpu_seconds(pids) - before < IDLE_SHARE:
            return


Make = Callable[[int], Awaitable[SlackResult]]


def requests_for(
    app: str,
    slack: KeepAliveRequester,
    users: list[str],
    form: Mapping[str, Any],
    existing: list[str],
    count: int,
    offset: int,
) -> dict[str, Make]:
    """Each scenario's i-th request; ``offset`` keeps submissions of different runs apart."""
    fresh = company_names(count, seed=offset)

    def submit(i: int) -> Awaitable[SlackResult]:
        # Two in ten submissions name a customer on record (collisions or its free claim).
        name = existing[i] if i % 10 < 2 else fresh[i]
        view = dict(form) | {"id": f"V{app.upper()}{offset}{i:07d}"}
        answers = {
            "customer_name": name,
            "contact_name": "张三",
            "phone": f"138{(offset * 100_000 + i) % 100_000_000:08d}",
            "need_summary": "benchmark",
        }
        return slack.view_submission(view, answers, user=users[i % len(users)])

    return {
        "open": lambda i: slack.command("", user=users[i % len(users)]),
        "click": lambda i: slack.block_action(
            "customer_name",
            user=users[i % len(users)],
            view=form,
            value=existing[i % len(existing)],
        ),
        "submit": submit,
    }


async def scenarios(
    app: str,
    requests: dict[str, Make],
    args: argparse.Namespace,
    pids: Collection[int],
    profile_pid: int | None = None,
) -> list[dict[str, Any]]:
    """The closed loop: ``args.requests`` of each scenario, ``args.concurrency`` in flight;
    ``pids`` are the app's processes, whose CPU is counted."""
    results = []
    for label in [s for s in ("open", "click", "submit") if s in args.scenarios]:
        await settle(pids)
        cpu_before = cpu_seconds(pids)
        async with AsyncExitStack() as stack:
            if profile_pid is not None:
                collapsed = args.profile / f"{label}.txt"
                await stack.enter_async_context(py_spy(profile_pid, collapsed))
            seconds, lat, fail = await run(args.requests, args.concurrency, requests[label])
            await settle(pids)
        results.append(row(label, app, seconds, lat, fail, cpu_seconds(pids) - cpu_before))
        if profile_pid is not None:
            print(f"\nprofile of {app} under {label} ({collapsed}):\n{top(collapsed)}")
    return results


async def open_loop(
    requests: Callable[[int], dict[str, Make]], args: argparse.Namespace, pids: Collection[int]
) -> None:
    """Each scenario at each of ``args.rates`` for ``args.seconds``; stops raising the rate of a
    scenario once its p99 is past ten times the limit (the queue only grows from there)."""
    for label in [s for s in ("open", "click", "submit") if s in args.scenarios]:
        results = []
        for n, rate in enumerate(args.rates):
            results.append(await at_rate(rate, args.seconds, requests(10 + n)[label]))
            await settle(pids)
            if results[-1].p99 > 10 * P99_LIMIT_MS:
                break
        print(report(label, results), flush=True)


async def main(args: argparse.Namespace) -> None:
    # Building the name index of 100,000 customers takes seconds, more on a busy machine.
    processes.STARTUP_TIMEOUT = 300.0
    async with AsyncExitStack() as stack:
        # The fake Slack runs in a process of its own, as Slack's servers would: its work must
        # not slow the load generator down, or the generator would be what gets measured.
        api_url, control_url = await stack.enter_async_context(fake_slack_process(200))
        users = [f"U0LOAD{i:04d}" for i in range(200)]
        work = Path(tempfile.mkdtemp(prefix="claimbot-load-"))
        if args.postgres:
            database_url = await stack.enter_async_context(fresh_postgres_database())
        else:
            database_url = f"sqlite+aiosqlite:///{work}/claimbot.db"
        db = Database(database_url)
        await upgrade(db)
        existing = await seed_customers(db, WORKSPACE, args.customers)
        await db.dispose()

        # With --worker the replicas only answer Slack and one worker does the background work.
        background = {"CLAIMBOT_BACKGROUND": "off"} if args.worker else {}
        bots: list[BotProcess] = [
            await stack.enter_async_context(
                claimbot_process(
                    api_url=api_url,
                    database_url=database_url,
                    log_dir=work,
                    name=f"bot{n}",
                    env=background,
                )
            )
            for n in range(args.replicas)
        ]
        pids = [b.process.pid for b in bots]
        if args.worker:
            worker = await stack.enter_async_context(
                claimbot_process(
                    api_url=api_url,
                    database_url=database_url,
                    log_dir=work,
                    name="worker",
                    command=["worker"],
                )
            )
            pids.append(worker.process.pid)
        bare_url, bare_pid = await stack.enter_async_context(bare_app(api_url, work))
        session = await stack.enter_async_context(
            aiohttp.ClientSession(
                # The open loop must not queue in the client: as many connections as it needs.
                connector=aiohttp.TCPConnector(limit=0 if args.rates else args.concurrency)
            )
        )

        ours = KeepAliveRequester(bots[0].url, SECRET)
        ours.replicas = itertools.cycle([f"{b.url}/slack/events" for b in bots])
        bare = KeepAliveRequester(bare_url, SECRET)
        ours.session = bare.session = session
        await ours.command("", user=users[0])
        await asyncio.sleep(0.5)
        async with session.get(f"{control_url}/test/latest_view") as response:
            form = await response.json()

        print(
            f"\n{args.customers:,} customers on record, {args.requests} requests per scenario, "
            f"{args.concurrency} concurrent, {'PostgreSQL' if args.postgres else 'SQLite'}, "
            f"{args.replicas} claimbot replica(s)"
            f"{' answering only, beside claimbot worker' if args.worker else ''}"
        )
        # Warm both apps (connections, caches, the users' profiles) before measuring.
        for requester in (ours, bare):

            def warm(i: int, r: SlackRequester = requester) -> Awaitable[SlackResult]:
                return r.command("help", user=users[i % 200])

            await run(200, args.concurrency, warm)

        def ours_for(offset: int, count: int) -> dict[str, Make]:
            return requests_for("claimbot", ours, users, form, existing, count, offset)

        if args.rates:
            size = int(max(args.rates) * args.seconds)
            await open_loop(lambda offset: ours_for(offset, size), args, pids)
            return
        bare_requests = requests_for("bare", bare, users, form, existing, args.requests, 1)
        results = await scenarios("bare", bare_requests, args, [bare_pid])
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
        results += await scenarios(
            "claimbot",
            ours_for(2, args.requests),
            args,
            pids,
            profile_pid=bots[0].process.pid if args.profile is not None else None,
        )
    print_results(results, args)


def print_results(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """The table, the ratios to the bare app, and each target: met or not."""
    print(
        f"\n{'scenario':8} {'app':9} {'n':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'fail':>5}"
        f" {'CPU ms/req':>10}"
    )
    for r in results:
        print(
            f"{r['scenario']:8} {r['app']:9} {r['n']:5d} {r['rps']:8.0f} {r['p50']:8.1f} "
            f"{r['p99']:8.1f} {r['failures']:5d} {r['cpu_ms']:10.2f}"
        )
    print("\nclaimbot / bare (same run: the machine's load is the same for both):")
    ours = {r["scenario"]: r for r in results if r["app"] == "claimbot"}
    bare = {r["scenario"]: r for r in results if r["app"] == "bare"}
    for scenario in ours:
        c, b = ours[scenario], bare[scenario]
        print(
            f"  {scenario:7} p50 x{c['p50'] / b['p50']:.2f}   p99 x{c['p99'] / b['p99']:.2f}   "
            f"CPU x{c['cpu_ms'] / b['cpu_ms']:.2f}"
        )
    print("\ntargets:")
    standard = args.concurrency == 50 and not args.postgres and args.customers == 100_000
    for met, target in targets(ours, bare):
        print(f"  {'met    ' if met else 'NOT MET'}  {target}")
    if not standard:
        print("  (the p99 target is set for 50 concurrent, SQLite, 100,000 customers)")


def targets(
    ours: Mapping[str, Mapping[str, Any]], bare: Mapping[str, Mapping[str, Any]]
) -> list[tuple[bool, str]]:
    """Issue #15's targets, each with the figure it was judged on."""
    found: list[tuple[bool, str]] = []
    if "submit" in ours:
        c, b = ours["submit"], bare["submit"]
        found.append((c["p99"] < 150, f"submit p99 < 150 ms: {c['p99']:.0f} ms"))
        found.append(
            (
                c["p50"] <= 3 * b["p50"],
                f"submit p50 within 3x the bare app: x{c['p50'] / b['p50']:.2f}",
            )
        )
    for scenario in ("open", "click"):
        if scenario in ours:
            c, b = ours[scenario], bare[scenario]
            found.append(
                (
                    c["p50"] <= 2 * b["p50"],
                    f"{scenario} p50 within 2x the bare app: x{c['p50'] / b['p50']:.2f}",
                )
            )
    failures = sum(r["failures"] for r in ours.values())
    found.append((failures == 0, f"no failed request: {failures} failed"))
    return found


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--profile", type=Path, help="sample the (first) bot with py-spy into DIR, per scenario"
    )
    parser.add_argument("--replicas", type=int, default=1, help="claimbot processes (PostgreSQL)")
    parser.add_argument(
        "--worker",
        action="store_true",
        help="replicas with CLAIMBOT_BACKGROUND=off beside one claimbot worker",
    )
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        help="open loop instead: claimbot alone at these arrival rates (requests/s), e.g. 20 50 100 200",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="open loop: seconds per rate")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=["open", "click", "submit"],
        default=["open", "click", "submit"],
    )
    args = parser.parse_args()
    if args.replicas > 1 and not args.postgres:
        parser.error("--replicas > 1 needs --postgres (SQLite serves one process)")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
