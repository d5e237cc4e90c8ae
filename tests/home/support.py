"""What the Home tests share: opening a Home over HTTP, waiting for its refreshes, reading it, and
a big team written straight into the store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.fakeslack.records import Call
from store.db import Database
from store.models import Claim, ClaimStatus, Customer, Team
from tests.e2e.conftest import Bot

WS = "T1"


def publishes(bot: Bot, user: str) -> list[Call]:
    """Every delivered views.publish of ``user``'s Home."""
    return [
        c
        for c in bot.fake.calls_to("views.publish", delivered=True)
        if c.params.get("user_id") == user
    ]


async def next_home(bot: Bot, user: str, after: int) -> dict[str, Any]:
    """Wait for ``user``'s Home to be published more than ``after`` times; the Home as shown."""
    await bot.fake.wait_until(
        lambda: len(publishes(bot, user)) > after,
        what=f"home of {user} published more than {after} time(s)",
    )
    home = bot.fake.home_view(user)
    assert home is not None
    return home


async def home_until(
    bot: Bot, user: str, check: Callable[[dict[str, Any]], bool], what: str = "a change"
) -> dict[str, Any]:
    """Wait until ``user``'s Home, as last published, passes ``check``; that Home."""

    def shown() -> bool:
        home = bot.fake.home_view(user)
        return home is not None and check(home)

    await bot.fake.wait_until(shown, what=f"the Home of {user} to show {what}")
    home = bot.fake.home_view(user)
    assert home is not None
    return home


async def open_home(bot: Bot, user: str) -> dict[str, Any]:
    """The user opens the Home tab; the Home the app publishes."""
    before = len(publishes(bot, user))
    bot.checked(await bot.slack.app_home_opened(user))
    return await next_home(bot, user, before)


async def click(
    bot: Bot, user: str, action_id: str, *, value: object = None, block_id: str | None = None
) -> None:
    """Click ``action_id`` on the user's Home as it is shown now."""
    home = bot.fake.home_view(user)
    assert home is not None, "no Home published yet"
    bot.checked(
        await bot.slack.block_action(
            action_id, user=user, view=home, value=value, block_id=block_id
        )
    )


def sections(view: dict[str, Any]) -> list[str]:
    """The text of each section, in order."""
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b.get("text")]


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    """(action_id, value) of every button, in order."""
    return [
        (e["action_id"], str(e.get("value")))
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


def block_ids(view: dict[str, Any]) -> list[str]:
    return [str(b.get("block_id")) for b in view["blocks"]]


async def swept_at_start(bot: Bot) -> None:
    """Wait for the pass the bot runs when it starts, so that claims written into the store
    afterwards are not swept behind the test's back."""
    scheduler = bot.rt.lifecycle.scheduler
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while scheduler.last_pass is None:  # nothing announces the pass: poll
        assert loop.time() < deadline, "the start-up sweep did not run"
        await asyncio.sleep(0.01)


async def team_id(bot: Bot, name: str) -> int:
    """The id of a team of the rules file (seeded as the first request would)."""
    await bot.rt.directory.ensure_seeded(WS)
    async with bot.rt.db.session() as session:
        found = await session.scalar(select(Team.id).where(Team.name == name))
    assert found is not None
    return int(found)


async def many_claims(
    db: Database,
    *,
    owner: str,
    team: int | None,
    count: int,
    start: datetime,
    status: ClaimStatus = ClaimStatus.ACTIVE,
    prefix: str = "Customer",
    step: timedelta = timedelta(hours=1),
) -> list[int]:
    """``count`` claims of ``owner`` written straight into the store (a big team in seconds),
    approved at ``start``, ``start + step``, …; pending ones wait since then."""
    ids = []
    async with db.session() as session:
        for n in range(count):
            at = start + n * step
            name = f"{prefix} {owner[-2:]} {n:04d}"
            customer = Customer(workspace_id=WS, name=name, name_key=name.lower(), created_at=at)
            session.add(customer)
            await session.flush()
            active = status is ClaimStatus.ACTIVE
            claim = Claim(
                workspace_id=WS,
                customer_id=customer.id,
                owner_id=owner,
                team_id=team,
                status=status.value,
                via="form",
                submission_key=f"bulk:{name}",
                submitted_at=at,
                customer_name=name,
                decided_at=at if active else None,
                decided_by="system" if active else None,
                decision="auto" if active else None,
                protection_until=at + timedelta(days=90) if active else None,
                last_activity_at=at if active else None,
                rules_fired={"rules": ["deal_size"]} if not active else {},
            )
            session.add(claim)
            await session.flush()
            ids.append(claim.id)
    return ids
