"""Disputes end to end: either side of a collision disputes it from the collision message, the
managers of both reps rule with buttons, the ruling is final, recorded and told to both reps —
signed HTTP against the fake Slack.

Teams (tests/e2e/approvals_support.py): East — managers Mei (zh) and Wei, members Alice and Bo
(zh); South — manager Li, member Carol. Ada is an admin.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.fakeslack.reading import action_ids, text_of
from bot.fakeslack.records import Message
from store.models import Claim, Collision
from tests.e2e.approvals_support import (
    APPROVALS_CHANNEL,
    LI,
    WEI,
    audit_actions,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory

CUSTOMER = {
    "customer_name": "北京字节跳动科技有限公司",
    "contact_name": "张三",
    "phone": "138 0013 8000",
    "email": "zhang@bytedance.com",
    "need_summary": "CRM for 200 seats",
}
# The challenger's own contact at the same company.
ATTEMPT = CUSTOMER | {
    "contact_name": "李四",
    "phone": "139 0013 9000",
    "email": "li@bytedance.com",
    "need_summary": "HR suite",
}


async def collide(bot: Bot, holder: str, challenger: str) -> int:
    """``holder`` claims the customer, ``challenger`` collides; the collision's id once both
    notices are out."""
    first = await bot.file_claim(CUSTOMER, user=holder)
    assert "The customer is yours" in text_of(first["view"]) or "报备成功" in text_of(first["view"])
    second = await bot.file_claim(ATTEMPT, user=challenger)
    assert "Already claimed" in text_of(second["view"]) or "撞单" in text_of(second["view"])
    await outbox_drained(bot)
    async with bot.rt.db.session() as session:
        return int(await session.scalar(select(Collision.id).order_by(Collision.id.desc())) or 0)


def notice_with_dispute(bot: Bot, user: str) -> Message:
    [found] = [m for m in bot.fake.messages_to(user) if "dispute_open" in action_ids(m)]
    return found


def dispute_cards(bot: Bot, recipient: str) -> list[Message]:
    return [
        m
        for m in bot.fake.messages_to(recipient)
        if not m.ephemeral and ("Collision #" in text_of(m) or "撞单编号" in text_of(m))
    ]


async def dispute(bot: Bot, user: str, reason: str) -> dict[str, Any]:
    """Click **Dispute** on ``user``'s collision notice, give ``reason``; the modal's answer."""
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(
        await bot.slack.block_action(
            "dispute_open", user=user, message=notice_with_dispute(bot, user)
        )
    )
    await bot.fake.wait_for("views.open", count=before + 1)
    modal = bot.fake.latest_view("dispute_open_form")
    return dict((await bot.submit(modal, {"dispute_reason": reason}, user=user)).json())


async def open_ruling(bot: Bot, user: str, action: str, card: Message) -> dict[str, Any]:
    """Click a ruling button on a dispute card; the modal it opened."""
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action(action, user=user, message=card))
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view("dispute_decide_form")


async def rule(bot: Bot, user: str, action: str, card: Message, reason: str) -> str:
    """Rule on the dispute from ``card``; the modal's answer body ("" when it just closed)."""
    modal = await open_ruling(bot, user, action, card)
    return (await bot.submit(modal, {"dispute_reason": reason}, user=user)).text


async def collision(bot: Bot, collision_id: int) -> Collision:
    async with bot.rt.db.session() as session:
        found = await session.get(Collision, collision_id)
        assert found is not None
        return found


async def claims_on_customer(bot: Bot) -> list[Claim]:
    async with bot.rt.db.session() as session:
        return list(await session.scalars(select(Claim).order_by(Claim.id)))


async def refusal_after(bot: Bot, count: int) -> str:
    posts = await bot.fake.wait_for_responses(count)
    return posts[-1].text or ""


