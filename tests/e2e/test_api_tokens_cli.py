"""``claimbot token create|list|revoke`` against a real database, and the token it prints used
over HTTP: it works, it is stored only hashed, and once revoked it gets 401."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from store.models import ApiToken
from tests.databases import sqlite_url
from tests.e2e.api_support import call
from tests.e2e.conftest import BotFactory


def claimbot(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


async def test_an_admin_creates_lists_and_revokes_a_token(
    bot_factory: BotFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = sqlite_url(tmp_path)
    bot = await bot_factory(database_url=url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("CLAIMBOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str]:
        return claimbot(list(args), capsys)

    code, out = await asyncio.to_thread(
        run, "token", "create", "--workspace", "T1", "--name", "CRM sync", "--scope", "read-write"
    )
    assert code == 0, out
    token = next(line for line in out.splitlines() if line.startswith("cbt_"))
    async with bot.rt.db.session() as session:
        row = (await session.scalars(select(ApiToken))).one()
    assert token.split("_", 2)[2] not in row.secret_hash and len(row.secret_hash) == 64
    assert (await call(bot, "GET", "/claims", token)).status == 200

    code, out = await asyncio.to_thread(run, "token", "list", "--workspace", "T1")
    assert code == 0 and "read-write\tactive" in out and "CRM sync" in out
    assert token not in out

    code, out = await asyncio.to_thread(run, "token", "revoke", str(row.id), "--workspace", "T2")
    assert code == 2  # another workspace's admin cannot revoke it
    code, out = await asyncio.to_thread(run, "token", "revoke", str(row.id), "--workspace", "T1")
    assert code == 0 and "revoked" in out
    answer = await call(bot, "GET", "/claims", token)
    assert (answer.status, answer.code) == (401, "unauthorized")
