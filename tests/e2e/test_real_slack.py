"""What real Slack does that a naive fake would not: the unsigned SSL check, escaped command
text. Each test fails without the fix it pins."""

from __future__ import annotations

import aiohttp

from tests.e2e.approvals_support import start
from tests.e2e.conftest import ADA, ALICE, Bot, BotFactory


async def test_slacks_unsigned_ssl_check_gets_200(bot: Bot) -> None:
    # Slack posts this to the Request URL without a signature when the URL is saved.
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{bot.url}/slack/events", data={"ssl_check": "1", "token": "legacy-token"}
        ) as response:
            assert response.status == 200
        # Anything else unsigned is still refused.
        async with session.post(
            f"{bot.url}/slack/events", data={"ssl_check": "0", "command": "/claim"}
        ) as response:
            assert response.status == 401


async def test_claim_new_files_the_name_as_typed_not_as_slack_escaped_it(bot: Bot) -> None:
    view = await bot.open_form("new AT&T <Shanghai> Ltd", user=ALICE)
    name = next(b for b in view["blocks"] if b["block_id"] == "customer_name")
    assert name["element"]["initial_value"] == "AT&T <Shanghai> Ltd"


async def test_an_upload_slower_than_an_api_call_still_arrives(bot_factory: BotFactory) -> None:
    # Web API calls give up after a second here; Slack's upload URL takes two for this file.
    bot = await start(bot_factory, slack_timeout=1.0)
    bot.fake.inject("upload", stall=2.0)
    await bot.command("export", user=ADA)
    await bot.fake.wait_for("files.completeUploadExternal", timeout=10)
    [upload] = bot.fake.uploads.values()
    assert upload.completed and upload.channel_id == bot.fake.dm_channel(ADA)
