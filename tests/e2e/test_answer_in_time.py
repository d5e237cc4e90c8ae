"""Every form submission is acknowledged inside Slack's 3 seconds, whatever the database does.

Each test holds the service call behind a submission (as a busy database would) and checks that
the HTTP answer comes back first — a "working…" modal, the store still unchanged — and that the
user still sees the outcome once the work is done: in the modal, or by DM if it was closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest

import handlers.answering as answering
from bot.fakeslack.reading import action_ids, text_of
from tests.e2e.approvals_support import (
    WEI,
    answer_form,
    cards_to,
    claim,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory
from tests.e2e.test_corrections import click, initial
from tests.e2e.test_disputes import collide, dispute_cards, notice_with_dispute, open_ruling
from tests.e2e.test_lists import ACME, file, post_of, start_lists
from tests.e2e.test_lists import ask as ask_list
from tests.lifecycle.support import ACME as ACME_ANSWERS
from tests.lifecycle.support import team_rules, wait_dm

Hold = Callable[[Bot, object, str], asyncio.Event]


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Hold:
    """``hold(bot, service, "method")``: the method waits for the returned event before it
    starts; the database stays busy but alive (it answers others), so the bot waits for it."""

    def held_call(bot: Bot, service: object, method: str) -> asyncio.Event:
        monkeypatch.setattr(answering, "ACK_BUDGET_SECONDS", 0.0)
        gate = asyncio.Event()
        original: Callable[..., Awaitable[Any]] = getattr(service, method)

        async def held(*args: Any, **kwargs: Any) -> Any:
            await gate.wait()
            return await original(*args, **kwargs)

        monkeypatch.setattr(service, method, held)
        monkeypatch.setattr(bot.rt.db, "answered_within", lambda seconds: True)
        return gate

    return held_call


async def submit_held(
    bot: Bot,
    gate: asyncio.Event,
    view: dict[str, Any],
    answers: Mapping[str, object],
    *,
    user: str,
    unchanged: Callable[[], Awaitable[bool]] | None = None,
    working: str = "Working on it",
) -> str:
    """Submit while the work is held; the answer must already be the "working" modal (and
    ``unchanged()`` still hold). Then let the work run; the modal's outcome, as text."""
    updates = len(bot.fake.calls_to("views.update"))
    answer = (await bot.submit(view, answers, user=user)).json()
    assert answer["response_action"] == "update"
    shown = text_of(answer["view"])
    assert working in shown or "正在处理" in shown, shown
    if unchanged is not None:
        assert await unchanged(), "the work ran before the answer"
    gate.set()
    calls = await bot.fake.wait_for("views.update", count=updates + 1)
    [update] = [c for c in calls[updates:] if c.params["view_id"] == view["id"]]
    return text_of(update.params["view"])


# -- approvals ---------------------------------------------------------------------------------


