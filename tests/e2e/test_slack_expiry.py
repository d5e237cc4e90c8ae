"""Slack's clocks the app must live with: a trigger_id opens a modal only within 3 s of the
click, a response_url lasts 30 minutes and five posts. Each test fails without its fix."""

from __future__ import annotations

from bot.fakeslack.clock import ManualClock
from tests.e2e.conftest import ALICE, MEI, Bot


def fake_clock(bot: Bot) -> ManualClock:
    assert isinstance(bot.fake.clock, ManualClock)
    return bot.fake.clock


async def test_a_form_opened_too_late_tells_the_user_to_try_again(bot: Bot) -> None:
    trigger_id = bot.fake.trigger_id()
    fake_clock(bot).advance(4)  # the command reached the bot after Slack's 3 seconds

    answer = await bot.slack.command("new", user=ALICE, channel="C0SALES", trigger_id=trigger_id)

    assert answer.status == 200
    [refused] = await bot.fake.wait_for("views.open", delivered=False)
    assert refused.error == "expired_trigger_id"
    [reply] = await bot.fake.wait_for_responses()
    assert "again" in (reply.text or "") and "went wrong" not in (reply.text or ""), reply.text


async def test_a_form_opened_too_late_from_a_chinese_speakers_click_says_so_in_chinese(
    bot: Bot,
) -> None:
    trigger_id = bot.fake.trigger_id()
    fake_clock(bot).advance(4)

    await bot.slack.command("new", user=MEI, channel="C0SALES", trigger_id=trigger_id)

    [reply] = await bot.fake.wait_for_responses()
    assert "再点一次" in (reply.text or "") and "出了点问题" not in (reply.text or ""), reply.text
