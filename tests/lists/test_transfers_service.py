"""A manager's transfer and release against a real database (SQLite and PostgreSQL): the claim
handed over once, the rights checked on every call, the release path of the sweep reused."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.runtime import Runtime
from bot.transfers import TransferRefusal
from store.models import Claim, Customer, ExtensionRequest
from tests.approvals.conftest import A1, M1, M2, M3, R1, R2, R3, WS, events, notices, stored
from tests.lists.conftest import POOL, ordinary


async def test_a_transfer_ends_the_claim_and_files_the_targets_from_now(rt: Runtime) -> None:
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    assert held.claim_id is not None
    moved = await rt.transfers.transfer(WS, M1, held.claim_id, R2, "R1 leaves")
    assert moved.ok and moved.to_id == R2 and not moved.over_cap
    old, new = await stored(rt, held.claim_id), await stored(rt, moved.new_claim_id or 0)
    assert (old.status, old.end_reason, old.ended_at) == ("released", "transferred", rt.clock.now())
    assert (new.owner_id, new.status, new.via, new.decision) == (
        R2,
        "active",
        "transfer",
        "transfer",
    )
    assert (new.customer_id, new.phone, new.contact_name) == (old.customer_id, old.phone, "王五")
    assert new.team_id == old.team_id and new.decided_by == M1
    [event] = await events(rt, "claim.transferred")
    assert (event.actor_id, event.claim_id) == (M1, held.claim_id)
    assert event.data | {"protection_until": None} == {
        "from_id": R1,
        "to_id": R2,
        "new_claim_id": new.id,
        "reason": "R1 leaves",
        "protection_until": None,
        "by": "manager",
    }
    assert [n.recipient for n in await notices(rt, "transfer.from")] == [R1]
    assert [n.recipient for n in await notices(rt, "transfer.to")] == [R2]
    # The same claim cannot be handed over twice.
    again = await rt.transfers.transfer(WS, M2, held.claim_id, R2, "again")
    assert again.refusal is TransferRefusal.NOT_ACTIVE


async def test_every_refusal_changes_nothing_and_rights_refusals_are_audited(
    rt: Runtime,
) -> None:
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    claim_id = held.claim_id
    assert claim_id is not None
    cases = [
        (R2, R3, TransferRefusal.NOT_MANAGER),
        (M3, R3, TransferRefusal.NOT_MANAGER),
        (R1, R2, TransferRefusal.OWN_CLAIM),
        (M1, R1, TransferRefusal.SAME_OWNER),
        (M1, M1, TransferRefusal.SELF),
        (M1, R3, TransferRefusal.OUTSIDE_TEAMS),
    ]
    for actor, target, refusal in cases:
        result = await rt.transfers.transfer(WS, actor, claim_id, target, "reason")
        assert result.refusal is refusal, (actor, target)
    assert (
        await rt.transfers.release(WS, R2, claim_id, "x")
    ).refusal is TransferRefusal.NOT_MANAGER
    assert (
        await rt.transfers.transfer(WS, A1, 999_999, R2, "x")
    ).refusal is TransferRefusal.UNKNOWN
    assert (await stored(rt, claim_id)).status == "active"
    refused = await events(rt, "access.refused")
    assert [(e.actor_id, e.data["reason"]) for e in refused] == [
        (R2, "not_manager"),
        (M3, "not_manager"),
        (R1, "own_claim"),
        (R2, "not_manager"),
        (A1, "unknown"),
    ]
    # An admin hands over across teams (the e2e tests cover going over the cap).
    crossed = await rt.transfers.transfer(WS, A1, claim_id, R3, "territory")
    assert crossed.ok and crossed.holding == 1 and not crossed.over_cap
    assert (await stored(rt, crossed.new_claim_id or 0)).team_id != (
        await stored(rt, claim_id)
    ).team_id


async def test_two_managers_at_once_hand_the_claim_over_once(rt: Runtime) -> None:
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    assert held.claim_id is not None
    results = await asyncio.gather(
        rt.transfers.transfer(WS, M1, held.claim_id, R2, "to R2"),
        rt.transfers.release(WS, M2, held.claim_id, "to the pool"),
    )
    assert sorted(r.ok for r in results) == [False, True]
    assert [r.refusal for r in results if not r.ok] == [TransferRefusal.NOT_ACTIVE]
    async with rt.db.session() as session:
        holding = list(
            await session.scalars(select(Claim).where(Claim.status.in_(["active", "pending"])))
        )
    assert len(holding) == (1 if results[0].ok else 0)


async def test_a_release_goes_through_the_pool_like_a_reclaim(rt: Runtime) -> None:
    held = await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    assert held.claim_id is not None
    requested = await rt.lifecycle.extensions.request(WS, R1, held.claim_id, "board meets soon")
    assert not isinstance(requested, str)
    released = await rt.transfers.release(WS, M1, held.claim_id, "Nobody called them")
    assert released.ok
    claim = await stored(rt, held.claim_id)
    assert (claim.status, claim.end_reason) == ("released", "released")
    async with rt.db.session() as session:
        customer = await session.get(Customer, claim.customer_id)
        request = (await session.scalars(select(ExtensionRequest))).one()
    assert customer is not None and customer.pooled_at == rt.clock.now()
    assert request.status == "cancelled"
    [announcement] = await notices(rt, "pool.announcement")
    assert announcement.recipient == POOL and announcement.payload["reason"] == "released"
    assert "owner_id" not in announcement.payload, "the pool names no former owner"
    [told] = await notices(rt, "release.owner")
    assert told.recipient == R1 and told.payload["cooldown_until"] is not None
    [event] = await events(rt, "claim.released")
    assert (event.actor_id, event.data) == (M1, {"owner_id": R1, "reason": "Nobody called them"})
    page = await rt.lifecycle.pool.page(WS, 0)
    assert [c.name for c in page.customers] == ["上海艾克美机器人有限公司"]
