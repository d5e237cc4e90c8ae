"""A claim's life after filing, end to end: signed HTTP into the real app, the fake Slack, and the
clock moved forward with the sweep run exactly as the running bot runs it.

Default rules: protected 90 days; no follow-up for 7 days → reminder; 3 more → the manager's copy;
3 days before the reclaim → warning; 14 idle days → back to the public pool; 30 days' cool-down.
The clock starts on Monday 2026-11-23, 10:00 in Shanghai, where everyone works.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from bot.fakeslack.reading import text_of
from bot.fakeslack.records import Message
from bot.rules import Rules
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory
from tests.lifecycle.support import (
    ACME,
    DAY,
    POOL,
    claim,
    claims,
    customer,
    delivered,
    dms,
    sweep,
    team_rules,
    wait_dm,
)


async def file_acme(bot: Bot, user: str = ALICE, **changes: str) -> int:
    """File the ACME claim and return its id (it is approved at once)."""
    answer = await bot.file_claim(ACME | changes, user=user)
    assert "The customer is yours" in text_of(answer["view"]) or "报备成功" in text_of(
        answer["view"]
    )
    return max(c.id for c in await claims(bot))


async def log_followup(
    bot: Bot, user: str, *, via: Message, answers: dict[str, object] | None = None
) -> dict[str, Any]:
    """Click **Log follow-up** on ``via`` (a message), fill the form, submit; the app's answer."""
    before = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("followup_log", user=user, message=via))
    await bot.fake.wait_for("views.open", count=before + 1)
    view = bot.fake.latest_view("followup_form")
    filled = {"followup_method": "call", "followup_summary": "Called the plant manager"}
    return dict((await bot.submit(view, filled | (answers or {}), user=user)).json())


async def test_a_claim_lives_is_reminded_warned_reclaimed_and_claimed_from_the_pool(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())
    claim_id = await file_acme(bot)
    verdict_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    assert "Log follow-up" in text_of(verdict_dm), "the claim's own message carries the button"

    # Day 6: nothing due yet.
    report = await sweep(bot, 6 * DAY)
    assert report.notices_written == 0 and not report.reclaimed

    # Day 7: the rep is reminded, with the button that keeps the claim.
    await sweep(bot, DAY)
    await delivered(bot)
    (reminder,) = dms(bot, ALICE, "Time to follow up")
    assert "7 days" in text_of(reminder) and "Log follow-up" in text_of(reminder)
    assert dms(bot, MEI, "has not followed up") == [], "the manager hears only 3 days later"

    # Day 10: the manager gets a copy (in Chinese, her Slack language).
    await sweep(bot, 3 * DAY)
    await delivered(bot)
    (copy,) = dms(bot, MEI, "天未跟进")
    assert f"<@{ALICE}>" in text_of(copy)

    # Day 11: the warning names the date and what stops it; the reminder is not repeated.
    await sweep(bot, DAY)
    await delivered(bot)
    (warning,) = dms(bot, ALICE, "Going back to the public pool soon")
    assert "log a follow-up before then" in text_of(warning)
    assert "<!date^" in text_of(warning), "the reclaim date, in each reader's own time zone"
    assert len(dms(bot, ALICE, "Time to follow up")) == 1

    # Day 14: reclaimed, the rep told, the pool channel told with a Claim button.
    report = await sweep(bot, 3 * DAY)
    assert report.reclaimed == {"reclaimed": 1}
    await delivered(bot)
    (released,) = dms(bot, ALICE, "Released to the public pool")
    assert "You may claim it again from" in text_of(released)
    (announcement,) = bot.fake.messages_to(POOL)
    assert "上海艾克美机器人有限公司" in text_of(announcement)
    assert "pool_claim" in text_of(announcement)
    reclaimed = await claim(bot, claim_id)
    assert (reclaimed.status, reclaimed.end_reason) == ("released", "reclaimed")
    assert (await customer(bot, reclaimed.customer_id)).pooled_at == bot.clock.now()

    # The former owner is refused during the cool-down, with both dates.
    bot.checked(await bot.slack.block_action("pool_claim", user=ALICE, message=announcement))
    (refusal,) = await bot.fake.wait_for_responses(1)
    assert "You released" in (refusal.text or "") and "claim it again from" in (refusal.text or "")

    # Another rep claims it from the announcement: first come, first served, through the
    # same claim path; the announcement turns into "claimed by".
    bot.checked(await bot.slack.block_action("pool_claim", user=BO, message=announcement))
    responses = await bot.fake.wait_for_responses(2)
    assert "报备成功" in (responses[-1].text or "")
    await bot.fake.wait_for("chat.update")
    assert f"<@{BO}>" in text_of(bot.fake.messages_to(POOL)[0])
    assert "pool_claim" not in text_of(bot.fake.messages_to(POOL)[0])
    new_claim = (await claims(bot))[-1]
    assert (new_claim.owner_id, new_claim.status, new_claim.via) == (BO, "active", "pool")
    assert (await customer(bot, new_claim.customer_id)).pooled_at is None

    # Every message went out once, however many passes ran.
    await sweep(bot)
    await sweep(bot)
    await delivered(bot)
    assert len(dms(bot, ALICE, "Time to follow up")) == 1
    assert len(dms(bot, ALICE, "Going back to the public pool soon")) == 1
    assert len(dms(bot, ALICE, "Released to the public pool")) == 1
    assert len(bot.fake.messages_to(POOL)) == 1