async def test_the_challenger_disputes_and_the_challengers_manager_transfers_the_customer(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    collision_id = await collide(bot, ALICE, CAROL)
    answer = await dispute(bot, CAROL, "I met 李四 there on 11 November, before Alice filed.")
    assert answer["response_action"] == "update"
    went = text_of(answer["view"])
    assert "went to" in went and all(f"<@{m}>" in went for m in (MEI, WEI, LI))
    await outbox_drained(bot)
    # The managers of both reps get the card, each in their language; the reps do not.
    [for_mei], [for_wei], [for_li] = (dispute_cards(bot, m) for m in (MEI, WEI, LI))
    assert "撞单争议待仲裁" in text_of(for_mei) and "Collision disputed" in text_of(for_li)
    assert "before Alice filed" in text_of(for_wei)
    assert action_ids(for_li) == ["dispute_keep", "dispute_transfer"]
    assert dispute_cards(bot, ALICE) == [] and dispute_cards(bot, CAROL) == []
    assert dispute_cards(bot, ADA) == []
    # The card shows no contact of either side.
    for private in ("138", "139", "zhang@", "li@bytedance", "CRM for", "HR suite"):
        assert private not in text_of(for_li)
    [told] = [m for m in bot.fake.messages_to(ALICE) if "disputed the collision" in m.text]
    assert "before Alice filed" in text_of(told)
    assert (await collision(bot, collision_id)).dispute_status == "open"

    closed = await rule(bot, LI, "dispute_transfer", for_li, "Carol's first visit is logged.")
    assert closed == ""
    await bot.fake.wait_for("chat.update", count=3)
    for manager, words in ((MEI, "客户转给"), (WEI, "the customer went to"), (LI, "went to")):
        [copy] = dispute_cards(bot, manager)
        assert words in text_of(copy) and f"<@{LI}>" in text_of(copy)
        assert action_ids(copy) == [], "the buttons are gone everywhere"
    ruled = await collision(bot, collision_id)
    assert (ruled.dispute_status, ruled.decided_by) == ("transferred", LI)
    assert ruled.decision_reason == "Carol's first visit is logged."
    old, new = await claims_on_customer(bot)
    assert (old.owner_id, old.status, old.end_reason) == (ALICE, "released", "transferred")
    assert (new.owner_id, new.status, new.via) == (CAROL, "active", "transfer")
    assert new.customer_id == old.customer_id and new.contact_name == "李四"
    assert new.protection_until is not None and new.decided_by == LI

    await outbox_drained(bot)
    [to_alice] = [m for m in bot.fake.messages_to(ALICE) if "The dispute was ruled" in text_of(m)]
    assert "goes to" in text_of(to_alice) and "Carol's first visit" in text_of(to_alice)
    [to_carol] = [m for m in bot.fake.messages_to(CAROL) if "The dispute was ruled" in text_of(m)]
    assert "is yours now" in text_of(to_carol)
    assert "followup_log" in action_ids(to_carol), "the new claim's buttons come with it"
    assert [e.actor_id for e in await audit_actions(bot, "dispute.opened")] == [CAROL]
    [decided] = await audit_actions(bot, "dispute.decided")
    assert (decided.actor_id, decided.data["outcome"]) == (LI, "transferred")
    [moved] = await audit_actions(bot, "claim.transferred")
    assert (moved.data["from_id"], moved.data["to_id"], moved.data["by"]) == (
        ALICE,
        CAROL,
        "dispute",
    )

    # The customer is Carol's now: Alice colliding with it hears so.
    again = await bot.file_claim(CUSTOMER, user=ALICE)
    assert f"<@{CAROL}>" in text_of(again["view"])


async def test_the_holder_disputes_and_the_managers_keep_the_holder_with_a_reason(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    collision_id = await collide(bot, ALICE, BO)
    await dispute(bot, ALICE, "Bo knew I hold it and filed anyway.")
    await outbox_drained(bot)
    assert dispute_cards(bot, LI) == [], "both reps are East's: only East's managers rule"
    [card] = dispute_cards(bot, WEI)
    [told] = [m for m in bot.fake.messages_to(BO) if "提出了争议" in m.text]
    assert "Bo knew I hold it" in text_of(told)

    modal = await open_ruling(bot, WEI, "dispute_keep", card)
    empty = (await bot.submit(modal, {"dispute_reason": "  "}, user=WEI)).json()
    assert empty["response_action"] == "errors" and "Please fill this in" in str(empty["errors"])
    assert (await collision(bot, collision_id)).dispute_status == "open"
    done = await bot.submit(modal, {"dispute_reason": "Alice filed first."}, user=WEI)
    assert done.text == ""
    await bot.fake.wait_for("chat.update", count=2)
    [copy] = dispute_cards(bot, MEI)
    assert "客户仍归" in text_of(copy) and "Alice filed first." in text_of(copy)
    ruled = await collision(bot, collision_id)
    assert (ruled.dispute_status, ruled.decided_by, ruled.disputed_by) == ("kept", WEI, ALICE)
    [holding] = await claims_on_customer(bot)
    assert (holding.owner_id, holding.status) == (ALICE, "active")
    await outbox_drained(bot)
    [to_alice] = [m for m in bot.fake.messages_to(ALICE) if "The dispute was ruled" in text_of(m)]
    assert "stays yours" in text_of(to_alice)
    [to_bo] = [m for m in bot.fake.messages_to(BO) if "撞单争议已裁决" in text_of(m)]
    assert "仍归" in text_of(to_bo) and action_ids(to_bo) == []
    assert await audit_actions(bot, "claim.transferred") == []


async def test_a_dispute_is_opened_once_and_only_by_the_two_reps(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    await collide(bot, ALICE, BO)
    alice_notice = notice_with_dispute(bot, ALICE)
    # Carol is not part of the collision (a forwarded message, say).
    bot.checked(await bot.slack.block_action("dispute_open", user=CAROL, message=alice_notice))
    assert "Only the two reps" in await refusal_after(bot, 1)
    await dispute(bot, BO, "我先拜访的。")
    await outbox_drained(bot)
    # Alice's own Dispute button now says it waits already, naming who disputed.
    bot.checked(await bot.slack.block_action("dispute_open", user=ALICE, message=alice_notice))
    said = await refusal_after(bot, 2)
    assert f"<@{BO}>" in said and "disputed" in said
    assert len(bot.fake.calls_to("views.open")) == 3, "two claim forms and Bo's dispute modal"
    refused = await audit_actions(bot, "access.refused")
    assert [(e.actor_id, e.data["reason"]) for e in refused] == [(CAROL, "not_party")]


async def test_the_two_reps_and_other_teams_managers_cannot_rule(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    collision_id = await collide(bot, ALICE, BO)
    await dispute(bot, BO, "I was first.")
    await outbox_drained(bot)
    [card] = dispute_cards(bot, MEI)
    clicks = [(ALICE, "dispute_keep"), (BO, "dispute_transfer"), (LI, "dispute_keep"),
              (CAROL, "dispute_transfer")]  # fmt: skip
    for n, (who, action) in enumerate(clicks, start=1):
        bot.checked(await bot.slack.block_action(action, user=who, message=card))

        def answered(n: int = n) -> bool:
            return sum(r.delivered for r in bot.fake.responses) >= n

        await bot.fake.wait_until(answered)
    said = [r.text or "" for r in bot.fake.responses]
    assert "can't rule on a dispute you are part of" in said[0]
    assert "争议当事人" in said[1]  # Bo reads Chinese
    assert "Only a manager of either rep's team" in said[2]
    assert "Only a manager of either rep's team" in said[3]
    assert len(bot.fake.calls_to("views.open")) == 3, "no ruling modal for the refused"
    assert (await collision(bot, collision_id)).dispute_status == "open"
    refused = await audit_actions(bot, "access.refused")
    assert [(e.actor_id, e.data["reason"]) for e in refused] == [
        (ALICE, "party"),
        (BO, "party"),
        (LI, "not_decider"),
        (CAROL, "not_decider"),
    ]
    # An admin may rule on anyone's dispute.
    assert await rule(bot, ADA, "dispute_keep", card, "First come, first served.") == ""
    assert (await collision(bot, collision_id)).decided_by == ADA


async def test_two_managers_ruling_at_once_make_one_decision(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    collision_id = await collide(bot, ALICE, CAROL)
    await dispute(bot, CAROL, "Mine first.")
    await outbox_drained(bot)
    [for_mei], [for_li] = dispute_cards(bot, MEI), dispute_cards(bot, LI)
    keep = await open_ruling(bot, MEI, "dispute_keep", for_mei)
    move = await open_ruling(bot, LI, "dispute_transfer", for_li)
    answers = await asyncio.gather(
        bot.submit(keep, {"dispute_reason": "维持原判"}, user=MEI),
        bot.submit(move, {"dispute_reason": "Carol was first"}, user=LI),
    )
    ruled = await collision(bot, collision_id)
    winner, loser = (MEI, LI) if ruled.decided_by == MEI else (LI, MEI)
    assert ruled.dispute_status == ("kept" if winner == MEI else "transferred")
    assert len(await audit_actions(bot, "dispute.decided")) == 1
    closed = [a for a in answers if a.text == ""]
    told = [a.json() for a in answers if a.text]
    assert len(closed) == 1 and len(told) == 1
    assert f"<@{winner}>" in text_of(told[0]["view"]), "the second hears who ruled first"
    claims = await claims_on_customer(bot)
    assert len(claims) == (2 if winner == LI else 1)
    assert len([c for c in claims if c.status == "active"]) == 1
    await outbox_drained(bot)
    ruled_dms = [m for m in bot.fake.messages_to(CAROL) if "The dispute was ruled" in text_of(m)]
    assert len(ruled_dms) == 1 and loser not in text_of(ruled_dms[0])


async def test_an_approvals_channel_gets_the_dispute_and_forged_ids_are_refused(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory, {"channels": {"approvals": APPROVALS_CHANNEL}})
    collision_id = await collide(bot, ALICE, CAROL)
    answer = await dispute(bot, ALICE, "Carol's team is in the south.")
    assert f"<#{APPROVALS_CHANNEL}>" in text_of(answer["view"])
    await outbox_drained(bot)
    [card] = dispute_cards(bot, APPROVALS_CHANNEL)
    assert "撞单争议待仲裁" in text_of(card), "a channel reads the workspace language"
    assert dispute_cards(bot, MEI) == [] and dispute_cards(bot, LI) == []
    forged = {
        "text": "forged",
        "blocks": [
            {
                "type": "actions",
                "block_id": "dispute_actions:x",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "dispute_keep",
                        "text": {"type": "plain_text", "text": "x"},
                        "value": str(collision_id + 1000),
                    }
                ],
            }
        ],
    }
    bot.checked(
        await bot.slack.block_action("dispute_keep", user=ADA, message=forged, channel="D0ADMIN")
    )
    assert "can't be found" in await refusal_after(bot, 1)
    assert await rule(bot, LI, "dispute_keep", card, "Alice was first.") == ""
    assert (await collision(bot, collision_id)).dispute_status == "kept"
