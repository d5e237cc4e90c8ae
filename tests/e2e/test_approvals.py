"""Managers decide with buttons: the approval card, approve, reject, ask for more info, the race
of two managers, every refusal, the approvals channel, admins when no manager, /claim pending —
signed HTTP against the fake Slack."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.claims.approval import Filer
from bot.claims.draft import ClaimDraft
from bot.claims.importer import CustomerImporter
from bot.fakeslack.reading import action_ids, text_of
from bot.fakeslack.records import ResponsePost
from store.models import AuditEvent, Claim
from tests.e2e.approvals_support import (
    APPROVALS_CHANNEL,
    BIG_DEAL,
    LI,
    WEI,
    audit_actions,
    cards_to,
    claim,
    eventually,
    file_pending,
    outbox_drained,
    start,
)
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory


async def latest_response(bot: Bot, name: str, count: int = 1) -> ResponsePost:
    """The latest accepted post to the response_url of a click on ``name``."""
    posts = await bot.fake.wait_for_responses(count, name=f"action {name}")
    return posts[-1]


async def test_a_pending_claim_reaches_its_team_managers_with_the_whole_card(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE, region="east", source_channel="referral")
    [for_mei] = cards_to(bot, MEI)
    [for_wei] = cards_to(bot, WEI)
    assert cards_to(bot, LI) == [] and cards_to(bot, ADA) == []
    # Each manager reads it in their own language.
    mei, wei = text_of(for_mei), text_of(for_wei)
    assert "待审批的报备" in mei and "预计金额达到审批标准" in mei
    assert "Claim waiting for a decision" in wei and "approval threshold" in wei
    for shown in ("北京字节跳动科技有限公司", f"<@{ALICE}>", "张三", "+8613800138000"):
        assert shown in wei
    assert "zhang@bytedance.com" in wei and "East China" in wei and "Referral" in wei
    assert "¥5,000,000" in wei
    assert action_ids(for_wei) == ["approval_approve", "approval_reject", "approval_ask"]
    approve = for_wei.blocks[-2]["elements"][0]
    assert approve["style"] == "primary" and approve["confirm"]["title"]["text"]


async def test_the_team_manager_approves_every_copy_updates_and_protection_starts_now(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    approved_at = bot.clock.advance(timedelta(hours=5))
    [card] = cards_to(bot, MEI)
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    await bot.fake.wait_for("chat.update", count=2)
    for manager, words in ((MEI, "审批通过"), (WEI, "Approved")):
        [copy] = cards_to(bot, manager)
        assert words in text_of(copy) and f"<@{MEI}>" in text_of(copy)
        assert action_ids(copy) == [], "the buttons are gone"
    decided = await claim(bot, claim_id)
    assert (decided.status, decided.decision, decided.decided_by) == ("active", "approved", MEI)
    assert decided.decided_at == approved_at and decided.last_activity_at == approved_at
    assert decided.protection_until == approved_at + timedelta(days=90)
    assert decided.rules_fired["rules"] == ["deal_size"]
    await outbox_drained(bot)
    told = [m for m in bot.fake.messages_to(ALICE) if "Claim approved" in m.text]
    assert len(told) == 1 and f"<@{MEI}>" in told[0].text
    [event] = await audit_actions(bot, "claim.approved")
    assert (event.actor_id, event.claim_id) == (MEI, claim_id)


async def test_reject_asks_for_a_reason_refuses_an_empty_one_and_frees_the_customer(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_reject", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=2)  # the claim form, then the reason
    modal = bot.fake.latest_view("approval_reject_form")
    assert "北京字节跳动科技有限公司" in text_of(modal)

    empty = (await bot.submit(modal, {"approval_reason": "   "}, user=WEI)).json()
    assert empty["response_action"] == "errors"
    assert "Please fill this in" in empty["errors"]["approval_reason"]
    assert (await claim(bot, claim_id)).status == "pending"

    done = await bot.submit(modal, {"approval_reason": "Bo met them first, last week."}, user=WEI)
    assert done.text == ""  # the modal closes
    await bot.fake.wait_for("chat.update", count=2)
    [copy] = cards_to(bot, MEI)
    assert "驳回" in text_of(copy) and "Bo met them first" in text_of(copy)
    assert action_ids(copy) == []
    rejected = await claim(bot, claim_id)
    assert (rejected.status, rejected.decision, rejected.end_reason) == (
        "rejected",
        "rejected",
        "rejected",
    )
    assert rejected.decision_reason == "Bo met them first, last week."
    assert rejected.ended_at == rejected.decided_at == bot.clock.now()
    await outbox_drained(bot)
    [told] = [m for m in bot.fake.messages_to(ALICE) if "Claim rejected" in m.text]
    assert "Bo met them first" in text_of(told)
    # Free again: Bo's (ordinary) claim on the same customer is his at once.
    again = await bot.file_claim(BIG_DEAL | {"deal_size": "10万"}, user=BO)
    assert "报备成功" in text_of(again["view"])


async def test_ask_for_more_info_the_rep_answers_and_the_approvers_see_it(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_ask", user=WEI, message=card))
    await bot.fake.wait_for("views.open", count=2)
    modal = bot.fake.latest_view("approval_ask_form")
    answer = await bot.submit(modal, {"approval_question": "Who did you meet there?"}, user=WEI)
    assert answer.text == ""
    await outbox_drained(bot)
    assert (await claim(bot, claim_id)).status == "pending"
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "approval_answer" in action_ids(m)]
    assert "Who did you meet there?" in text_of(dm) and f"<@{WEI}>" in text_of(dm)
    [copy] = cards_to(bot, MEI)
    assert "Who did you meet there?" in text_of(copy) and "等待" in text_of(copy)
    assert "approval_approve" in action_ids(copy), "the claim still waits for a decision"

    # Someone else cannot answer for Alice.
    bot.checked(await bot.slack.block_action("approval_answer", user=BO, message=dm))
    refusal = await latest_response(bot, "approval_answer")
    assert "只有提交该报备的销售" in (refusal.text or "")

    bot.checked(await bot.slack.block_action("approval_answer", user=ALICE, message=dm))
    await bot.fake.wait_for("views.open", count=3)
    form = bot.fake.latest_view("approval_answer_form")
    assert "Who did you meet there?" in text_of(form)
    bot.checked(
        await bot.slack.view_submission(form, {"approval_answer_text": "The CIO."}, user=ALICE)
    )
    await outbox_drained(bot)
    await bot.fake.wait_until(lambda: "The CIO." in text_of(cards_to(bot, MEI)[0]))
    assert "The CIO." in text_of(cards_to(bot, WEI)[0])
    [passed_on] = [m for m in bot.fake.messages_to(WEI) if "answered" in m.text]
    assert "The CIO." in text_of(passed_on) and "Who did you meet there?" in text_of(passed_on)
    [dm] = [m for m in bot.fake.messages_to(ALICE) if "Who did you meet there?" in text_of(m)]
    assert "You answered" in text_of(dm) and action_ids(dm) == []
    assert [e.actor_id for e in await audit_actions(bot, "claim.info_requested")] == [WEI]
    assert [e.actor_id for e in await audit_actions(bot, "claim.info_provided")] == [ALICE]


async def test_two_managers_clicking_at_once_make_one_decision(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    [for_mei], [for_wei] = cards_to(bot, MEI), cards_to(bot, WEI)
    await asyncio.gather(
        bot.slack.block_action("approval_approve", user=MEI, message=for_mei),
        bot.slack.block_action("approval_approve", user=WEI, message=for_wei),
    )
    [told] = await bot.fake.wait_for_responses(1, name="action approval_approve")
    await bot.fake.wait_for("chat.update", count=2)
    decided = await claim(bot, claim_id)
    assert (decided.status, decided.version) == ("active", 2)
    assert len(await audit_actions(bot, "claim.approved")) == 1
    # The one who came second hears who decided first; nobody else hears anything.
    winner = decided.decided_by
    assert winner in (MEI, WEI)
    assert f"<@{winner}>" in (told.text or "")
    assert "already approved" in (told.text or "") or "已于" in (told.text or "")
    await outbox_drained(bot)
    assert len([m for m in bot.fake.messages_to(ALICE) if "Claim approved" in m.text]) == 1
    assert len(bot.fake.responses) == 1


async def test_a_rep_another_teams_manager_and_the_owner_are_refused(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, MEI)
    clicks = [(BO, "approval_approve"), (LI, "approval_approve"), (ALICE, "approval_approve"),
              (BO, "approval_reject"), (LI, "approval_ask")]  # fmt: skip
    for n, (who, action) in enumerate(clicks, start=1):
        bot.checked(await bot.slack.block_action(action, user=who, message=card))

        def answered(n: int = n) -> bool:
            return sum(r.delivered for r in bot.fake.responses) >= n

        await bot.fake.wait_until(answered)
    said = [r.text or "" for r in bot.fake.responses]
    assert "只有该销售所在团队的主管" in said[0]  # Bo reads Chinese
    assert "Only a manager of the rep's team" in said[1]
    assert "your own claim" in said[2]
    assert len(bot.fake.calls_to("views.open")) == 1, "no modal opened for the refused"
    unchanged = await claim(bot, claim_id)
    assert (unchanged.status, unchanged.version, unchanged.decided_by) == ("pending", 1, None)
    assert action_ids(cards_to(bot, MEI)[0])[0] == "approval_approve"
    refused = await audit_actions(bot, "access.refused")
    assert [(e.actor_id, e.data["action"], e.data["reason"]) for e in refused] == [
        (BO, "approve", "not_approver"),
        (LI, "approve", "not_approver"),
        (ALICE, "approve", "own_claim"),
        (BO, "reject", "not_approver"),
        (LI, "ask", "not_approver"),
    ]


async def test_a_managers_own_claim_goes_to_the_admins_and_he_cannot_decide_it(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, WEI)
    assert cards_to(bot, WEI) == [] and cards_to(bot, MEI) == []
    [card] = cards_to(bot, ADA)
    bot.checked(await bot.slack.block_action("approval_approve", user=WEI, message=card))
    refusal = await latest_response(bot, "approval_approve")
    assert "your own claim" in (refusal.text or "")
    assert (await claim(bot, claim_id)).status == "pending"
    bot.checked(await bot.slack.block_action("approval_approve", user=ADA, message=card))
    await bot.fake.wait_for("chat.update")
    assert (await claim(bot, claim_id)).decided_by == ADA


def forged(action: str, value: str) -> dict[str, Any]:
    """A message nobody was sent: a button with a hand-made value."""
    return {
        "text": "forged",
        "blocks": [
            {
                "type": "actions",
                "block_id": "approval_actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": action,
                        "text": {"type": "plain_text", "text": "x"},
                        "value": value,
                    }
                ],
            }
        ],
    }


async def test_forged_payloads_are_refused_and_change_nothing(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    other = await bot.rt.claims.submit(
        workspace_id="T2",
        filer=Filer(user_id="U0OTHERWS1"),
        draft=ClaimDraft(
            customer_name="上海另一家科技有限公司", phone="+8613900139000", deal_size=None
        ),
        submission_key="t2:1",
    )
    assert other.claim_id is not None
    values = [str(other.claim_id), "999999", "abc", f"{claim_id};DROP", ""]
    for n, value in enumerate(values, start=1):
        bot.checked(
            await bot.slack.block_action(
                "approval_approve",
                user=ADA,
                message=forged("approval_approve", value),
                channel="D0ADMIN001",
            )
        )

        def answered(n: int = n) -> bool:
            return sum(r.delivered for r in bot.fake.responses) >= n

        await bot.fake.wait_until(answered)
    assert all("can't be found" in (r.text or "") for r in bot.fake.responses)
    bot.checked(
        await bot.slack.block_action(
            "approval_answer",
            user=ALICE,
            message=forged("approval_answer", "424242"),
            channel="D0REP00001",
        )
    )
    await bot.fake.wait_until(lambda: sum(r.delivered for r in bot.fake.responses) >= 6)
    async with bot.rt.db.session() as session:
        statuses = list(await session.scalars(select(Claim.status).order_by(Claim.id)))
    assert statuses == ["pending", "active"]
    refused = await audit_actions(bot, "access.refused")
    assert len(refused) == 6 and {e.data["reason"] for e in refused} == {"unknown"}


async def test_an_approvals_channel_gets_one_card_decided_there(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory, {"channels": {"approvals": APPROVALS_CHANNEL}})
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, APPROVALS_CHANNEL)
    assert cards_to(bot, MEI) == [] and cards_to(bot, WEI) == []
    assert "待审批的报备" in text_of(card), "a channel reads the workspace language"
    bot.checked(await bot.slack.block_action("approval_approve", user=BO, message=card))
    await latest_response(bot, "approval_approve")
    bot.checked(await bot.slack.block_action("approval_approve", user=WEI, message=card))
    await bot.fake.wait_for("chat.update")
    assert action_ids(cards_to(bot, APPROVALS_CHANNEL)[0]) == []
    assert (await claim(bot, claim_id)).decided_by == WEI


async def test_with_no_manager_the_admins_decide_and_a_partner_always_waits(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory, {"partners": ["U0PARTNER1"]})
    bot.fake.add_user("U0PARTNER1", name="dealer", locale="en-US")
    answer = await bot.file_claim(
        {k: v for k, v in BIG_DEAL.items() if k != "deal_size"}, user="U0PARTNER1"
    )
    assert "filed by a channel partner" in text_of(answer["view"])
    await outbox_drained(bot)
    [card] = cards_to(bot, ADA)
    assert "filed by a channel partner" in text_of(card)
    assert all(cards_to(bot, m) == [] for m in (MEI, WEI, LI))
    bot.checked(await bot.slack.block_action("approval_approve", user=ADA, message=card))
    await bot.fake.wait_for("chat.update")
    async with bot.rt.db.session() as session:
        partner_claim = (await session.scalars(select(Claim))).one()
    assert (partner_claim.status, partner_claim.decided_by) == ("active", ADA)


async def test_cross_region_fires_through_the_reps_team(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    at_home = await bot.file_claim(BIG_DEAL | {"deal_size": "10万", "region": "east"}, user=ALICE)
    assert "The customer is yours" in text_of(at_home["view"])
    abroad = await bot.file_claim(
        BIG_DEAL | {"customer_name": "广州某某贸易有限公司", "phone": "139 0013 9000",
                    "email": "li@gz.example.com", "deal_size": "10万", "region": "south"},
        user=ALICE,
    )  # fmt: skip
    assert "outside your team's region" in text_of(abroad["view"])
    await outbox_drained(bot)
    [card] = cards_to(bot, MEI)
    assert "跨区域报备" in text_of(card) and "华南" in text_of(card)


async def test_approving_a_customer_meanwhile_held_by_someone_else_is_refused(
    bot_factory: BotFactory, tmp_path: Path
) -> None:
    bot = await start(bot_factory)
    held = await bot.file_claim(
        {"customer_name": "北京蓝天科技有限公司", "contact_name": "王五",
         "phone": "137 0013 7000", "need_summary": "ERP"},
        user=BO,
    )  # fmt: skip
    assert "报备成功" in text_of(held["view"])
    claim_id = await file_pending(bot, ALICE)
    # The CRM export says Alice's number belongs to Bo's customer.
    listing = tmp_path / "crm.csv"
    listing.write_text("name,phone\n北京蓝天科技有限公司,138 0013 8000\n", encoding="utf-8")
    importer = CustomerImporter(bot.rt.db, bot.rt.rules, bot.rt.clock, bot.rt.checker)
    assert (await importer.load(listing, "T1")).merged == 1

    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_approve", user=WEI, message=card))
    refusal = (await latest_response(bot, "approval_approve")).text or ""
    assert (
        "Can't approve" in refusal and f"<@{BO}>" in refusal and "北京蓝天科技有限公司" in refusal
    )
    assert (await claim(bot, claim_id)).status == "pending"
    assert action_ids(cards_to(bot, WEI)[0])[0] == "approval_approve"


async def pending_reply(bot: Bot, user: str) -> ResponsePost:
    before = len([r for r in bot.fake.responses if r.name == "/claim pending"])
    answer = await bot.command("pending", user=user)
    assert answer.text == ""  # acknowledged; the list comes through the response_url
    posts = await bot.fake.wait_for_responses(before + 1, name="/claim pending")
    return posts[-1]


async def test_claim_pending_lists_what_waits_for_the_caller_with_the_same_buttons(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    first = await file_pending(bot, ALICE)
    await file_pending(
        bot,
        BO,
        customer_name="杭州某某网络有限公司",
        phone="139 0013 9000",
        email="bo@hz.example.com",
    )
    await file_pending(
        bot,
        CAROL,
        customer_name="深圳某某电子有限公司",
        phone="136 0013 6000",
        email="c@sz.example.com",
    )
    for_wei = await pending_reply(bot, WEI)
    listed = text_of(for_wei.body)
    assert "北京字节跳动科技有限公司" in listed and "杭州某某网络有限公司" in listed
    assert "深圳某某电子有限公司" not in listed
    assert for_wei.body.get("response_type") == "ephemeral"
    assert "深圳某某电子有限公司" in text_of((await pending_reply(bot, LI)).body)
    assert "3 claim(s)" in text_of((await pending_reply(bot, ADA)).body)
    assert "只有主管和管理员审批报备" in text_of((await pending_reply(bot, BO)).body)

    bot.checked(
        await bot.slack.block_action(
            "approval_approve", user=WEI, message=for_wei, channel="C0SALES",
            block_id=f"approval_actions:{first}",
        )
    )  # fmt: skip
    replaced = await latest_response(bot, "approval_approve")
    assert replaced.body.get("replace_original") is True
    assert "You approved" in text_of(replaced.body)
    assert "杭州某某网络有限公司" in text_of(replaced.body)
    assert "1 claim(s)" in text_of(replaced.body)
    await bot.fake.wait_for("chat.update", count=2)  # Mei's and Wei's DM cards
    assert action_ids(cards_to(bot, MEI)[0]) == []

    # Reject from the list: the modal, then the list is refreshed through its response_url.
    second_list = await pending_reply(bot, MEI)
    second = int(text_of(second_list.body).split("approval_actions:")[1].split('"')[0])
    bot.checked(
        await bot.slack.block_action(
            "approval_reject", user=MEI, message=second_list, channel="C0SALES",
            block_id=f"approval_actions:{second}",
        )
    )  # fmt: skip
    await bot.fake.wait_for("views.open", count=4)
    modal = bot.fake.latest_view("approval_reject_form")
    bot.checked(await bot.slack.view_submission(modal, {"approval_reason": "重复"}, user=MEI))
    refreshed = await latest_response(bot, "approval_reject")
    assert "暂无待你审批的报备" in text_of(refreshed.body)
    assert (await claim(bot, second)).status == "rejected"


async def test_a_long_pending_list_is_paged_within_slacks_block_limit(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    east = bot.rt.directory
    filer = await east.filer("T1", bot.rt.people.default_profile(ALICE))
    for n in range(23):
        verdict = await bot.rt.claims.submit(
            workspace_id="T1",
            filer=filer,
            draft=ClaimDraft(
                # Long names unlike each other (similar ones would collide or need a manager).
                customer_name="".join(chr(0x4E00 + (n * 977 + k * 131) % 20000) for k in range(60))
                + "有限公司",
                phone=f"+86139{n:08d}",
                deal_size=Decimal(5_000_000),
            ),
            submission_key=f"bulk:{n}",
        )
        assert verdict.claim_id is not None
    first_page = await pending_reply(bot, WEI)
    assert len(first_page.blocks) <= 50
    assert "23 claim(s)" in text_of(first_page.body) and "1–10" in text_of(first_page.body)
    bot.checked(
        await bot.slack.block_action(
            "approval_pending_more", user=WEI, message=first_page, channel="C0SALES"
        )
    )
    second_page = await latest_response(bot, "approval_pending_more")
    assert second_page.body.get("replace_original") is True
    assert "11–20" in text_of(second_page.body) and len(second_page.blocks) <= 50


async def test_every_decision_is_audited_with_its_actor(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    claim_id = await file_pending(bot, ALICE)
    [card] = cards_to(bot, MEI)
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    await bot.fake.wait_for("chat.update", count=2)
    async with bot.rt.db.session() as session:
        trail = [
            (e.action, e.actor_id)
            for e in await session.scalars(
                select(AuditEvent).where(AuditEvent.claim_id == claim_id).order_by(AuditEvent.id)
            )
        ]
    assert trail == [("claim.filed", ALICE), ("claim.pending", "system"), ("claim.approved", MEI)]


async def test_a_forged_response_url_in_a_modals_metadata_is_never_posted_to(
    bot_factory: BotFactory, caplog: pytest.LogCaptureFixture
) -> None:
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="ok")

    elsewhere = web.Application()
    elsewhere.router.add_post("/{tail:.*}", record)
    runner = web.AppRunner(elsewhere)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        bot = await start(bot_factory)
        claim_id = await file_pending(bot, ALICE)
        [card] = cards_to(bot, WEI)
        bot.checked(await bot.slack.block_action("approval_reject", user=WEI, message=card))
        await bot.fake.wait_for("views.open", count=2)
        modal = dict(bot.fake.latest_view("approval_reject_form"))
        meta = json.loads(modal["private_metadata"])
        modal["private_metadata"] = json.dumps(
            meta | {"response_url": f"http://127.0.0.1:{port}/steal"}
        )
        done = await bot.slack.view_submission(modal, {"approval_reason": "no"}, user=WEI)
        assert done.status == 200 and done.text == ""
        assert (await claim(bot, claim_id)).status == "rejected"
        await bot.fake.wait_for("chat.update", count=2)

        async def refused_in_the_log() -> bool:
            # The URL is judged after the cards are updated: wait for it, do not race it.
            return any("not Slack's" in r.getMessage() for r in caplog.records)

        await eventually(refused_in_the_log, "the forged response_url to be refused")
        assert hits == []
    finally:
        await runner.cleanup()


async def test_cards_slack_will_not_update_are_retried_and_the_approver_is_told(
    bot_factory: BotFactory,
) -> None:
    bot = await start(bot_factory)
    await file_pending(bot, ALICE)
    [card] = cards_to(bot, MEI)
    # Every chat.update of the decision (each copy, with the client's own retries) answers 500.
    bot.fake.inject("chat.update", status=500, times=6)
    bot.checked(await bot.slack.block_action("approval_approve", user=MEI, message=card))
    # slack_sdk retries each 500 twice with backoff before the bot gives the copy to the outbox.
    [told] = await bot.fake.wait_for_responses(1, name="action approval_approve", timeout=30)
    assert told.body["response_type"] == "ephemeral"
    assert "批准" in told.body["text"] or "通过" in told.body["text"]
    assert "稍后会自动更新" in told.body["text"]
    # The outbox retries until the cards land: no copy keeps live buttons.
    bot.clock.advance(timedelta(minutes=2))
    bot.rt.outbox.kick()
    await outbox_drained(bot)
    for manager in (MEI, WEI):
        [copy] = cards_to(bot, manager)
        assert action_ids(copy) == [], "the buttons are gone"