async def test_a_follow_up_resets_the_clock_and_adds_protection_up_to_the_maximum(
    bot_factory: BotFactory,
) -> None:
    rules = team_rules(protection={"days": 30, "days_per_followup": 10, "max_protection_days": 45})
    bot = await bot_factory(rules=rules)
    claim_id = await file_acme(bot)
    verdict_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    approved_at = bot.clock.now()

    bot.clock.advance(6 * DAY)
    answer = await log_followup(bot, ALICE, via=verdict_dm, answers={"followup_stage": "analysis"})
    assert answer["response_action"] == "update"
    assert "Follow-up on *上海艾克美机器人有限公司* saved" in text_of(answer["view"])
    after_one = await claim(bot, claim_id)
    assert after_one.last_activity_at == bot.clock.now()
    assert after_one.protection_until == approved_at + timedelta(days=40)
    assert after_one.stage == "analysis"

    # A week later the idle clock counts from the follow-up: no reminder yet.
    report = await sweep(bot, 6 * DAY)
    assert report.notices_written == 0

    answer = await log_followup(bot, ALICE, via=verdict_dm)
    assert (await claim(bot, claim_id)).protection_until == approved_at + timedelta(days=45), (
        "capped at max_protection_days after approval"
    )
    answer = await log_followup(bot, ALICE, via=verdict_dm)
    assert (await claim(bot, claim_id)).protection_until == approved_at + timedelta(days=45)


async def test_only_the_owner_may_log_a_follow_up(bot_factory: BotFactory) -> None:
    bot = await bot_factory(rules=team_rules())
    await file_acme(bot)
    verdict_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    opened = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("followup_log", user=CAROL, message=verdict_dm))
    (reply,) = await bot.fake.wait_for_responses(1)
    assert "Only the rep who holds this claim" in (reply.text or "")
    assert len(bot.fake.calls_to("views.open")) == opened


async def test_claim_followup_finds_the_reps_claim_by_name_or_lists_them(bot: Bot) -> None:
    await file_acme(bot)
    await file_acme(
        bot, customer_name="上海艾克美贸易有限公司", phone="021-5555 0202", credit_code=""
    )
    before = len(bot.fake.calls_to("views.open"))
    answer = (await bot.command("followup 上海艾克美机器人有限公司", user=ALICE)).status
    assert answer == 200
    await bot.fake.wait_for("views.open", count=before + 1)
    assert "上海艾克美机器人有限公司" in text_of(bot.fake.latest_view("followup_form"))

    await bot.command("followup 艾克美", user=ALICE)
    (listing,) = await bot.fake.wait_for_responses(1)
    assert text_of(listing.body).count("followup_log") == 2

    nothing = (await bot.command("followup 字节跳动", user=ALICE)).json()
    assert "no active claim matching" in nothing["text"]


