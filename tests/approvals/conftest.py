"""A runtime on each database backend with two teams and an admin, and ways to file claims."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Verdict
from bot.clock import FixedClock
from bot.rules import Rules
from bot.runtime import Runtime
from bot.settings import Settings
from store.migrate import upgrade
from store.models import AuditEvent, Claim, OutboxMessage

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
WS = "T1"
# East: managed by M1 and M2, members R1 and R2. South: managed by M3, member R3. A1 is an admin.
M1, M2, M3, R1, R2, R3, A1 = "UM1", "UM2", "UM3", "UR1", "UR2", "UR3", "UA1"
TEAMS: dict[str, Any] = {
    "teams": [
        {"name": "East", "region": "east", "managers": [M1, M2], "members": [R1, R2]},
        {"name": "South", "region": "south", "managers": [M3], "members": [R3]},
    ]
}


async def make_runtime(
    database_url: str, rules: dict[str, Any] | None = None, admins: tuple[str, ...] = (A1,)
) -> Runtime:
    runtime = Runtime.create(
        Settings(bot_token="xoxb-test", database_url=database_url, admins=admins),
        Rules.model_validate(TEAMS | (rules or {})),
        clock=FixedClock(NOW),
    )
    await upgrade(runtime.db)
    return runtime


@pytest_asyncio.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await make_runtime(database_url)
    yield runtime
    await runtime.close()


def big_deal(name: str = "北京字节跳动科技有限公司", **fields: object) -> ClaimDraft:
    """A claim that waits for a manager (its deal size is over the threshold)."""
    values: dict[str, object] = {
        "contact_name": "张三",
        "phone": "+8613800138000",
        "deal_size": Decimal(5_000_000),
    } | fields
    return ClaimDraft(customer_name=name, **values)  # type: ignore[arg-type]


async def file(rt: Runtime, user: str, draft: ClaimDraft | None = None, key: str = "") -> Verdict:
    """File ``draft`` as ``user`` would from Slack (their team found in the directory)."""
    filer = await rt.directory.filer(WS, rt.people.default_profile(user))
    draft = draft or big_deal()
    return await rt.claims.submit(
        workspace_id=WS,
        filer=filer,
        draft=draft,
        submission_key=key or f"{user}:{draft.customer_name}:{draft.phone}",
    )


async def pending(rt: Runtime, user: str, draft: ClaimDraft | None = None) -> int:
    """File a claim that waits; its id."""
    verdict = await file(rt, user, draft)
    assert verdict.outcome.value == "pending", verdict
    assert verdict.claim_id is not None
    return verdict.claim_id


async def stored(rt: Runtime, claim_id: int) -> Claim:
    async with rt.db.session() as session:
        found = await session.get(Claim, claim_id)
        assert found is not None
        return found


async def notices(rt: Runtime, kind: str) -> list[OutboxMessage]:
    async with rt.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return list(rows)


async def events(rt: Runtime, action: str) -> list[AuditEvent]:
    async with rt.db.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return list(rows)
