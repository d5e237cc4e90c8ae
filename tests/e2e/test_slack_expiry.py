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


async def test_an_answer_after_its_response_url_expired_is_shown_ephemerally(bot: Bot) -> None:
    late = bot.fake.response_url("a command answered after 30 minutes")
    fake_clock(bot).advance(31 * 60)

    answer = await bot.slack.command("pool", user=ALICE, channel="C0SALES", response_url=late)

    assert answer.status == 200
    [shown] = await bot.fake.wait_for("chat.postEphemeral")
    assert shown.params["user"] == ALICE and shown.params["channel"] == "C0SALES"
    assert shown.params["text"]
    assert [r.status for r in bot.fake.responses] == [404]  # Slack's expired_url


async def test_an_answer_after_its_response_url_was_used_up_goes_to_a_dm_where_the_bot_cannot_post(
    bot: Bot,
) -> None:
    bot.fake.add_channel("G0PRIVATE", name="deals", private=True, bot_member=False)
    used_up = bot.fake.response_url("a command whose URL was used five times")
    for _ in range(5):
        await bot.slack.command("pool", user=ALICE, channel="G0PRIVATE", response_url=used_up)
    await bot.fake.wait_for_responses(5)

    await bot.slack.command("pool", user=ALICE, channel="G0PRIVATE", response_url=used_up)

    [dm] = await bot.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == ALICE and dm.params["text"]
    assert [v for v in bot.fake.take_violations() if "used 6 times" in v]  # the sixth post
