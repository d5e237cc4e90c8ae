"""Merging two customer records of the same company, end to end: ``/claim merge`` with its
preview and confirmation, both records held — the earlier claim keeps the customer, the other
ends "merged" and may be disputed — and the duplicate check finds the survivor by either record.

Teams (tests/e2e/approvals_support.py): East — managers Mei (zh) and Wei, members Alice and Bo
(zh); South — manager Li, member Carol. Ada is an admin.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.fakeslack.reading import action_ids, text_of
from store.models import Claim, Customer
from tests.e2e.approvals_support import LI, audit_actions, claim, dm_saying, start
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory

CHINESE = {"customer_name": "上海艾克美机器人有限公司", "contact_name": "王五",
           "phone": "021 5555 0101", "need_summary": "20 welding robots"}  # fmt: skip
ENGLISH = {"customer_name": "Acme Robotics Shanghai Co., Ltd.", "contact_name": "Wang Wu",
           "phone": "021 5555 0199", "need_summary": "welding robots"}  # fmt: skip


async def file_active(bot: Bot, answers: dict[str, Any], *, user: str) -> int:
    answer = await bot.file_claim(answers, user=user)
    assert "protected" in text_of(answer["view"]) or "保护" in text_of(answer["view"])
    async with bot.rt.db.session() as session:
        found = await session.scalar(
            select(Claim.id).where(Claim.owner_id == user).order_by(Claim.id.desc()).limit(1)
        )
    assert found is not None
    return int(found)


async def test_merging_two_held_records_keeps_the_earlier_claim_and_the_other_may_dispute(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    first = await file_active(bot, CHINESE, user=ALICE)
    bot.clock.advance(timedelta(hours=3))
    second = await file_active(bot, ENGLISH, user=CAROL)
    survivor, duplicate = (
        (await claim(bot, first)).customer_id,
        (await claim(bot, second)).customer_id,
    )
    assert survivor != duplicate  # the duplicate check did not see they are one company

    text = f'merge "{CHINESE["customer_name"]}" #{second}'
    refused = dict((await bot.command(text, user=MEI)).json())
    assert "只有管理员" in text_of(refused)
    shown = dict((await bot.command(text, user=ADA)).json())
    said = text_of(shown)
    assert "Merge *Acme Robotics Shanghai Co., Ltd.* into *上海艾克美机器人有限公司*" in said
    assert f"<@{ALICE}> filed first and keeps the customer" in said
    assert (await claim(bot, second)).status == "active"  # a preview changes nothing

    message = {"blocks": shown["blocks"], "text": shown["text"], "ts": "1700000000.000200"}
    bot.checked(
        await bot.slack.block_action("merge_confirm", user=ADA, message=message, channel="C0SALES")
    )
    [done] = await bot.fake.wait_for_responses(1, name="action merge_confirm")
    assert "is merged into" in text_of(done.body)

    kept, ended = await claim(bot, first), await claim(bot, second)
    assert (kept.status, kept.customer_id) == ("active", survivor)
    assert (ended.status, ended.end_reason, ended.customer_id) == ("released", "merged", survivor)
    async with bot.rt.db.session() as session:
        assert await session.get(Customer, duplicate) is None
    [event] = await audit_actions(bot, "customer.merged")
    assert (event.actor_id, event.data["ended_owner_id"], event.data["keeper_id"]) == (
        ADA,
        CAROL,
        ALICE,
    )

    told = await dm_saying(bot, CAROL, "was merged into")
    assert "dispute_open" in action_ids(told)
    assert "dispute_open" not in action_ids(await dm_saying(bot, ALICE, "was merged into"))
    await dm_saying(bot, MEI, "已合并")
    await dm_saying(bot, LI, "was merged into")
    # Either record's identifiers now find the survivor, held by Alice.
    for phone in (CHINESE["phone"], ENGLISH["phone"]):
        answer = await bot.file_claim(ENGLISH | {"phone": phone}, user=BO)
        assert f"<@{ALICE}>" in text_of(answer["view"]), phone
    # Merging again finds the duplicate gone.
    bot.checked(
        await bot.slack.block_action("merge_confirm", user=ADA, message=message, channel="C0SALES")
    )
    responses = await bot.fake.wait_for_responses(2, name="action merge_confirm")
    assert "no longer exists" in text_of(responses[-1].body)
