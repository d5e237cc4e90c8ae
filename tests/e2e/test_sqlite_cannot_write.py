"""SQLite that cannot write (disk full, read-only file): /healthz says so, the rep is told the bot
cannot save right now, the operator's log says what to do, and it recovers without a restart."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event

from tests.e2e.conftest import BO, Bot
from tests.e2e.test_database_outage import FORM


class ReadOnly:
    """Every new SQLite connection of the bot refuses writes (SQLITE_READONLY) while on."""

    def __init__(self, bot: Bot) -> None:
        self.bot, self.on = bot, False
        for engine in bot.rt.db.engines:
            event.listen(engine.sync_engine, "connect", self._connected)

    def _connected(self, dbapi_conn: Any, _record: Any) -> None:
        if self.on:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()

    async def set(self, on: bool) -> None:
        self.on = on
        for engine in self.bot.rt.db.engines:  # as after a remount: connections start afresh
            await engine.dispose()


async def health(bot: Bot) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        return response.status, await response.json()


async def test_a_database_that_cannot_write_is_unhealthy_explained_and_recovers(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.command("help", user=BO)
    view = await bot.open_form(user=BO)
    read_only = ReadOnly(bot)
    await read_only.set(True)

    answer = (await bot.submit(view, FORM, user=BO)).json()
    assert answer["response_action"] == "errors", "the modal stays open with the rep's input"
    assert "无法保存" in next(iter(answer["errors"].values()))
    operator = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("free disk space" in line and "writable" in line for line in operator), operator
    status, report = await health(bot)
    assert status == 503 and report["database"] == "cannot write", report

    await read_only.set(False)
    status, report = await health(bot)
    assert status == 200, report
    filed = (await bot.submit(bot.fake.view(view["id"]), FORM, user=BO)).json()
    assert filed["response_action"] == "update"
    assert "报备成功" in str(filed["view"])
