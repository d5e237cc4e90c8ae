"""The database goes away for a while: users are told to try again in their language,
/healthz says 503, and everything resumes when it returns — without restarting the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from tests.databases import fresh_postgres_database
from tests.e2e.conftest import ALICE, BO, Bot, BotFactory
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.postgres

FORM = {
    "customer_name": "上海飞鸿贸易有限公司",
    "contact_name": "李四",
    "phone": "021-6888 8888",
    "need_summary": "ERP",
}


@pytest_asyncio.fixture
async def proxied_bot(bot_factory: BotFactory) -> AsyncIterator[tuple[Bot, TcpProxy]]:
    async with fresh_postgres_database() as url:
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.start()
        try:
            bot = await bot_factory(
                database_url=parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(
                    hide_password=False
                )
            )
            yield bot, proxy
        finally:
            await proxy.stop()


async def health(bot: Bot) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        return response.status


async def test_an_outage_is_survived_without_a_restart(proxied_bot: tuple[Bot, TcpProxy]) -> None:
    bot, proxy = proxied_bot
    await bot.command("help", user=BO)  # BO's Chinese locale is now cached
    view = await bot.open_form(user=BO)
    assert await health(bot) == 200

    proxy.cut()
    assert await health(bot) == 503
    checked = (await bot.command("check 飞鸿", user=ALICE)).json()
    assert "can't reach its database" in checked["text"]
    answer = (await bot.submit(view, FORM, user=BO)).json()
    assert answer["response_action"] == "errors", "the modal stays open with the rep's input"
    assert "数据库" in next(iter(answer["errors"].values()))

    proxy.restore()
    assert await health(bot) == 200
    filed = (await bot.submit(bot.fake.view(view["id"]), FORM, user=BO)).json()
    assert filed["response_action"] == "update"
    assert "报备成功" in str(filed["view"])
