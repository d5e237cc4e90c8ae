"""Socket Mode: with SLACK_APP_TOKEN set, Slack's traffic comes over a WebSocket the bot opens,
and /healthz is still served over HTTP."""

from __future__ import annotations

import aiohttp

from bot.fakeslack import payloads
from bot.fakeslack.slackreq import SlackRequester
from bot.fakeslack.validation import validate_ack_body
from tests.e2e.conftest import ALICE, BO, BotFactory


async def test_a_command_is_answered_over_the_socket(bot_factory: BotFactory) -> None:
    bot = await bot_factory(app_token="xapp-1-A1-test", signing_secret=None)
    fake = bot.fake
    opened = await fake.wait_for("apps.connections.open")
    assert opened[0].token == "xapp-1-A1-test"

    team = SlackRequester(bot.url, "unused", fake=fake).team
    for user, expected in ((ALICE, "Show this list."), (BO, "显示本列表")):
        command = payloads.slash_command(
            team,
            command="/claim",
            text="help",
            user_id=user,
            user_name=fake.user_name(user),
            channel_id="C0SALES",
            channel_name="sales",
            response_url=fake.response_url(),
            trigger_id="1234.5678.abcd",
        )
        ack = await fake.socket_mode.send("slash_commands", command)
        assert validate_ack_body(ack["payload"]) == []
        assert expected in ack["payload"]["text"]

    # No Request URL over HTTP in Socket Mode, but the health check is there.
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.url}/healthz") as response:
            assert response.status == 200
        async with session.post(f"{bot.url}/slack/events", data=b"x") as response:
            assert response.status in (404, 405)
