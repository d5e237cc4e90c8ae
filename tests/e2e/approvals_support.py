"""What the approval and role tests share: teams, users, and ways to wait for and find cards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, select

from bot.fakeslack.reading import action_ids, text_of
from bot.fakeslack.records import Message
from bot.rules import Rules
from store.models import AuditEvent, Claim, OutboxMessage
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory

WEI = "U0MANAGER3"  # a second manager of East (en)
LI = "U0MANAGER2"  # manages South (en)
APPROVALS_CHANNEL = "C0APPROVALS"

TEAMS: dict[str, Any] = {
    "teams": [
        {"name": "East", "region": "east", "managers": [MEI, WEI], "members": [ALICE, BO]},
        {"name": "South", "region": "south", "managers": [LI], "members": [CAROL]},
    ]
}

BIG_DEAL = {
    "customer_name": "北京字节跳动科技有限公司",
    "contact_name": "张三",
    "phone": "138 0013 8000",
    "email": "zhang@bytedance.com",
    "need_summary": "CRM for 200 seats",
    "deal_size": "500万",
}


async def start(bot_factory: BotFactory, rules: dict[str, Any] | None = None, **env: Any) -> Bot:
    """A bot with East and South (and whatever ``rules`` add), ADA an admin by environment."""
    bot = await bot_factory(rules=Rules.model_validate(TEAMS | (rules or {})), admins=(ADA,), **env)
    bot.fake.add_user(WEI, name="wei", locale="en-US")
    bot.fake.add_user(LI, name="li", locale="en-US")
    return bot


def cards_to(bot: Bot, recipient: str) -> list[Message]:
    """Approval cards posted to a user's DM or a channel."""
    return [m for m in bot.fake.messages_to(recipient) if not m.ephemeral and _is_card(m)]


def _is_card(message: Message) -> bool:
    # The key fields (contact, phone, …) are a section of fields only the approval card has.
    return any(b.get("type") == "section" and b.get("fields") for b in message.blocks)


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll ``check`` (a database read, which no event announces) until it holds, for 5 s."""
    try:
        async with asyncio.timeout(5.0):
            # Nothing announces a database change, so poll it.
            while not await check():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def outbox_drained(bot: Bot) -> None:
    """Wait until every notification was sent (and where each card landed is recorded)."""

    async def drained() -> bool:
        async with bot.rt.db.session() as session:
            pending = await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
            )
        return pending == 0

    await eventually(drained, "the outbox to drain")


async def file_pending(bot: Bot, user: str, **fields: object) -> int:
    """File a claim that waits for a manager; returns its id once its cards are out."""
    answer = await bot.file_claim(BIG_DEAL | fields, user=user)
    assert "Waiting for a manager" in text_of(answer["view"]) or "待主管审批" in text_of(
        answer["view"]
    ), text_of(answer["view"])
    await outbox_drained(bot)
    async with bot.rt.db.session() as session:
        return int(
            await session.scalar(
                select(Claim.id).where(Claim.owner_id == user).order_by(Claim.id.desc()).limit(1)
            )
            or 0
        )


async def claim(bot: Bot, claim_id: int) -> Claim:
    async with bot.rt.db.session() as session:
        found = await session.get(Claim, claim_id)
        assert found is not None
        return found


async def audit_actions(bot: Bot, action: str) -> list[AuditEvent]:
    async with bot.rt.db.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return list(rows)


async def dm_saying(bot: Bot, user: str, words: str) -> Message:
    """The one message to ``user`` saying ``words``, once the outbox sent it (within 60 s)."""
    async with asyncio.timeout(60):
        # The fake records messages as they come; nothing announces one to wait on.
        while True:
            found = [m for m in bot.fake.messages_to(user) if words in m.text]
            if found:
                assert len(found) == 1, found
                return found[0]
            await asyncio.sleep(0.05)


async def answer_form(bot: Bot, question: str, *, opened: int = 1) -> dict[str, Any]:
    """Wei asks Alice ``question`` on her pending claim's card; Alice opens the answer form
    (``opened``: the modals opened before)."""
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_ask", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=opened + 1)
    asked = bot.fake.latest_view("approval_ask_form")
    await bot.submit(asked, {"approval_question": question}, user=WEI)
    await outbox_drained(bot)
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "approval_answer" in action_ids(m)]
    bot.checked(await bot.slack.block_action("approval_answer", user=ALICE, message=dm))
    await bot.fake.wait_for("views.open", count=opened + 2)
    return bot.fake.latest_view("approval_answer_form")