async def test_won_ends_protection_for_good_and_lost_releases_to_the_pool(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())
    won_id = await file_acme(bot)
    lost_id = await file_acme(
        bot, user=BO, customer_name="杭州云帆科技有限公司", phone="0571-8888 1234"
    )
    won_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    lost_dm = (await wait_dm(bot, BO, "杭州云帆科技有限公司"))[0]

    answer = await log_followup(bot, ALICE, via=won_dm, answers={"followup_stage": "won"})
    assert "is won" in text_of(answer["view"])
    answer = await log_followup(bot, BO, via=lost_dm, answers={"followup_stage": "lost"})
    assert "输单" in text_of(answer["view"])

    won, lost = await claim(bot, won_id), await claim(bot, lost_id)
    assert (won.status, won.end_reason) == ("won", "won")
    assert (lost.status, lost.end_reason) == ("lost", "lost")
    assert (await customer(bot, lost.customer_id)).pooled_at is not None
    await delivered(bot)
    (announcement,) = bot.fake.messages_to(POOL)
    assert "已输单并释放至公海" in text_of(announcement), "channels read the workspace language"

    # Months later the won customer is still the rep's: no reminder, no reclaim.
    report = await sweep(bot, 200 * DAY)
    assert report.notices_written == 0 and not report.reclaimed
    assert (await claim(bot, won_id)).status == "won"


async def test_an_extension_goes_to_the_manager_who_approves_it_once(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules(protection={"days": 10, "reclaim_idle_days": 14}))
    claim_id = await file_acme(bot)
    verdict_dm = (await wait_dm(bot, ALICE, "上海艾克美机器人有限公司"))[0]
    before = (await claim(bot, claim_id)).protection_until
    assert before is not None

    opened = len(bot.fake.calls_to("views.open"))
    bot.checked(await bot.slack.block_action("extension_request", user=ALICE, message=verdict_dm))
    await bot.fake.wait_for("views.open", count=opened + 1)
    form = bot.fake.latest_view("extension_form")
    answer = (
        await bot.submit(form, {"extension_reason": "Budget is signed off in January"}, user=ALICE)
    ).json()
    assert f"<@{MEI}>" in text_of(answer["view"])

    await delivered(bot)
    (card,) = dms(bot, MEI, "延期申请")
    assert "Budget is signed off in January" in text_of(card)

    # A second request while one waits is refused.
    bot.checked(await bot.slack.block_action("extension_request", user=ALICE, message=verdict_dm))
    (refused,) = await bot.fake.wait_for_responses(1)
    assert "already waiting for a decision" in (refused.text or "")

    # Someone who does not manage Alice may not decide; the button's value is not a right.
    bot.checked(await bot.slack.block_action("extension_approve", user=CAROL, message=card))
    responses = await bot.fake.wait_for_responses(2)
    assert "can't decide this request" in (responses[-1].text or "")
    assert (await claim(bot, claim_id)).protection_until == before

    # The manager approves; the card changes in place; a click on a stale copy changes nothing.
    stale = {"ts": card.ts, "text": card.text, "blocks": copy.deepcopy(card.blocks)}
    bot.checked(await bot.slack.block_action("extension_approve", user=MEI, message=card))
    await bot.fake.wait_for("chat.update")
    updated = dms(bot, MEI, "延期申请")[0]
    assert "extension_approve" not in text_of(updated) and "已批准" in text_of(updated)
    bot.checked(
        await bot.slack.block_action(
            "extension_reject", user=ADA, message=stale, channel=card.channel
        )
    )
    responses = await bot.fake.wait_for_responses(3)
    assert "Already decided" in (responses[-1].text or "")

    extended = await claim(bot, claim_id)
    assert extended.protection_until == before + timedelta(days=30)
    assert extended.extensions_granted == 1
    await delivered(bot)
    (decided,) = dms(bot, ALICE, "approved your extension")
    assert f"<@{MEI}>" in text_of(decided)


@pytest.mark.slow
async def test_the_pool_lists_released_customers_in_pages_and_claims_from_the_list(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules(claim_cap=0))
    for i in range(12):
        await file_acme(
            bot,
            user=CAROL,
            customer_name=f"深圳{'甲乙丙丁戊己庚辛壬癸子丑'[i]}精密制造有限公司",
            phone=f"0755-8888 {1000 + i}",
        )
    await sweep(bot, 15 * DAY)
    await bot.command("pool", user=ALICE)
    (first,) = await bot.fake.wait_for_responses(1)
    assert "12 customer(s) · page 1 of 2" in text_of(first.body)
    assert text_of(first.body).count('"pool_claim"') == 10
    assert len(first.blocks) <= 50

    bot.checked(await bot.slack.block_action("pool_next", user=ALICE, message=first, channel="C1"))
    second = (await bot.fake.wait_for_responses(2))[-1]
    assert second.body.get("replace_original") is True
    assert "page 2 of 2" in text_of(second.body)
    assert text_of(second.body).count('"pool_claim"') == 2

    bot.checked(
        await bot.slack.block_action(
            "pool_claim",
            user=ALICE,
            message=second,
            channel="C1",
            block_id=second.blocks[2]["block_id"],
        )
    )
    verdict = (await bot.fake.wait_for_responses(3))[-1]
    assert "The customer is yours" in (verdict.text or "") or "报备成功" in (verdict.text or "")
    owners = [c.owner_id for c in await claims(bot) if c.status == "active"]
    assert owners == [ALICE]


