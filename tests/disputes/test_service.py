"""Disputes against a real database (SQLite and PostgreSQL): opened once by either rep, sent to
the managers of both, ruled once — a transfer hands the customer over under the claim lock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import select

from bot.claims.draft import ClaimDraft
from bot.disputes import DisputeRefusal, Verdict
from bot.runtime import Runtime
from store.models import Claim, ClaimStatus, Collision
from tests.approvals.conftest import (
    A1,
    M1,
    M2,
    M3,
    R1,
    R2,
    R3,
    WS,
    events,
    file,
    make_runtime,
    notices,
    stored,
)

NAME = "上海艾克美机器人有限公司"


@pytest_asyncio.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await make_runtime(database_url)
    yield runtime
    await runtime.close()


async def collide(
    rt: Runtime, holder: str = R1, challenger: str = R3, name: str = NAME, phone: str = "0101"
) -> tuple[int, int]:
    """``holder`` claims ``name``, ``challenger`` collides with it: (holder's claim, collision)."""
    held = await file(rt, holder, ClaimDraft(customer_name=name, phone=f"+86215555{phone}"))
    assert held.claim_id is not None
    tried = await file(
        rt,
        challenger,
        ClaimDraft(customer_name=name, contact_name="李四", phone=f"+86139001{phone}"),
    )
    assert tried.collision_id is not None
    return held.claim_id, tried.collision_id


async def collision(rt: Runtime, collision_id: int) -> Collision:
    async with rt.db.session() as session:
        found = await session.get(Collision, collision_id)
        assert found is not None
        return found


async def holding(rt: Runtime) -> list[Claim]:
    async with rt.db.session() as session:
        rows = await session.scalars(
            select(Claim).where(Claim.status.in_([s.value for s in ClaimStatus.holding()]))
        )
        return list(rows)


async def test_the_challenger_opens_it_and_the_managers_of_both_reps_get_the_card(
    rt: Runtime,
) -> None:
    _, collision_id = await collide(rt)
    opened = await rt.disputes.open(WS, R3, str(collision_id), "I met them first")
    assert opened.ok and opened.case is not None and opened.case.open
    assert sorted(opened.recipients) == [M1, M2, M3]
    cards = await notices(rt, "dispute.card")
    assert sorted(c.recipient for c in cards) == [M1, M2, M3]
    assert cards[0].payload["_subject"] == "dispute"
    assert cards[0].payload["_subject_id"] == collision_id
    assert [n.recipient for n in await notices(rt, "dispute.opened")] == [R1]
    row = await collision(rt, collision_id)
    assert (row.dispute_status, row.disputed_by, row.dispute_reason) == (
        "open",
        R3,
        "I met them first",
    )
    [event] = await events(rt, "dispute.opened")
    assert (event.actor_id, event.data["reason"]) == (R3, "I met them first")
    # One dispute per collision, whichever side tries next; strangers are refused and audited.
    again = await rt.disputes.open(WS, R1, str(collision_id), "No, I did")
    assert again.refusal is DisputeRefusal.OPEN_ALREADY and again.case is not None
    assert again.case.disputed_by == R3
    assert (
        await rt.disputes.open(WS, R2, str(collision_id), "x")
    ).refusal is DisputeRefusal.NOT_PARTY
    assert (await rt.disputes.open(WS, R2, "999999", "x")).refusal is DisputeRefusal.UNKNOWN
    assert [e.data["reason"] for e in await events(rt, "access.refused")] == [
        "not_party",
        "unknown",
    ]


async def test_keep_holder_records_the_ruling_and_tells_both_reps(rt: Runtime) -> None:
    claim_id, collision_id = await collide(rt)
    await rt.disputes.open(WS, R1, str(collision_id), "R3 knew it was mine")
    ruled = await rt.disputes.decide(WS, M3, str(collision_id), Verdict.KEEP, "R1 filed first")
    assert ruled.ok and ruled.case is not None and ruled.case.status == "kept"
    row = await collision(rt, collision_id)
    assert (row.dispute_status, row.decided_by, row.decision_reason) == (
        "kept",
        M3,
        "R1 filed first",
    )
    assert row.decided_at == rt.clock.now()
    assert [c.id for c in await holding(rt)] == [claim_id]
    told = await notices(rt, "dispute.decided")
    assert sorted((n.recipient, n.payload["side"]) for n in told) == [
        (R1, "holder"),
        (R3, "challenger"),
    ]
    second = await rt.disputes.decide(WS, M1, str(collision_id), Verdict.TRANSFER, "no")
    assert second.refusal is DisputeRefusal.DECIDED and second.case is not None
    assert second.case.decided_by == M3
    assert await events(rt, "claim.transferred") == []


async def test_transfer_hands_the_customer_to_the_challenger(rt: Runtime) -> None:
    claim_id, collision_id = await collide(rt)
    await rt.disputes.open(WS, R3, str(collision_id), "mine")
    ruled = await rt.disputes.decide(WS, A1, str(collision_id), Verdict.TRANSFER, "R3 was first")
    assert ruled.ok and ruled.case is not None and ruled.case.new_claim_id is not None
    old = await stored(rt, claim_id)
    assert (old.status, old.end_reason) == ("released", "transferred")
    [new] = await holding(rt)
    assert new.id == ruled.case.new_claim_id
    assert (new.owner_id, new.via, new.contact_name, new.phone) == (
        R3,
        "transfer",
        "李四",
        "+861390010101",
    )
    assert new.submission_key == f"dispute:{collision_id}" and new.decided_by == A1
    [moved] = await events(rt, "claim.transferred")
    assert moved.data["by"] == "dispute" and moved.data["collision_id"] == collision_id
    [decided] = await events(rt, "dispute.decided")
    assert decided.data["new_claim_id"] == new.id
    case = await rt.disputes.case(WS, collision_id)
    assert case is not None and case.new_claim_id == new.id


async def test_only_managers_of_either_rep_or_admins_rule_never_the_reps(rt: Runtime) -> None:
    _, collision_id = await collide(rt, R1, R2)
    await rt.disputes.open(WS, R2, str(collision_id), "mine")
    for actor, refusal in ((R1, DisputeRefusal.PARTY), (R2, DisputeRefusal.PARTY), (M3, DisputeRefusal.NOT_DECIDER),
                           (R3, DisputeRefusal.NOT_DECIDER)):  # fmt: skip
        attempt = await rt.disputes.decide(WS, actor, str(collision_id), Verdict.KEEP, "x")
        assert attempt.refusal is refusal and attempt.case is None, actor
        assert (await rt.disputes.may_decide(WS, actor, str(collision_id))).refusal is refusal
    assert (await collision(rt, collision_id)).dispute_status == "open"
    assert (await rt.disputes.may_decide(WS, M2, str(collision_id))).ok
    # A manager who is himself the challenger is one of the two: he neither gets nor rules it.
    _, own = await collide(rt, R3, M1, "深圳华强电子有限公司", "0202")
    opened = await rt.disputes.open(WS, M1, str(own), "mine")
    assert M1 not in opened.recipients and M3 in opened.recipients
    assert (
        await rt.disputes.decide(WS, M1, str(own), Verdict.TRANSFER, "x")
    ).refusal is DisputeRefusal.PARTY


async def test_two_rulings_at_once_make_one(rt: Runtime) -> None:
    _, collision_id = await collide(rt)
    await rt.disputes.open(WS, R3, str(collision_id), "mine")
    results = await asyncio.gather(
        rt.disputes.decide(WS, M1, str(collision_id), Verdict.KEEP, "keep"),
        rt.disputes.decide(WS, M3, str(collision_id), Verdict.TRANSFER, "move"),
    )
    assert sorted(r.ok for r in results) == [False, True]
    assert [r.refusal for r in results if not r.ok] == [DisputeRefusal.DECIDED]
    assert len(await events(rt, "dispute.decided")) == 1
    assert len(await holding(rt)) == 1


async def test_a_claim_that_ended_or_moved_on_changes_what_a_dispute_can_do(
    rt: Runtime,
) -> None:
    claim_id, collision_id = await collide(rt)
    await rt.disputes.open(WS, R3, str(collision_id), "mine")
    assert (await rt.transfers.release(WS, M1, claim_id, "idle")).ok
    # Someone else claims it from the pool: the transfer cannot take it from them.
    taken = await rt.lifecycle.pool.claim(
        WS,
        await rt.directory.filer(WS, rt.people.default_profile(R2)),
        (await stored(rt, claim_id)).customer_id,
    )
    assert taken.verdict is not None and taken.verdict.claim_id is not None
    blocked = await rt.disputes.decide(WS, M3, str(collision_id), Verdict.TRANSFER, "x")
    assert blocked.refusal is DisputeRefusal.HELD_ELSEWHERE and blocked.held_by == R2
    assert (await collision(rt, collision_id)).dispute_status == "open"
    assert (await rt.disputes.decide(WS, M3, str(collision_id), Verdict.KEEP, "moot")).ok

    # A collision whose holder's claim ended cannot be disputed any more.
    second_claim = await file(
        rt, R1, ClaimDraft(customer_name="深圳华强电子有限公司", phone="+8613600136000")
    )
    tried = await file(
        rt, R3, ClaimDraft(customer_name="深圳华强电子有限公司", phone="+8613700137000")
    )
    assert second_claim.claim_id is not None and tried.collision_id is not None
    assert (await rt.transfers.release(WS, M1, second_claim.claim_id, "idle")).ok
    late = await rt.disputes.open(WS, R3, str(tried.collision_id), "mine")
    assert late.refusal is DisputeRefusal.CLAIM_ENDED


async def test_a_transfer_after_the_holder_let_go_takes_the_customer_out_of_the_pool(
    rt: Runtime,
) -> None:
    claim_id, collision_id = await collide(rt)
    await rt.disputes.open(WS, R3, str(collision_id), "mine")
    assert (await rt.transfers.release(WS, M1, claim_id, "idle")).ok
    ruled = await rt.disputes.decide(WS, M3, str(collision_id), Verdict.TRANSFER, "R3's now")
    assert ruled.ok and ruled.case is not None
    [new] = await holding(rt)
    assert (new.owner_id, new.id) == (R3, ruled.case.new_claim_id)
    assert (await rt.lifecycle.pool.page(WS, 0)).total == 0
    [moved] = await events(rt, "claim.transferred")
    assert moved.data["from_id"] is None and moved.claim_id == new.id
