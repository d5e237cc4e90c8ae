"""Delivery end to end: every reminder arrives exactly once — through Slack's 429s and 500s, when
the sweep runs twice, from two processes at once, and from two replicas sharing PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from store.models import OutboxMessage
from tests.databases import database_of, fresh_postgres_database, sqlite_url
from tests.e2e.conftest import ALICE, BO, CAROL, START, Bot, BotFactory
from tests.e2e.processes import claimbot_sweep, sweep_env
from tests.lifecycle.support import (
    ACME,
    DAY,
    claims,
    delivered,
    dms,
    outbox,
    sweep,
    team_rules,
)

REPS = (ALICE, BO, CAROL)
REMINDER = {"en": "Time to follow up", "zh": "该跟进了"}


def reminders(bot: Bot, user: str) -> int:
    return sum(len(dms(bot, user, text)) for text in REMINDER.values())


async def file_three_claims(bot: Bot) -> None:
    for i, rep in enumerate(REPS):
        answer = await bot.file_claim(
            ACME
            | {
                "customer_name": f"{'甲乙丙'[i]}方科技（苏州）有限公司",
                "phone": f"0512-6666 {1000 + i}",
            },
            user=rep,
        )
        assert answer["response_action"] == "update"


async def test_rate_limits_and_server_errors_delay_reminders_but_never_lose_or_repeat_them(
    bot: Bot,
) -> None:
    await file_three_claims(bot)
    await delivered(bot)
    bot.fake.inject("chat.postMessage", status=429, retry_after=30)
    bot.fake.inject("chat.postMessage", status=500, times=2)

    await sweep(bot, 7 * DAY)
    await delivered(bot)  # every attempt made (by this drain or the bot's own worker)
    faulted = [c for c in bot.fake.calls_to("chat.postMessage") if c.fault]
    assert [c.fault for c in faulted] == ["429", "500", "500"], (
        "no in-call retries: the outbox retries"
    )
    waiting = await outbox(bot, lambda r: r.status == "pending")
    assert len(waiting) == 3 and all(r.last_error for r in waiting)
    limited = next(r for r in waiting if "ratelimited" in (r.last_error or ""))
    assert limited.next_attempt_at == bot.clock.now() + timedelta(seconds=30), "Retry-After"

    # 29 s later the server errors have been retried (backoff ≤ 6 s); the rate-limited one waits.
    bot.clock.advance(timedelta(seconds=29))
    await delivered(bot)
    assert sum(reminders(bot, rep) for rep in REPS) == 2
    bot.clock.advance(timedelta(seconds=1))
    await delivered(bot)
    assert [reminders(bot, rep) for rep in REPS] == [1, 1, 1]
    assert all(r.status == "sent" for r in await outbox(bot))

    # Another pass, and another drain, change nothing.
    await sweep(bot)
    await delivered(bot)
    assert [reminders(bot, rep) for rep in REPS] == [1, 1, 1]


async def test_a_notice_that_keeps_failing_is_kept_with_its_error(bot: Bot) -> None:
    await file_three_claims(bot)
    await delivered(bot)
    bot.fake.inject("chat.postMessage", error="account_inactive", times=3)
    await sweep(bot, 7 * DAY)
    await delivered(bot)
    failed = await outbox(bot, lambda r: r.status == "failed")
    assert {(r.kind, r.last_error) for r in failed} == {("lifecycle.overdue", "account_inactive")}
    assert len(failed) == 3


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_sweep_run_twice_and_from_two_processes_at_once_sends_each_dm_once(
    bot_factory: BotFactory, tmp_path: Path, kind: str
) -> None:
    async with database_of(kind, tmp_path) as url:
        bot = await bot_factory(database_url=url)
        await file_three_claims(bot)
        await delivered(bot)
        at = (START + 8 * DAY).isoformat()
        env = sweep_env(bot.fake.api_url, url)

        first, second = await asyncio.gather(
            claimbot_sweep(tmp_path, env, "--at", at), claimbot_sweep(tmp_path, env, "--at", at)
        )
        assert (first[0], second[0]) == (0, 0), first[1] + second[1]
        third = await claimbot_sweep(tmp_path, env, "--at", at)
        assert third[0] == 0, third[1]

        assert [reminders(bot, rep) for rep in REPS] == [1, 1, 1]
        written = sum(int("lifecycle.overdue" in out) for _, out in (first, second, third))
        assert written >= 1
        assert "did notify: none" in third[1], third[1]
        async with bot.rt.db.session() as session:
            rows = (await session.scalars(select(OutboxMessage))).all()
        assert len([r for r in rows if r.kind == "lifecycle.overdue"]) == 3


@pytest.mark.slow
async def test_claimbot_sweep_dry_run_prints_and_changes_nothing(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path, "dry.db")
    bot = await bot_factory(database_url=url)
    await file_three_claims(bot)
    await delivered(bot)
    env = sweep_env(bot.fake.api_url, url)
    before = len(await outbox(bot))

    code, output = await claimbot_sweep(
        tmp_path, env, "--at", (START + 15 * DAY).isoformat(), "--dry-run"
    )
    assert code == 0, output
    assert len([line for line in output.splitlines() if line.startswith("would reclaim ")]) == 3
    assert "(dry run)" in output
    assert len(await outbox(bot)) == before
    assert {c.status for c in await claims(bot)} == {"active"}

    code, output = await claimbot_sweep(tmp_path, env, "--at", "next tuesday")
    assert code == 2 and "--at must be an ISO-8601 date-time" in output


@pytest.mark.slow
@pytest.mark.postgres
async def test_two_replicas_on_one_postgres_elect_one_sweeper_and_send_each_dm_once(
    bot_factory: BotFactory,
) -> None:
    async with fresh_postgres_database() as url:
        a = await bot_factory(database_url=url, rules=team_rules())
        b = await bot_factory(database_url=url, rules=team_rules())
        await file_three_claims(a)
        await delivered(a)
        for replica in (a, b):
            replica.clock.advance(7 * DAY)

        reports = await asyncio.gather(
            a.rt.lifecycle.scheduler.tick(), b.rt.lifecycle.scheduler.tick()
        )
        assert sum(r is not None for r in reports) == 1, "one leader"
        roles = {await health_role(r) for r in (a, b)}
        assert roles == {"leader", "follower"}
        await asyncio.gather(a.rt.outbox.drain(), b.rt.outbox.drain())
        await delivered(a)
        assert [reminders(a, rep) for rep in REPS] == [1, 1, 1]

        # The leader stops; the other takes over at its next tick and finds nothing new to send.
        leader, follower = (a, b) if reports[0] is not None else (b, a)
        await leader.server.stop()
        report = await follower.rt.lifecycle.scheduler.tick()
        assert report is not None and report.notices_written == 0
        assert await health_role(follower) == "leader"
        await delivered(follower)
        assert [reminders(follower, rep) for rep in REPS] == [1, 1, 1]


async def health_role(bot: Bot) -> str:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        return str((await response.json())["scheduler"]["role"])
