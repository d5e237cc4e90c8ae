"""A claim handed over keeps its customer profile (industry, size, tags): a transfer that dropped
it would drop the claim out of every profile-based approval rule, segment and metric grouping."""

from __future__ import annotations

from bot.runtime import Runtime
from tests.approvals.conftest import M1, R1, R2, WS, stored
from tests.lists.conftest import ordinary


async def test_a_transferred_claim_keeps_its_profile_fields(rt: Runtime) -> None:
    profile = {"industry": "finance", "tags": ["vip", "renewal"], "company_size": 1200}
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101", profile=profile)
    assert held.claim_id is not None
    moved = await rt.transfers.transfer(WS, M1, held.claim_id, R2, "R1 leaves")
    assert moved.new_claim_id is not None
    assert (await stored(rt, moved.new_claim_id)).profile == profile