async def reject_modal(bot: Bot) -> dict[str, Any]:
    [card] = cards_to(bot, WEI)
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("approval_reject", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view("approval_reject_form")


async def rejecting(
    bot_factory: BotFactory, hold: Hold
) -> tuple[Bot, int, dict[str, Any], asyncio.Event]:
    """Alice's claim waits; Wei's reject modal is open; the rejection itself is held."""
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    modal = await reject_modal(bot)
    return bot, claim_id, modal, hold(bot, bot.rt.approvals, "reject")


async def test_a_slow_rejection_answers_first_and_then_shows_the_outcome(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot, claim_id, modal, gate = await rejecting(bot_factory, hold)

    async def still_pending() -> bool:
        return (await claim(bot, claim_id)).status == "pending"

    shown = await submit_held(
        bot, gate, modal, {"approval_reason": "Met first by Bo"}, user=WEI, unchanged=still_pending
    )
    assert "You rejected" in shown
    assert (await claim(bot, claim_id)).status == "rejected"
    await bot.fake.wait_for("chat.update", count=2)
    assert all(action_ids(c) == [] for c in cards_to(bot, MEI))


async def test_a_slow_rejection_whose_modal_was_closed_comes_by_dm(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot, _, modal, gate = await rejecting(bot_factory, hold)
    bot.fake.inject("views.update", error="not_found")  # the manager closed the modal
    answer = (await bot.submit(modal, {"approval_reason": "No"}, user=WEI)).json()
    assert answer["response_action"] == "update"
    gate.set()
    await bot.fake.wait_until(
        lambda: any("You rejected" in m.text for m in bot.fake.messages_to(WEI)), timeout=5
    )


async def test_a_refusal_found_late_replaces_the_working_modal(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot, _, modal, gate = await rejecting(bot_factory, hold)
    [card] = cards_to(bot, MEI)
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    await bot.fake.wait_for("chat.update", count=2)
    shown = await submit_held(bot, gate, modal, {"approval_reason": "Too late"}, user=WEI)
    assert "already" in shown.lower(), shown


async def test_a_slow_question_and_a_slow_answer_answer_first(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE)
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_ask", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=2)
    asked = bot.fake.latest_view("approval_ask_form")
    gate = hold(bot, bot.rt.approvals.questions, "ask")
    shown = await submit_held(bot, gate, asked, {"approval_question": "Who?"}, user=WEI)
    assert "Your question" in shown and "was sent" in shown
    await outbox_drained(bot)

    [dm] = [m for m in bot.fake.messages_to(ALICE) if "approval_answer" in action_ids(m)]
    bot.checked(await bot.slack.block_action("approval_answer", user=ALICE, message=dm))
    await bot.fake.wait_for("views.open", count=3)
    form = bot.fake.latest_view("approval_answer_form")
    gate = hold(bot, bot.rt.approvals.questions, "answer")
    shown = await submit_held(bot, gate, form, {"approval_answer_text": "The CIO."}, user=ALICE)
    assert "Your answer was sent" in shown
    await outbox_drained(bot)
    await bot.fake.wait_until(lambda: "The CIO." in text_of(cards_to(bot, WEI)[0]))


async def test_an_answer_with_an_edit_answers_first(bot_factory: BotFactory, hold: Hold) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE)
    form = await answer_form(bot, "Which phone?")
    gate = hold(bot, bot.rt.edits, "edit")
    shown = await submit_held(
        bot,
        gate,
        form,
        {"approval_answer_text": "The new one.", "phone": "139 0013 9001"},
        user=ALICE,
    )
    assert "Your answer was sent" in shown
    await outbox_drained(bot)
    await bot.fake.wait_until(lambda: "+8613900139001" in text_of(cards_to(bot, WEI)[0]))


# -- transfers ---------------------------------------------------------------------------------


async def manage(bot: Bot, user: str, verb: str, claim_id: int, callback: str) -> dict[str, Any]:
    """**Transfer…** / **Release…** from ``user``'s team list; the modal it opened."""
    listing = await ask_list(bot, "team", user=user)
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(
        await bot.slack.block_action(
            "list_manage", user=user, message=post_of(listing), channel="C0SALES",
            block_id=f"list_claim:{claim_id}", value=f"{verb}:{claim_id}",
        )
    )  # fmt: skip
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view(callback)


async def test_a_slow_transfer_and_release_answer_first(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot = await start_lists(bot_factory)
    filed = await file(bot, ALICE, ACME, "+862155550101")
    assert filed.claim_id is not None
    form = await manage(bot, ADA, "transfer", filed.claim_id, "transfer_form")
    gate = hold(bot, bot.rt.transfers, "transfer")
    shown = await submit_held(
        bot, gate, form, {"transfer_target": CAROL, "transfer_reason": "Re-cut"}, user=ADA
    )
    assert f"to <@{CAROL}>" in shown

    [moved] = [c for c in await owned(bot, CAROL)]
    form = await manage(bot, ADA, "release", moved, "release_form")
    gate = hold(bot, bot.rt.transfers, "release")
    shown = await submit_held(bot, gate, form, {"transfer_reason": "Not our market"}, user=ADA)
    assert "released to the public pool" in shown


async def owned(bot: Bot, owner: str) -> list[int]:
    from sqlalchemy import select

    from store.models import Claim

    async with bot.rt.db.session() as session:
        return list(
            await session.scalars(
                select(Claim.id).where(Claim.owner_id == owner, Claim.status == "active")
            )
        )


# -- disputes ----------------------------------------------------------------------------------


async def test_a_slow_dispute_and_a_slow_ruling_answer_first(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot = await start(bot_factory)
    await collide(bot, ALICE, CAROL)
    before = len(bot.fake.calls_to("views.open"))
    notice = notice_with_dispute(bot, CAROL)
    bot.checked(await bot.slack.block_action("dispute_open", user=CAROL, message=notice))
    await bot.fake.wait_for("views.open", count=before + 1)
    modal = bot.fake.latest_view("dispute_open_form")
    gate = hold(bot, bot.rt.disputes, "open")
    shown = await submit_held(bot, gate, modal, {"dispute_reason": "I met them first"}, user=CAROL)
    assert "dispute" in shown.lower(), shown
    await outbox_drained(bot)

    [card] = dispute_cards(bot, WEI)
    ruling = await open_ruling(bot, WEI, "dispute_keep", card)
    gate = hold(bot, bot.rt.disputes, "decide")
    shown = await submit_held(bot, gate, ruling, {"dispute_reason": "Alice was first"}, user=WEI)
    assert f"<@{WEI}>" in shown, shown
    await bot.fake.wait_until(lambda: "dispute_keep" not in action_ids(dispute_cards(bot, WEI)[0]))


# -- follow-ups and extensions -----------------------------------------------------------------


async def test_a_slow_follow_up_and_extension_request_answer_first(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot = await bot_factory(rules=team_rules())
    answer = await bot.file_claim(ACME_ANSWERS, user=ALICE)
    assert "The customer is yours" in text_of(answer["view"])
    [verdict] = await wait_dm(bot, ALICE, "上海艾克美机器人有限公司")

    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("followup_log", user=ALICE, message=verdict))
    await bot.fake.wait_for("views.open", count=before + 1)
    form = bot.fake.latest_view("followup_form")
    gate = hold(bot, bot.rt.lifecycle.followups, "log")
    filled = {"followup_method": "call", "followup_summary": "Called the plant manager"}
    shown = await submit_held(bot, gate, form, filled, user=ALICE)
    assert "Follow-up on" in shown and "saved" in shown, shown

    bot.checked(await bot.slack.block_action("extension_request", user=ALICE, message=verdict))
    await bot.fake.wait_for("views.open", count=before + 2)
    form = bot.fake.latest_view("extension_form")
    gate = hold(bot, bot.rt.lifecycle.extensions, "request")
    shown = await submit_held(
        bot, gate, form, {"extension_reason": "Budget in January"}, user=ALICE
    )
    assert f"<@{MEI}>" in shown, shown


# -- corrections -------------------------------------------------------------------------------


async def test_a_slow_edit_and_resubmission_answer_first(
    bot_factory: BotFactory, hold: Hold
) -> None:
    bot = await start(bot_factory)
    ordinary = await bot.file_claim(
        {"customer_name": "上海某某贸易有限公司", "contact_name": "王五",
         "phone": "021 5555 0199", "need_summary": "ERP"}, user=BO,
    )  # fmt: skip
    assert "报备成功" in text_of(ordinary["view"])
    rejected_id = await file_pending(bot, ALICE)
    await bot.submit(await reject_modal(bot), {"approval_reason": "Add the e-mail"}, user=WEI)
    await outbox_drained(bot)
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "claim_resubmit" in action_ids(m)]
    form = await click(bot, "claim_resubmit", user=ALICE, message=dm)
    assert initial(form, "phone") == "+8613800138000"
    gate = hold(bot, bot.rt.resubmissions, "prepare")
    shown = await submit_held(
        bot, gate, form, {"email": "cio@bytedance.com"}, user=ALICE, working="in line"
    )
    assert "Waiting for a manager" in shown, shown
    assert (await claim(bot, rejected_id)).status == "rejected"

    edit = await click_edit_command(bot, "上海某某贸易有限公司", user=BO)
    gate = hold(bot, bot.rt.edits, "edit")
    shown = await submit_held(bot, gate, edit, {"contact_name": "王五 (CEO)"}, user=BO)
    assert "王五 (CEO)" in shown, shown


async def click_edit_command(bot: Bot, name: str, *, user: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    await bot.command(f"edit {name}", user=user)
    await bot.fake.wait_for("views.open", count=before + 1)
    return bot.fake.latest_view()
