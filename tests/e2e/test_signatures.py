"""Requests that did not come from Slack are refused with 401 and change nothing."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.fakeslack.slackreq import sign
from store.models import AuditEvent, Claim, Collision
from tests.e2e.conftest import ALICE, Bot

FORM = "application/x-www-form-urlencoded"


async def nothing_happened(bot: Bot) -> None:
    async with bot.rt.db.session() as session:
        for model in (Claim, Collision, AuditEvent):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


def check_body() -> bytes:
    return urlencode(
        {
            "command": "/claim",
            "text": "check 字节跳动",
            "user_id": ALICE,
            "team_id": "T1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.slack.com/commands/T1/1/x",
        }
    ).encode()


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": ""},
        {"signature": "v0=" + "0" * 64},
        {"sign_with": "another-apps-secret"},
        {"timestamp": int(time.time()) - 301},
        {"timestamp": int(time.time()) + 3600},
        {"timestamp": "yesterday"},
    ],
    ids=["missing", "wrong", "other-secret", "stale", "future", "garbage-timestamp"],
)
async def test_forged_requests_are_refused(bot: Bot, forgery: dict[str, object]) -> None:
    result = await bot.slack.post(check_body(), FORM, **forgery)  # type: ignore[arg-type]
    assert result.status == 401
    await nothing_happened(bot)


async def test_a_replayed_body_with_a_fresh_timestamp_is_refused(bot: Bot) -> None:
    then = int(time.time()) - 400
    captured = sign(bot.slack.signing_secret, then, check_body())
    replay = await bot.slack.post(
        check_body(), FORM, timestamp=int(time.time()), signature=captured
    )
    assert replay.status == 401
    await nothing_happened(bot)


async def test_a_tampered_body_is_refused(bot: Bot) -> None:
    now = int(time.time())
    signature = sign(bot.slack.signing_secret, now, check_body())
    tampered = check_body().replace(b"U0REP00001", b"U0ADMIN001")
    result = await bot.slack.post(tampered, FORM, timestamp=now, signature=signature)
    assert result.status == 401
    await nothing_happened(bot)
