"""Corrections after filing, end to end over signed HTTP against the fake Slack: the owner's
withdrawal, and edits from ``/claim edit``, from **Edit** on the claim's message and from the
Home — with the duplicate check run again on changed identifiers.

Teams (tests/e2e/approvals_support.py): East — managers Mei (zh) and Wei, members Alice and Bo
(zh); South — manager Li, member Carol. Ada is an admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.fakeslack.reading import action_ids, text_of
from store.models import Claim, Customer
from tests.e2e.approvals_support import (
    BIG_DEAL,
    LI,
    WEI,
    answer_form,
    audit_actions,
    cards_to,
    claim,
    dm_saying,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ALICE, BO, CAROL, MEI, Bot, BotFactory

ACME = "上海艾克美机器人有限公司"
SMALL = {"customer_name": ACME, "contact_name": "王五", "phone": "021 5555 0101",
         "need_summary": "20 welding robots"}  # fmt: skip
OTHER = {"customer_name": "杭州远航物流有限公司", "contact_name": "赵六",
         "phone": "0571 8888 0202", "need_summary": "fleet tracking"}  # fmt: skip


async def ask(bot: Bot, text: str, *, user: str) -> str:
    """``/claim text`` and its answer: the acknowledgement's, or the response_url post's."""
    name = f"/claim {text}"
    before = len([r for r in bot.fake.responses if r.name == name and r.delivered])
    result = await bot.command(text, user=user)
    if result.text:
        return text_of(dict(result.json()))
    posts = await bot.fake.wait_for_responses(before + 1, name=name)
    return text_of(posts[-1].body)


async def file_active(bot: Bot, answers: Mapping[str, object], *, user: str) -> int:
    answer = await bot.file_claim(answers, user=user)
    assert "protected" in text_of(answer["view"]) or "保护" in text_of(answer["view"]), text_of(
        answer["view"]
    )
    async with bot.rt.db.session() as session:
        found = await session.scalar(
            select(Claim.id).where(Claim.owner_id == user).order_by(Claim.id.desc()).limit(1)
        )
    assert found is not None
    return int(found)


async def history(bot: Bot, query: str, *, user: str) -> str:
    return await ask(bot, f"history {query}", user=user)


# -- withdraw ------------------------------------------------------------------------------------


async def test_the_owner_withdraws_a_pending_claim_and_its_approvers_are_told(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, MEI)

    assert "只有报备人本人" in await ask(bot, f"withdraw #{claim_id} mine now", user=BO)
    assert "Only the rep who filed" in await ask(bot, f"withdraw #{claim_id} no", user=WEI)
    assert "Give a reason" in await ask(bot, f"withdraw #{claim_id}", user=ALICE)
    assert (await claim(bot, claim_id)).status == "pending"

    said = await ask(bot, f"withdraw #{claim_id} The customer chose a partner", user=ALICE)
    assert "You withdrew your claim" in said
    withdrawn = await claim(bot, claim_id)
    assert (withdrawn.status, withdrawn.end_reason) == ("released", "withdrawn")
    [event] = await audit_actions(bot, "claim.withdrawn")
    assert (event.actor_id, event.data["was"], event.data["reason"]) == (
        ALICE,
        "pending",
        "The customer chose a partner",
    )
    told_mei = await dm_saying(bot, MEI, "撤回")
    assert "The customer chose a partner" in text_of(told_mei)
    await dm_saying(bot, WEI, "withdrew their pending claim")
    # The approval cards lose their buttons.
    await bot.fake.wait_for("chat.update", count=2, timeout=30)
    [card] = cards_to(bot, MEI)
    assert action_ids(card) == []
    # Nothing left to withdraw.
    assert "nothing left to change" in await ask(bot, f"withdraw #{claim_id} again", user=ALICE)
    # The customer is free at once, for Alice too (no cool-down after a withdrawal).
    again = await bot.file_claim(BIG_DEAL, user=ALICE)
    assert "Waiting for a manager" in text_of(again["view"])


async def test_a_withdrawn_active_claim_frees_the_customer_without_the_pool(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory, {"channels": {"pool": "C0POOL0001"}})
    claim_id = await file_active(bot, SMALL, user=ALICE)
    said = await ask(bot, f'withdraw "{ACME}" Wrong company, I meant its parent', user=ALICE)
    assert "You withdrew your claim" in said
    async with bot.rt.db.session() as session:
        customer = await session.scalar(select(Customer).where(Customer.name == ACME))
    assert customer is not None and customer.pooled_at is None
    await outbox_drained(bot)
    assert not [m for m in bot.fake.messages_to("C0POOL0001") if ACME in m.text]
    timeline = await history(bot, f"#{claim_id}", user=ALICE)
    assert "withdrew the claim" in timeline and "Wrong company" in timeline
    # Carol may claim it straight away.
    await file_active(bot, SMALL, user=CAROL)


# -- edit ----------------------------------------------------------------------------------------


async def open_edit(bot: Bot, text: str, *, user: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    await bot.command(f"edit {text}", user=user)
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view()


async def click_edit(bot: Bot, *, user: str, **where: Any) -> dict[str, Any]:
    """**Edit** clicked, and the modal it opened."""
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("claim_edit", user=user, **where))
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view()


def initial(view: dict[str, Any], block_id: str) -> Any:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element = block["element"]
    return element.get("initial_value") or element.get("initial_option", {}).get("value")


async def test_the_owner_edits_a_claim_with_field_errors_and_a_collision_refused(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    claim_id = await file_active(bot, SMALL, user=ALICE)
    await file_active(bot, OTHER, user=CAROL)

    form = await open_edit(bot, ACME, user=ALICE)
    assert form["callback_id"] == "claim_edit_form"
    assert (initial(form, "customer_name"), initial(form, "contact_name")) == (ACME, "王五")
    assert initial(form, "phone") == "+862155550101"

    # Errors are shown on their fields, and nothing is written.
    bad = (await bot.submit(form, {"email": "not an e-mail"}, user=ALICE)).json()
    assert bad["response_action"] == "errors" and list(bad["errors"]) == ["email"]
    # An edit making the customer Carol's is refused, naming her, and nothing is written.
    taken = (await bot.submit(form, {"phone": "0571 8888 0202", "contact_name": "钱七"},
                              user=ALICE)).json()  # fmt: skip
    assert taken["response_action"] == "errors"
    assert f"<@{CAROL}>" in taken["errors"]["customer_name"]
    unchanged = await claim(bot, claim_id)
    assert (unchanged.phone, unchanged.contact_name, unchanged.version) == (
        "+862155550101",
        "王五",
        1,
    )

    done = (await bot.submit(form, {"phone": "021 5555 0199", "contact_name": "钱七",
                                    "deal_size": "30万"}, user=ALICE)).json()  # fmt: skip
    assert done["response_action"] == "update"
    assert "corrected" in text_of(done["view"]) and "钱七" in text_of(done["view"])
    edited = await claim(bot, claim_id)
    assert (edited.phone, edited.contact_name, edited.status) == ("+862155550199", "钱七", "active")
    [event] = await audit_actions(bot, "claim.edited")
    assert event.data["changes"]["contact_name"] == ["王五", "钱七"]
    assert event.data["changes"]["phone"] == ["+862155550101", "+862155550199"]
    timeline = await history(bot, f"#{claim_id}", user=ALICE)
    assert "corrected the claim" in timeline and "王五 → 钱七" in timeline
    # The new phone finds the customer; the old one still does.
    for phone in ("021 5555 0199", "021 5555 0101"):
        refused = await bot.file_claim(SMALL | {"phone": phone}, user=CAROL)
        assert f"<@{ALICE}>" in text_of(refused["view"]), phone
    # Nothing to save.
    form = await open_edit(bot, f"#{claim_id}", user=ALICE)
    same = (await bot.submit(form, {}, user=ALICE)).json()
    assert "Nothing was changed" in text_of(same["view"])


async def test_managers_edit_from_the_message_and_the_owner_is_told(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_active(bot, SMALL, user=ALICE)
    await outbox_drained(bot)
    # The claim's own message: the verdict DM, with Log follow-up and Edit.
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "claim_edit" in action_ids(m)]

    # A rep of the same team may not edit Alice's claim; Li manages another team.
    for outsider in (BO, LI):
        notice = text_of(await click_edit(bot, user=outsider, message=dm))
        assert "没有你可以修改" in notice or "no such claim you may change" in notice, notice
    form = await click_edit(bot, user=WEI, message=dm)
    done = (await bot.submit(form, {"need_summary": "40 welding robots"}, user=WEI)).json()
    assert "corrected" in text_of(done["view"])
    assert (await claim(bot, claim_id)).need_summary == "40 welding robots"
    await outbox_drained(bot)
    [told] = [m for m in bot.fake.messages_to(ALICE) if "修改了" in m.text or "corrected" in m.text]
    assert "40 welding robots" in text_of(told)
    # The owner edits from the Home.
    bot.checked(await bot.slack.app_home_opened(user=ALICE))
    await bot.fake.wait_for("views.publish")
    home = bot.fake.home_view(ALICE)
    assert home is not None and "claim_edit" in action_ids(home)
    form = await click_edit(bot, user=ALICE, view=home)
    assert initial(form, "need_summary") == "40 welding robots"
    done = (await bot.submit(form, {"contact_name": "孙八"}, user=ALICE)).json()
    assert "孙八" in text_of(done["view"])


async def test_an_edit_resembling_another_customer_goes_back_to_approval(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    await file_active(bot, OTHER, user=CAROL)
    claim_id = await file_active(bot, SMALL, user=ALICE)
    form = await open_edit(bot, f"#{claim_id}", user=ALICE)
    # One character off Carol's customer's name (杭 for 航, a typo a rep makes by sound).
    answer = (await bot.submit(form, {"customer_name": "杭州远杭物流有限公司"}, user=ALICE)).json()
    assert "waits for a manager" in text_of(answer["view"]), text_of(answer["view"])
    held = await claim(bot, claim_id)
    assert (held.status, held.customer_name, held.protection_until) == (
        "pending",
        "杭州远杭物流有限公司",
        None,
    )
    await outbox_drained(bot)
    [card] = cards_to(bot, MEI)
    assert "杭州远杭物流有限公司" in text_of(card)
    assert f"{ACME} → 杭州远杭物流有限公司" in text_of(card), "the card says what changed"
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    await bot.fake.wait_for("chat.update", count=2)
    assert (await claim(bot, claim_id)).status == "active"


async def claim_ids(bot: Bot, owner: str) -> list[int]:
    async with bot.rt.db.session() as session:
        rows = await session.scalars(
            select(Claim.id).where(Claim.owner_id == owner).order_by(Claim.id)
        )
        return list(rows)


# -- correct and resubmit ------------------------------------------------------------------------


async def test_a_rejected_claim_is_corrected_and_resubmitted_as_a_new_linked_claim(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    rejected_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_reject", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=2)
    reason = bot.fake.latest_view("approval_reject_form")
    await bot.submit(reason, {"approval_reason": "Which contact? Add the e-mail."}, user=WEI)
    await outbox_drained(bot)
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "claim_resubmit" in action_ids(m)]

    # Only Alice may resubmit her claim.
    refused = await click(bot, "claim_resubmit", user=BO, message=dm)
    assert "只有被驳回的报备" in text_of(refused) or "没有你可以修改" in text_of(refused)
    form = await click(bot, "claim_resubmit", user=ALICE, message=dm)
    assert form["callback_id"] == "claim_resubmit_form"
    assert initial(form, "phone") == "+8613800138000"
    same = (await bot.submit(form, {}, user=ALICE)).json()
    assert same["response_action"] == "errors" and "Nothing was changed" in str(same["errors"])

    bot.clock.advance(timedelta(hours=2))
    answer = (
        await bot.submit(
            form, {"contact_name": "张三 (CIO)", "email": "cio@bytedance.com"}, user=ALICE
        )
    ).json()
    assert "Waiting for a manager" in text_of(answer["view"]), text_of(answer["view"])
    [new_id] = [i for i in await claim_ids(bot, ALICE) if i != rejected_id]
    new = await claim(bot, new_id)
    assert (new.status, new.resubmits_id, new.contact_name) == (
        "pending",
        rejected_id,
        "张三 (CIO)",
    )
    assert new.submitted_at == bot.clock.now()  # its own place in the queue
    assert (await claim(bot, rejected_id)).status == "rejected"
    await outbox_drained(bot)
    [fresh] = [c for c in cards_to(bot, WEI) if "resubmission" in text_of(c)]
    shown = text_of(fresh)
    assert (
        f"resubmission of rejected claim #{rejected_id}" in shown and "张三 → 张三 (CIO)" in shown
    )
    [filed] = [e for e in await audit_actions(bot, "claim.filed") if e.claim_id == new_id]
    assert filed.data["resubmits"] == rejected_id


async def click(bot: Bot, action_id: str, *, user: str, **where: Any) -> dict[str, Any]:
    """A button clicked, and the modal it opened."""
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action(action_id, user=user, **where))
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view()


# -- an answer to "Ask for more info" that corrects fields ---------------------------------------


async def test_an_answer_that_corrects_the_phone_shows_on_the_managers_card(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    claim_id = await file_pending(bot, ALICE)
    form = await answer_form(bot, "Is that the right phone?")
    # The answer form holds the claim's fields, prefilled as the edit form has them.
    assert initial(form, "phone") == "+8613800138000"
    assert initial(form, "customer_name") == BIG_DEAL["customer_name"]
    bad = (await bot.submit(form, {"approval_answer_text": "", "email": "nope"}, user=ALICE)).json()
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"approval_answer_text", "email"}

    done = await bot.submit(
        form, {"approval_answer_text": "No, it is 139.", "phone": "139 0013 9000"}, user=ALICE
    )
    assert done.text == ""
    edited = await claim(bot, claim_id)
    assert (edited.phone, edited.status, edited.version) == ("+8613900139000", "pending", 2)
    [event] = await audit_actions(bot, "claim.edited")
    assert event.actor_id == ALICE
    assert event.data["changes"] == {"phone": ["+8613800138000", "+8613900139000"]}
    assert [e.actor_id for e in await audit_actions(bot, "claim.info_provided")] == [ALICE]
    await outbox_drained(bot)
    # Both managers' cards, updated in place: the answer, the new phone, and what changed.
    for manager in (WEI, MEI):

        def updated(manager: str = manager) -> bool:
            return "+8613900139000" in text_of(cards_to(bot, manager)[0])

        await bot.fake.wait_until(updated)
        [card] = cards_to(bot, manager)
        text = text_of(card)
        assert "+8613800138000 → +8613900139000" in text, text
        assert "approval_approve" in action_ids(card)


async def test_an_answer_making_the_customer_another_reps_is_refused_on_the_field(
    database_url: str, bot_factory: BotFactory
) -> None:
    bot = await start(bot_factory, database_url=database_url)
    await file_active(bot, OTHER, user=CAROL)
    claim_id = await file_pending(bot, ALICE)
    form = await answer_form(bot, "Which company is it really?", opened=2)
    taken = (
        await bot.submit(
            form,
            {"approval_answer_text": "Sorry, this one.", "customer_name": OTHER["customer_name"]},
            user=ALICE,
        )
    ).json()
    assert taken["response_action"] == "errors"
    assert f"<@{CAROL}>" in taken["errors"]["customer_name"]
    # Nothing written: the claim as filed, the question still open, no edit, no answer.
    unchanged = await claim(bot, claim_id)
    assert (unchanged.customer_name, unchanged.version) == (BIG_DEAL["customer_name"], 1)
    assert await audit_actions(bot, "claim.edited") == []
    assert await audit_actions(bot, "claim.info_provided") == []
    # The answer alone still goes through afterwards.
    done = await bot.submit(form, {"approval_answer_text": "Sorry, this one."}, user=ALICE)
    assert done.text == ""
    assert (await claim(bot, claim_id)).version == 1
    assert [e.actor_id for e in await audit_actions(bot, "claim.info_provided")] == [ALICE]
