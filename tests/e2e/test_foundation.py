"""The app as Slack meets it: signatures, URL verification, /claim help, health."""

from __future__ import annotations

import socket
import time

import aiohttp
from sqlalchemy import func, select

from store.models import AuditEvent
from tests.e2e.conftest import ALICE, BO, Bot, BotFactory


async def get(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_url_verification_echoes_the_challenge(bot: Bot) -> None:
    result = await bot.slack.url_verification(
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    )
    assert result.status == 200
    assert result.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_a_bad_signature_is_refused_and_changes_nothing(bot: Bot) -> None:
    forged = await bot.slack.command("help", user=ALICE, sign_with="not-the-secret")
    assert forged.status == 401
    missing = await bot.slack.command("help", user=ALICE, signature="")
    assert missing.status == 401
    assert bot.fake.calls_to("users.info") == [], "nothing was looked up for a forged request"


async def test_a_stale_timestamp_is_refused(bot: Bot) -> None:
    stale = await bot.slack.command("help", user=ALICE, timestamp=int(time.time()) - 6 * 60)
    assert stale.status == 401
    async with bot.rt.db.session() as session:
        assert await session.scalar(select(func.count(AuditEvent.id))) == 0


async def test_help_lists_the_commands_in_english(bot: Bot) -> None:
    answer = (await bot.command("help", user=ALICE)).json()
    assert answer["response_type"] == "ephemeral"
    assert "/claim check" in answer["text"]
    assert "/claim help" in answer["text"]
    assert "Show this list." in answer["text"]


async def test_help_follows_the_users_chinese_locale(bot: Bot) -> None:
    answer = (await bot.command("help", user=BO)).json()
    assert "显示本列表" in answer["text"]
    assert "Show this list" not in answer["text"]


async def test_an_unknown_subcommand_answers_with_the_help_and_names_it(bot: Bot) -> None:
    answer = (await bot.command("frobnicate <!channel>", user=ALICE)).json()
    assert answer["response_type"] == "ephemeral"
    assert "I don't know `frobnicate`" in answer["text"]
    assert "<!channel>" not in answer["text"]
    assert "/claim check" in answer["text"]


async def test_the_locale_is_looked_up_once_and_cached(bot: Bot) -> None:
    await bot.command("help", user=BO)
    await bot.command("help", user=BO)
    assert len(bot.fake.calls_to("users.info")) == 1


async def test_healthz_reports_the_database(bot: Bot) -> None:
    status, body = await get(f"{bot.url}/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["database"] == "ok"


async def test_healthz_says_503_while_the_database_is_unreachable(bot_factory: BotFactory) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = await bot_factory(
        database_url=f"postgresql+asyncpg://claimbot@127.0.0.1:{port}/claimbot", migrate=False
    )
    status, body = await get(f"{down.url}/healthz")
    assert status == 503
    assert body["database"] == "unreachable"


async def test_answers_come_well_inside_slacks_three_seconds(bot: Bot) -> None:
    started = time.perf_counter()
    await bot.command("help", user=ALICE)
    assert time.perf_counter() - started < 1.0
