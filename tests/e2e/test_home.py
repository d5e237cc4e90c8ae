"""The App Home (驾驶舱) end to end: signed ``app_home_opened`` and clicks on the Home into the real
app, views.publish checked by the fake Slack, the store and the clock moved as the bot would see
them.

Teams: East (managers Mei — zh — and Wei; reps Alice — en — and Bo), South (Li; Carol); Ada is an
admin. Default rules: approved claims are protected 90 days, overdue after 7 idle days, warned 3
days before the reclaim after 14; a deal of ¥1,000,000 or more waits for a manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.fakeslack.reading import text_of
from bot.fakeslack.slackreq import SlackRequester
from store.models import Claim, ClaimStatus
from tests.e2e.approvals_support import BIG_DEAL, WEI, cards_to, outbox_drained, start
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, SIGNING_SECRET, START, Bot, BotFactory
from tests.e2e.test_multi_workspace import install
from tests.home.support import (
    block_ids,
    buttons,
    click,
    headers,
    home_until,
    many_claims,
    next_home,
    open_home,
    publishes,
    sections,
    swept_at_start,
    team_id,
)
from tests.lifecycle.support import ACME, DAY, sweep

CLOUD = {
    "customer_name": "杭州云帆数据科技有限公司",
    "contact_name": "赵六",
    "phone": "0571-8888 2020",
    "need_summary": "Data platform",
}


async def home_bot(bot_factory: BotFactory, **rules: Any) -> Bot:
    bot = await start(bot_factory, rules)
    bot.rt.home.refresher.debounce = 0.02
    await swept_at_start(bot)
    return bot


async def claim_id(bot: Bot, name: str) -> int:
    async with bot.rt.db.session() as session:
        found = await session.scalar(select(Claim.id).where(Claim.customer_name == name))
    assert found is not None
    return int(found)


async def file(bot: Bot, answers: Mapping[str, object], user: str) -> None:
    answer = await bot.file_claim(answers, user=user)
    assert answer.get("response_action") == "update", answer


def position(view: dict[str, Any], text: str) -> int:
    """Index of the first section mentioning ``text``."""
    return next(i for i, s in enumerate(sections(view)) if text in s)


async def test_a_reps_home_puts_what_needs_action_first_and_follows_every_change(
    bot_factory: BotFactory,
) -> None:
    bot = await home_bot(bot_factory)
    home = await open_home(bot, ALICE)
    assert "Your active claims (0)" in headers(home)
    assert "You hold no active claim" in text_of(home)
    assert ("home_new_claim", "new") in buttons(home)
    assert "Nothing yet this month" in text_of(home)

    # Filing refreshes the open Home, without the rep asking.
    seen = len(publishes(bot, ALICE))
    await file(bot, ACME, ALICE)
    home = await next_home(bot, ALICE, seen)
    acme = await claim_id(bot, ACME["customer_name"])
    assert "Your active claims (1)" in headers(home)
    assert ("followup_log", str(acme)) in buttons(home)
    assert ("extension_request", str(acme)) in buttons(home)

    bot.clock.advance(DAY)
    await file(bot, CLOUD, ALICE)
    bot.clock.advance(DAY)
    await file(bot, BIG_DEAL, ALICE)
    home = await home_until(bot, ALICE, lambda h: "Waiting for approval (1)" in headers(h))
    assert "北京字节跳动科技有限公司" in text_of(home)

    # Day 7 (still November): ACME has had no follow-up for 7 days, the cloud claim for 6:
    # ACME comes first, flagged overdue.
    bot.clock.advance(5 * DAY)
    seen = len(publishes(bot, ALICE))
    await click(bot, ALICE, "home_refresh")
    home = await next_home(bot, ALICE, seen)
    first, second = position(home, "上海艾克美"), position(home, "杭州云帆")
    assert first < second
    assert "Overdue" in sections(home)[first] and "7 days" in sections(home)[first]
    assert "none yet" in sections(home)[first]
    assert "Overdue" not in sections(home)[second]
    # The month so far: 3 filed, 1 pending, 2 approved at once.
    month = text_of(home)
    assert "Your numbers this month" in month and "3 (1 pending)" in month
    assert "100% (2 of 2)" in month

    # A follow-up logged from the Home: the form, then the Home reorders itself.
    opened = len(bot.fake.calls_to("views.open"))
    await click(bot, ALICE, "followup_log", value=str(acme), block_id=f"claim_actions:{acme}")
    await bot.fake.wait_for("views.open", count=opened + 1)
    form = bot.fake.latest_view("followup_form")
    seen = len(publishes(bot, ALICE))
    done = await bot.submit(
        form, {"followup_method": "call", "followup_summary": "Met the plant manager"}, user=ALICE
    )
    assert done.json()["response_action"] == "update"
    home = await next_home(bot, ALICE, seen)
    assert position(home, "杭州云帆") < position(home, "上海艾克美")
    assert "none yet" not in sections(home)[position(home, "上海艾克美")]
    assert "Overdue" not in text_of(home).split("杭州云帆")[0]


async def test_new_claim_on_the_home_opens_the_form_and_the_home_shows_the_claim(
    bot_factory: BotFactory,
) -> None:
    bot = await home_bot(bot_factory)
    await open_home(bot, BO)
    opened = len(bot.fake.calls_to("views.open"))
    await click(bot, BO, "home_new_claim")
    await bot.fake.wait_for("views.open", count=opened + 1)
    form = bot.fake.latest_view("claim_form")
    assert "客户全称" in text_of(form) or "customer" in text_of(form).lower()  # Bo reads Chinese
    seen = len(publishes(bot, BO))
    answer = await bot.submit(form, CLOUD, user=BO)
    assert "报备成功" in text_of(answer.json()["view"])
    home = await next_home(bot, BO, seen)
    assert "我的有效报备（1）" in headers(home)
    assert "杭州云帆数据科技有限公司" in text_of(home)


async def test_a_manager_decides_from_the_home_and_the_homes_follow(
    bot_factory: BotFactory,
) -> None:
    bot = await home_bot(bot_factory)
    await file(bot, BIG_DEAL, ALICE)
    await file(bot, BIG_DEAL | {"customer_name": "深圳前海微众银行股份有限公司", "phone": "0755-1234 5678", "email": "a@webank.com"}, BO)  # fmt: skip
    await outbox_drained(bot)
    big, bank = (
        await claim_id(bot, "北京字节跳动科技有限公司"),
        await claim_id(bot, "深圳前海微众银行股份有限公司"),
    )
    home = await open_home(bot, MEI)
    await open_home(bot, ALICE)
    assert "待你审批（2）" in headers(home)
    assert ("approval_approve", str(big)) in buttons(home)
    assert ("approval_reject", str(bank)) in buttons(home)
    assert f"approval_actions:{big}" in block_ids(home)

    # Approve from the Home: the claim is Alice's, Mei's Home loses it, Alice's shows it active.
    seen_mei, seen_alice = len(publishes(bot, MEI)), len(publishes(bot, ALICE))
    await click(bot, MEI, "approval_approve", block_id=f"approval_actions:{big}")
    home = await next_home(bot, MEI, seen_mei)
    async with bot.rt.db.session() as session:
        decided = await session.get(Claim, big)
    assert decided is not None and (decided.status, decided.decided_by) == ("active", MEI)
    assert "待你审批（1）" in headers(home)
    assert ("approval_approve", str(big)) not in buttons(home)
    alice = await next_home(bot, ALICE, seen_alice)
    assert "Your active claims (1)" in headers(alice) and "Waiting for approval" not in text_of(
        alice
    )
    # Alice's DM about it offers the claim's own buttons, as every message about a live claim.
    await outbox_drained(bot)
    [told] = [m for m in bot.fake.messages_to(ALICE) if "Claim approved" in m.text]
    assert ("followup_log", str(big)) in buttons({"blocks": told.blocks})
    # The approval card in Mei's DM says so too, as for a click on the card itself.
    [card] = [c for c in cards_to(bot, MEI) if "北京字节跳动" in text_of({"blocks": c.blocks})]
    assert "审批通过" in text_of({"blocks": card.blocks})

    # Reject from the Home: the reason modal, then the Home refreshes.
    opened = len(bot.fake.calls_to("views.open"))
    seen_mei = len(publishes(bot, MEI))
    await click(bot, MEI, "approval_reject", block_id=f"approval_actions:{bank}")
    await bot.fake.wait_for("views.open", count=opened + 1)
    modal = bot.fake.latest_view("approval_reject_form")
    await bot.submit(modal, {"approval_reason": "Carol met them first."}, user=MEI)
    home = await next_home(bot, MEI, seen_mei)
    assert "待你审批（0）" in headers(home)
    assert "暂无待你审批的报备" in text_of(home)


async def test_a_stale_click_on_the_home_is_answered_on_the_home(
    bot_factory: BotFactory,
) -> None:
    bot = await home_bot(bot_factory)
    await file(bot, BIG_DEAL, ALICE)
    await outbox_drained(bot)
    big = await claim_id(bot, "北京字节跳动科技有限公司")
    stale = await open_home(bot, MEI)

    # Wei approves from his card; Mei's open Home is refreshed without her asking.
    seen = len(publishes(bot, MEI))
    [card] = cards_to(bot, WEI)
    bot.checked(await bot.slack.block_action("approval_approve", user=WEI, message=card))
    home = await next_home(bot, MEI, seen)
    assert "待你审批（0）" in headers(home)

    # A click on the Home as it was before: nothing changes, and the Home says why, on top.
    seen = len(publishes(bot, MEI))
    bot.checked(
        await bot.slack.block_action(
            "approval_approve", user=MEI, view=stale, block_id=f"approval_actions:{big}"
        )
    )
    home = await next_home(bot, MEI, seen)
    assert f"<@{WEI}>" in sections(home)[0] and "未做任何更改" in sections(home)[0]
    async with bot.rt.db.session() as session:
        decided = await session.get(Claim, big)
    assert decided is not None and decided.decided_by == WEI


async def test_the_period_select_changes_the_numbers(bot_factory: BotFactory) -> None:
    bot = await home_bot(bot_factory)
    east = await team_id(bot, "East")
    # Six weeks ago Bo filed two claims; this week Alice files one.
    await many_claims(bot.rt.db, owner=BO, team=east, count=2, start=START - 42 * DAY)
    await file(bot, ACME, ALICE)
    home = await open_home(bot, MEI)
    assert "本月" in text_of(home)  # the default period: this month
    assert "*报备量*\\n1（0 个待审批）" in text_of(home)

    for period, filed in (("quarter", 3), ("week", 1)):
        seen = len(publishes(bot, MEI))
        await click(bot, MEI, "home_period", value=period)
        home = await next_home(bot, MEI, seen)
        assert f"*报备量*\\n{filed}（0 个待审批）" in text_of(home), period
    chooser = next(b for b in home["blocks"] if b.get("block_id") == "home_period")
    assert chooser["elements"][0]["initial_option"]["value"] == "week"
    # Per rep: both of East's reps have a line, idle or not.
    assert f"<@{ALICE}>" in text_of(home) and f"<@{BO}>" in text_of(home)


async def test_an_admin_sees_every_team_and_the_rules(bot_factory: BotFactory) -> None:
    bot = await home_bot(bot_factory)
    await file(bot, ACME, ALICE)
    await file(bot, CLOUD, CAROL)
    await file(bot, BIG_DEAL, BO)
    await outbox_drained(bot)
    home = await open_home(bot, ADA)
    text = text_of(home)
    assert "Admin view" in text
    assert "Waiting for your decision (1)" in headers(home)
    assert "Numbers — all teams" in headers(home)
    assert "*East*: 2 filed" in text and "*South*: 1 filed" in text
    assert "Rules at a glance" in headers(home)
    assert "90 days (at most 180 with follow-ups)" in text
    assert "deals of ¥1,000,000 or more" in text
    # Two weeks on, Alice's and Carol's claims need attention, each with its rep.
    bot.clock.advance(12 * DAY)
    seen = len(publishes(bot, ADA))
    await click(bot, ADA, "home_refresh")
    home = await next_home(bot, ADA, seen)
    attention = next(s for s in sections(home) if "上海艾克美" in s)
    assert f"<@{ALICE}>" in attention and f"<@{CAROL}>" in attention
    assert "Claims that need attention, all teams (2)" in headers(home)


async def test_a_big_team_is_paged_and_stays_within_100_blocks(bot_factory: BotFactory) -> None:
    bot = await home_bot(bot_factory)
    east = await team_id(bot, "East")
    # 240 active claims for Alice, 200 for Bo, 60 pending: Mei's and Alice's Homes are big.
    old = START - 10 * DAY
    await many_claims(bot.rt.db, owner=ALICE, team=east, count=240, start=old, step=timedelta(minutes=7))  # fmt: skip
    await many_claims(bot.rt.db, owner=BO, team=east, count=200, start=old, step=timedelta(minutes=9))  # fmt: skip
    await many_claims(bot.rt.db, owner=BO, team=east, count=60, start=START - DAY, status=ClaimStatus.PENDING, prefix="Pending")  # fmt: skip

    home = await open_home(bot, MEI)
    assert len(home["blocks"]) <= 100
    assert "待你审批（60）" in headers(home)
    assert "团队需关注的报备（440）" in headers(home)  # all idle for 8 to 10 days
    pager_values = dict(buttons(home))
    assert pager_values["home_page_next"] in ("decisions:5", "attention:10")
    # The attention list is paged: the next page, then back.
    first_page = next(s for s in sections(home) if "Customer" in s)
    seen = len(publishes(bot, MEI))
    await click(bot, MEI, "home_page_next", block_id="home_pager:attention")
    home = await next_home(bot, MEI, seen)
    second_page = next(s for s in sections(home) if "Customer" in s)
    assert second_page != first_page and len(home["blocks"]) <= 100
    assert "当前显示第 11–20 个，共 440 个" in text_of(home)
    await click(bot, MEI, "home_page_back", block_id="home_pager:attention")
    home = await next_home(bot, MEI, seen + 1)
    assert next(s for s in sections(home) if "Customer" in s) == first_page

    # The rep's Home: one page of claims with their buttons, the soonest reclaimed first.
    mine = await open_home(bot, ALICE)
    assert len(mine["blocks"]) <= 100
    assert "Your active claims (240)" in headers(mine)
    follow_ups = [v for a, v in buttons(mine) if a == "followup_log"]
    assert len(follow_ups) == 8
    assert "Customer 01 0000" in text_of(mine), "the idlest claim comes first"
    seen = len(publishes(bot, ALICE))
    await click(bot, ALICE, "home_page_next", block_id="home_pager:mine")
    mine = await next_home(bot, ALICE, seen)
    assert "Showing 9–16 of 240" in text_of(mine) and "Customer 01 0008" in text_of(mine)


async def test_the_sweep_refreshes_open_homes_only(bot_factory: BotFactory) -> None:
    bot = await home_bot(bot_factory)
    await file(bot, ACME, ALICE)
    await file(bot, CLOUD, BO)
    await open_home(bot, ALICE)  # Bo never opens his
    seen_alice, seen_bo = len(publishes(bot, ALICE)), len(publishes(bot, BO))
    assert seen_bo == 0
    report = await sweep(bot, 15 * DAY)
    assert sum(report.reclaimed.values()) == 2
    home = await next_home(bot, ALICE, seen_alice)
    assert "Your active claims (0)" in headers(home)
    # Both reclaims were handled in the round that refreshed Alice's Home.
    assert len(publishes(bot, BO)) == 0, "a Home nobody opened is not published"


@pytest.mark.slow
async def test_the_messages_tab_publishes_nothing(bot_factory: BotFactory) -> None:
    bot = await home_bot(bot_factory)
    bot.checked(await bot.slack.app_home_opened(ALICE, tab="messages"))
    await open_home(bot, BO)
    assert publishes(bot, ALICE) == []


async def test_each_workspace_is_refreshed_with_its_own_token(bot_factory: BotFactory) -> None:
    bot = await bot_factory(bot_token=None, client_id="111.222", client_secret="shh")
    bot.rt.home.refresher.debounce = 0.02
    bot.fake.add_installation("code-acme", team_id="T1", team_name="Acme", bot_token="xoxb-acme")
    bot.fake.add_installation("code-beta", team_id="T2", team_name="Beta", bot_token="xoxb-beta")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        await install(bot, browser, "code-acme")
        await install(bot, browser, "code-beta")
    beta = SlackRequester(bot.url, SIGNING_SECRET, team_id="T2", fake=bot.fake)
    bot.checked(await beta.app_home_opened(BO))
    await bot.fake.wait_until(lambda: len(publishes(bot, BO)) == 1, what="Bo's Home")
    assert publishes(bot, BO)[-1].token == "xoxb-beta"

    assert (await beta.command("", user=BO)).status == 200
    await bot.fake.wait_for("views.open")
    filed = (await beta.view_submission(bot.fake.latest_view(), CLOUD, user=BO)).json()
    assert "报备成功" in str(filed["view"])
    # Refreshed in the background, where no request brings a token: Beta's own.
    home = await home_until(bot, BO, lambda h: "杭州云帆数据科技有限公司" in text_of(h))
    assert home["team_id"] == "T2" and publishes(bot, BO)[-1].token == "xoxb-beta"
