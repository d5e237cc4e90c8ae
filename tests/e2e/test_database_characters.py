"""Characters PostgreSQL refuses (NUL, lone surrogates) are dropped at the boundary, from every
input, so a forged button value or command still gets its answer and its refusal is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from sqlalchemy import select

from store.models import AuditEvent
from tests.databases import fresh_postgres_database
from tests.e2e.conftest import ALICE, Bot, BotFactory

pytestmark = pytest.mark.postgres

APPROVAL_CARD = {
    "text": "approve?",
    "blocks": [
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approval_approve",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": "4\x002",  # forged: a NUL inside the claim reference
                }
            ],
        }
    ],
}


@pytest_asyncio.fixture
async def pg_bot(bot_factory: BotFactory) -> AsyncIterator[Bot]:
    async with fresh_postgres_database() as url:
        yield await bot_factory(database_url=url)


async def audited(bot: Bot) -> list[AuditEvent]:
    async with bot.rt.db.session() as session:
        return list(await session.scalars(select(AuditEvent)))


async def test_a_nul_in_a_forged_button_value_is_dropped_and_the_refusal_audited(
    pg_bot: Bot,
) -> None:
    result = await pg_bot.slack.block_action(
        "approval_approve", user=ALICE, message=APPROVAL_CARD, channel="C0SALES"
    )
    assert result.status == 200
    await pg_bot.fake.wait_for_responses(1)
    events = await audited(pg_bot)
    assert len(events) == 1, "the refusal is on record"
    assert "\x00" not in str(events[0].data)


@pytest.mark.parametrize(
    "text",
    ["role add \x00<@U0EVIL0001>", "team \x00x", "check 字节\x00跳动"],
    ids=["role", "team", "check"],
)
async def test_a_command_with_refused_characters_gets_an_answer(pg_bot: Bot, text: str) -> None:
    # Form-encoded as Slack would send it: NUL as %00.
    body = urlencode({
        "command": "/claim", "text": text, "user_id": ALICE, "team_id": "T1",
        "channel_id": "C0SALES", "trigger_id": "1.2.3",
        "response_url": pg_bot.fake.response_url("cmd"),
    }).encode()  # fmt: skip
    result = pg_bot.checked(await pg_bot.slack.post(body, "application/x-www-form-urlencoded"))
    assert "went wrong" not in result.text.lower()