async def test_healthz_reports_the_scheduler_role(bot: Bot) -> None:
    import aiohttp

    await sweep(bot)
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        body = await response.json()
    assert body["scheduler"]["role"] == "leader"
    assert body["scheduler"]["interval_minutes"] == 5


async def test_rules_in_chinese_default_still_render(bot_factory: BotFactory) -> None:
    bot = await bot_factory(rules=Rules())
    await file_acme(bot, user=BO)
    await sweep(bot, 7 * DAY)
    await delivered(bot)
    assert dms(bot, BO, "该跟进了")


async def test_reminders_wait_for_working_hours_in_the_reps_own_time_zone(
    bot_factory: BotFactory,
) -> None:
    """10:00 in Shanghai is 21:00 the evening before in New York: a reminder due then waits
    for 09:00 New York time; a warning whose reclaim comes before that goes at once."""
    rep = "U0REPNY001"
    bot = await bot_factory(rules=Rules())
    bot.fake.add_user(rep, name="nora", locale="en-US", tz="America/New_York", tz_offset=-18000)
    await file_acme(bot, user=rep)
    await wait_dm(bot, rep, "上海艾克美机器人有限公司")

    await sweep(bot, 7 * DAY)  # Sunday 21:00 in New York
    await delivered(bot)
    assert dms(bot, rep, "Time to follow up") == [], "not at 9 pm"
    bot.clock.advance(timedelta(hours=11, minutes=59))  # Monday 08:59 in New York
    await delivered(bot)
    assert dms(bot, rep, "Time to follow up") == []
    bot.clock.advance(timedelta(minutes=1))  # 09:00
    await delivered(bot)
    assert len(dms(bot, rep, "Time to follow up")) == 1

    # No sweep ran for days (downtime); it is now an hour before the reclaim, Sunday 20:00 in
    # New York: waiting for Monday morning would be too late, so the warning goes now.
    approved = (await claims(bot))[0].last_activity_at
    assert approved is not None
    bot.clock.set(approved + timedelta(days=14, hours=-1))
    await sweep(bot)
    await delivered(bot)
    assert len(dms(bot, rep, "Going back to the public pool soon")) == 1

    # The reclaim itself is news, not an emergency: its DM waits for the working day.
    await sweep(bot, timedelta(hours=1))
    await delivered(bot)
    assert dms(bot, rep, "Released to the public pool") == []
    bot.clock.advance(timedelta(hours=13))  # Monday 09:00 in New York
    await delivered(bot)
    assert len(dms(bot, rep, "Released to the public pool")) == 1


async def test_a_claim_waiting_too_long_reminds_its_manager_then_escalates_to_the_admin(
    bot_factory: BotFactory,
) -> None:
    bot = await bot_factory(rules=team_rules())
    answer = await bot.file_claim(ACME | {"deal_size": "500万"}, user=ALICE)
    assert "Waiting for a manager" in text_of(answer["view"])

    await sweep(bot, timedelta(hours=23))
    await delivered(bot)
    assert dms(bot, MEI, "等待审批") == []
    await sweep(bot, timedelta(hours=1))
    await delivered(bot)
    (reminder,) = dms(bot, MEI, "等待审批")
    assert "/claim pending" in text_of(reminder)
    assert dms(bot, ADA, "overdue") == []

    await sweep(bot, timedelta(hours=24))
    await delivered(bot)
    (escalation,) = dms(bot, ADA, "An approval is overdue")
    assert f"<@{ALICE}>" in text_of(escalation) and "48 hours" in text_of(escalation)
    assert len(dms(bot, MEI, "等待审批")) == 1, "the manager is not reminded twice"
