"""Calling the REST API of a running bot over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from store import api_tokens
from tests.e2e.conftest import Bot

WORKSPACE = "T1"  # the fake Slack's team


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def code(self) -> str | None:
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


async def new_token(
    bot: Bot, scope: str = api_tokens.READ, *, workspace: str = WORKSPACE, name: str = "test"
) -> str:
    """A token made as ``claimbot token create`` makes it."""
    async with bot.rt.db.write() as session:
        _, token = await api_tokens.create(
            session, workspace, name=name, scope=scope, created_by="tests", at=bot.clock.now()
        )
    return token


async def call(
    bot: Bot,
    method: str,
    path: str,
    token: str | None = None,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to ``/api/v1{path}``; the answer must be JSON whatever its status."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as http,
        http.request(
            method,
            f"{bot.url}/api/v1{path}",
            params=params,
            json=json,
            data=data,
            headers=sent,
        ) as response,
    ):
        assert response.content_type == "application/json", await response.text()
        return Answer(response.status, await response.json(), dict(response.headers))
