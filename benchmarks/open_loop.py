"""Open-loop load: requests arrive at a fixed rate whether or not earlier ones were answered.

A closed loop (a fixed number in flight) slows its senders down when the server slows down, so
it never shows a queue building up. Slack's users do not wait for each other: at a fixed arrival
rate, a server that cannot keep up shows it as a p99 that grows with the test. Each latency is
measured from the moment the request was due to be sent, so a late sender is not hidden either.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.fakeslack.slackreq import SlackResult

# The p99 an operator sizes replicas by: past it, reps wait visibly.
P99_LIMIT_MS = 1000.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass(frozen=True)
class RateResult:
    rate: float
    sent: int
    p50: float
    p99: float
    failures: int

    @property
    def holds(self) -> bool:
        return self.failures == 0 and self.p99 < P99_LIMIT_MS


async def at_rate(
    rate: float, seconds: float, make: Callable[[int], Awaitable[SlackResult]]
) -> RateResult:
    """Send ``rate`` requests a second for ``seconds``; wait for every answer."""
    count = int(rate * seconds)
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()

    async def one(i: int, due: float) -> None:
        nonlocal failures
        try:
            result = await make(i)
            ok = result.status == 200
        except Exception:
            ok = False
        latencies.append((time.perf_counter() - due) * 1000)
        failures += not ok

    tasks = []
    for i in range(count):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    ordered = sorted(latencies)
    return RateResult(rate, count, ordered[len(ordered) // 2], percentile(ordered, 0.99), failures)


def report(scenario: str, results: list[RateResult]) -> str:
    """One line per rate, and the highest rate whose p99 stayed under the limit."""
    lines = [f"\nopen loop, {scenario}: {'rate/s':>7} {'sent':>6} {'p50 ms':>8} {'p99 ms':>8} fail"]
    for r in results:
        lines.append(
            f"{'':>{len(scenario) + 12}}{r.rate:7.0f} {r.sent:6d} {r.p50:8.1f} {r.p99:8.1f} "
            f"{r.failures:4d}"
        )
    held = [r.rate for r in results if r.holds]
    best = f"{max(held):.0f}/s" if held else f"none of {[int(r.rate) for r in results]}"
    lines.append(f"  highest rate with p99 < {P99_LIMIT_MS:.0f} ms: {best}")
    return "\n".join(lines)
