"""A runtime on each database backend with East (M1, M2; R1, R2), South (M3; R3) and admin A1,
as in tests/approvals; ways to file ordinary claims quickly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Verdict
from bot.runtime import Runtime
from tests.approvals.conftest import file, make_runtime

POOL = "C0POOL"


@pytest_asyncio.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await make_runtime(database_url, {"channels": {"pool": POOL}})
    yield runtime
    await runtime.close()


def distinct_name(n: int) -> str:
    """A long company name unlike every other ``n`` (similar names would collide)."""
    return "".join(chr(0x4E00 + (n * 977 + k * 131) % 20000) for k in range(30)) + "有限公司"


async def ordinary(rt: Runtime, user: str, name: str, phone: str, **fields: Any) -> Verdict:
    """An ordinary claim (approved at once)."""
    values: dict[str, Any] = {"contact_name": "王五", "need_summary": "robots"} | fields
    verdict = await file(rt, user, ClaimDraft(customer_name=name, phone=phone, **values))
    assert verdict.outcome.value == "claimed", verdict
    return verdict
