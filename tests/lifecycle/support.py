"""Helpers for the lifecycle tests: rules with a team, a pool channel and an admin; moving the
clock and running the sweep as the running bot does; finding what people were sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from bot.fakeslack.reading import text_of
from bot.fakeslack.records import Message
from bot.lifecycle.report import SweepReport
from bot.rules import Rules
from store.models import Claim, Customer, OutboxMessage
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot

POOL = "C0POOL0001"
DAY = timedelta(days=1)

ACME = {
    "customer_name": "上海艾克美机器人有限公司",
    "contact_name": "王五",
    "phone": "021-5555 0101",
    "need_summary": "20 welding robots",
}


def team_rules(**overrides: Any) -> Rules:
    """East team: Mei manages Alice and Bo; Carol is in no team; Ada is the admin."""
    data: dict[str, Any] = {
        "admins": [ADA],
        "teams": [{"name": "East", "managers": [MEI], "members": [ALICE, BO]}],
        "channels": {"pool": POOL},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Rules.model_validate(data)


async def sweep(bot: Bot, advance: timedelta | None = None) -> SweepReport:
    """Move the clock, then run the pass exactly as the scheduler's job does."""
    if advance:
        bot.clock.advance(advance)
    report = await bot.rt.lifecycle.scheduler.tick()
    assert report is not None, "this bot should lead the sweep"
    return report


async def delivered(bot: Bot) -> None:
    """Send everything the outbox holds that is due at the bot's clock, and wait until nothing
    due is left in flight (the bot's own background worker may be sending some of it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        await bot.rt.outbox.drain()
        left = await outbox(bot, partial(_due, now=bot.clock.now()))
        if not left:
            return
        assert loop.time() < deadline, f"outbox rows stuck: {[(r.kind, r.recipient) for r in left]}"
        # Not moving time: giving the background worker a moment to mark what it leased.
        await asyncio.sleep(0.02)


def _due(row: OutboxMessage, now: datetime) -> bool:
    return row.status == "pending" and row.next_attempt_at <= now


def dms(bot: Bot, user: str, containing: str = "") -> list[Message]:
    """The bot's messages in its DM with ``user`` that contain ``containing``."""
    return [m for m in bot.fake.messages_to(user) if containing in text_of(m)]


async def wait_dm(bot: Bot, user: str, containing: str, count: int = 1) -> list[Message]:
    """Wait until ``user`` has ``count`` DMs containing ``containing``."""
    await bot.fake.wait_until(
        lambda: len(dms(bot, user, containing)) >= count, what=f"{count} DM(s) {containing!r}"
    )
    return dms(bot, user, containing)


async def claims(bot: Bot) -> list[Claim]:
    async with bot.rt.db.session() as session:
        return list(await session.scalars(select(Claim).order_by(Claim.id)))


async def claim(bot: Bot, claim_id: int) -> Claim:
    async with bot.rt.db.session() as session:
        found = await session.get(Claim, claim_id)
    assert found is not None
    return found


async def customer(bot: Bot, customer_id: int) -> Customer:
    async with bot.rt.db.session() as session:
        found = await session.get(Customer, customer_id)
    assert found is not None
    return found


async def outbox(
    bot: Bot, predicate: Callable[[OutboxMessage], bool] = lambda _: True
) -> list[OutboxMessage]:
    async with bot.rt.db.session() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [r for r in rows if predicate(r)]


__all__ = ["ADA", "ALICE", "BO", "CAROL", "MEI"]
