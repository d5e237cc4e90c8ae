"""A card updated in place gives its changed blocks new block_ids: Slack's clients match a
message's blocks across versions by block_id and may keep a changed block's old state (Block
Kit reference: "If a message is updated, use a new block_id")."""

from __future__ import annotations

import copy

from bot.fakeslack.reading import action_ids, text_of
from bot.fakeslack.records import Message
from tests.e2e.approvals_support import (
    BIG_DEAL,
    answer_form,
    cards_to,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ALICE, MEI, BotFactory

RENAMED = BIG_DEAL["customer_name"] + "（总部）"


def actions_block(card: Message) -> dict[str, object]:
    [block] = [b for b in card.blocks if b["type"] == "actions"]
    return block


async def test_buttons_that_change_on_a_card_update_get_a_new_block_id(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE)
    [card] = cards_to(bot, MEI)
    before = copy.deepcopy(actions_block(card))  # the Message itself changes with each update
    # Wei asks; Alice's answer corrects the customer's name, which Approve's confirm dialog names.
    form = await answer_form(bot, "Which office?")
    answers = {"approval_answer_text": "The head office.", "customer_name": RENAMED}
    assert (await bot.submit(form, answers, user=ALICE)).text == ""
    await outbox_drained(bot)
    await bot.fake.wait_until(lambda: RENAMED in text_of(cards_to(bot, MEI)[0]))

    [card] = cards_to(bot, MEI)
    after = actions_block(card)
    assert RENAMED in str(after) and RENAMED not in str(before)  # the buttons did change…
    assert after["block_id"] != before["block_id"]  # …so their block_id did too
    assert "approval_approve" in action_ids(card)
    # The fake's teardown fails the test if any chat.update kept a changed block's block_id.
