"""``/claim stats`` end to end: the numbers of each role's scope, ephemerally, and the chart through
the fake Slack's upload endpoints (files.getUploadURLExternal → bytes → completeUploadExternal)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from bot.fakeslack.records import ResponsePost, Upload
from tests.e2e.approvals_support import BIG_DEAL, outbox_drained, start
from tests.e2e.conftest import ADA, ALICE, BO, CAROL, MEI, Bot, BotFactory
from tests.lifecycle.support import ACME

pytestmark = pytest.mark.slow  # each test draws PNG charts with matplotlib

PNG = b"\x89PNG\r\n\x1a\n"
CLOUD = {
    "customer_name": "杭州云帆数据科技有限公司",
    "contact_name": "赵六",
    "phone": "0571-8888 2020",
    "need_summary": "Data platform",
}


async def with_claims(bot_factory: BotFactory) -> Bot:
    """Alice (East) files ACME and a big deal that waits; Bo (East) and Carol (South) one each."""
    bot = await start(bot_factory)
    for answers, user in ((ACME, ALICE), (BIG_DEAL, ALICE), (CLOUD, CAROL)):
        answer = await bot.file_claim(answers, user=user)
        assert answer["response_action"] == "update"
    await outbox_drained(bot)
    return bot


async def stats(bot: Bot, text: str, *, user: str, channel: str = "C0SALES") -> ResponsePost:
    """``/claim <text>``; the ephemeral answer it sends through the response_url."""
    result = await bot.command(text, user=user, channel=channel)
    assert result.text == "", "acknowledged at once, answered through the response_url"
    [answer] = await bot.fake.wait_for_responses(1, name=f"/claim {text}")
    assert answer.body["response_type"] == "ephemeral"
    return answer


async def shared_chart(bot: Bot, count: int = 1) -> Upload:
    """The chart, once ``count`` uploads were shared; checks it is a whole PNG."""
    await bot.fake.wait_for("files.completeUploadExternal", count=count)
    completed = [u for u in bot.fake.uploads.values() if u.completed]
    assert len(completed) == 1
    upload = completed[0]
    assert upload.data is not None and upload.data.startswith(PNG)
    assert len(upload.data) == upload.length
    assert upload.filename == "claim-numbers.png"
    with Image.open(io.BytesIO(upload.data)) as image:
        assert image.format == "PNG" and image.size[0] > 800 and image.size[1] > 300
    return upload


def words(answer: ResponsePost) -> str:
    return str(answer.text) + str(answer.blocks)


def fields(answer: ResponsePost) -> list[str]:
    found: list[Any] = []
    for block in answer.blocks:
        found += [f["text"] for f in block.get("fields", [])]
    return found


async def test_a_rep_gets_their_own_numbers_and_the_chart_in_their_dm(
    bot_factory: BotFactory,
) -> None:
    bot = await with_claims(bot_factory)
    answer = await stats(bot, "stats", user=ALICE)
    text = words(answer)
    assert "Claim numbers — This month" in text and "your claims" in text
    assert "*Claims filed*\n2 (1 pending)" in fields(answer)
    assert "*Approval rate*\n100% (1 of 1)" in fields(answer)
    assert "*Average approval time*\nunder a minute" in fields(answer)  # approved at filing
    assert "*Collision rate*\n0% (0)" in fields(answer)
    assert "Per rep" not in text and "杭州云帆" not in text, "only her own claims"
    assert "chart follows in your DM" in text

    upload = await shared_chart(bot)
    assert upload.channel_id == bot.fake.dm_channel(ALICE)
    assert upload.initial_comment == "Claim numbers — This month, your claims."


async def test_a_manager_gets_the_teams_numbers_per_rep_in_chinese(
    bot_factory: BotFactory,
) -> None:
    bot = await with_claims(bot_factory)
    answer = await stats(bot, "stats week", user=MEI)
    text = words(answer)
    assert "报备数据 — 本周" in text and "我的团队（East）" in text
    assert "*报备量*\n2（1 个待审批）" in fields(answer)  # Alice's two; Carol is South's
    assert "按销售" in text
    assert f"<@{ALICE}>：报备 2" in text and f"<@{BO}>：报备 0" in text
    assert "来源渠道" in text
    upload = await shared_chart(bot)
    assert upload.channel_id == bot.fake.dm_channel(MEI)
    assert upload.initial_comment is not None and "本周" in upload.initial_comment


async def test_an_admin_gets_every_team_and_can_post_the_chart_here(
    bot_factory: BotFactory,
) -> None:
    bot = await with_claims(bot_factory)
    answer = await stats(bot, "stats quarter here", user=ADA, channel="C0MEETING")
    text = words(answer)
    assert "Last 90 days" in text and "all teams" in text
    assert "*Claims filed*\n3 (1 pending)" in fields(answer)
    assert "*East*: 2 filed" in text and "*South*: 1 filed" in text
    assert "chart follows in this conversation" in text
    upload = await shared_chart(bot)
    assert upload.channel_id == "C0MEETING"


async def test_a_conversation_claimbot_cannot_post_in_gets_the_chart_in_the_dm(
    bot_factory: BotFactory,
) -> None:
    bot = await with_claims(bot_factory)
    bot.fake.inject("files.completeUploadExternal", error="not_in_channel")
    await stats(bot, "stats here", user=ALICE, channel="C0PRIVATE")
    upload = await shared_chart(bot, count=1)
    assert upload.channel_id == bot.fake.dm_channel(ALICE)
    assert len(bot.fake.uploads) == 2, "uploaded again for the DM"
    told = await bot.fake.wait_for_responses(2, name="/claim stats here")
    assert "can't post in this conversation" in str(told[-1].text)


async def test_stats_typed_in_the_dm_with_claimbot_lands_there(bot_factory: BotFactory) -> None:
    bot = await with_claims(bot_factory)
    dm = bot.fake.dm_channel(CAROL)
    await stats(bot, "stats month", user=CAROL, channel=dm)
    upload = await shared_chart(bot)
    assert upload.channel_id == dm


async def test_a_period_nobody_knows_gets_the_usage(bot_factory: BotFactory) -> None:
    bot = await start(bot_factory)
    result = await bot.command("stats yearly", user=ALICE)
    body = result.json()
    assert body["response_type"] == "ephemeral"
    assert "`yearly`" in body["text"] and "/claim stats quarter" in body["text"]
    assert bot.fake.uploads == {}


async def test_an_empty_period_and_a_failed_upload_are_said_plainly(
    bot_factory: BotFactory,
) -> None:
    bot = await with_claims(bot_factory)
    bot.fake.inject("files.getUploadURLExternal", error="ratelimited")
    answer = await stats(bot, "stats", user=BO)
    # Bo filed nothing: the period says so rather than showing a row of zeros and 0 %.
    assert "该时间段暂无数据" in words(answer) and fields(answer) == []
    told = await bot.fake.wait_for_responses(2, name="/claim stats")
    assert "图表本次发送失败" in str(told[-1].text)  # Bo reads Chinese
