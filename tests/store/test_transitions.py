"""A claim's status changes only as store/transitions.py lists; every other change is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store import transitions
from store.db import Database
from store.models import Claim, ClaimStatus, Customer, EndReason
from store.transitions import TRANSITIONS, IllegalTransition, allowed, move, move_loaded

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
W = "T1"
REASONS: list[EndReason | None] = [None, *EndReason]


def test_every_change_not_listed_is_refused() -> None:
    for source in ClaimStatus:
        for target in ClaimStatus:
            for reason in REASONS:
                listed = reason in TRANSITIONS.get((source, target), frozenset())
                assert allowed(source, target, reason) is listed
                claim = Claim(status=source.value, version=1)
                if listed:
                    move_loaded(claim, target, at=AT, reason=reason)
                    assert claim.status == target.value
                else:
                    with pytest.raises(IllegalTransition):
                        move_loaded(claim, target, at=AT, reason=reason)
                    assert claim.status == source.value


def test_the_life_of_a_claim() -> None:
    """What the product does, and nothing more: ended claims never come back, and only a
    claim that ends says why."""
    ended = {ClaimStatus.REJECTED, ClaimStatus.LOST, ClaimStatus.RELEASED}
    for (source, target), reasons in TRANSITIONS.items():
        assert source not in ended
        assert source is not target
        assert (None in reasons) is (target in (ClaimStatus.ACTIVE, ClaimStatus.PENDING))
    assert {r for reasons in TRANSITIONS.values() for r in reasons} == set(REASONS)


async def _claim(db: Database, status: ClaimStatus) -> int:
    async with db.write() as session:
        customer = Customer(workspace_id=W, name="Acme", name_key="acme", created_at=AT)
        session.add(customer)
        await session.flush()
        claim = Claim(
            workspace_id=W,
            customer_id=customer.id,
            owner_id="U1",
            status=status.value,
            submission_key="k1",
            submitted_at=AT,
            customer_name="Acme",
        )
        session.add(claim)
        await session.flush()
        return claim.id


async def test_a_move_happens_once_and_stamps_the_end(db: Database) -> None:
    claim_id = await _claim(db, ClaimStatus.PENDING)
    async with db.write() as session:
        other_workspace = await move(
            session,
            "T2",
            [claim_id],
            source=[ClaimStatus.PENDING],
            target=ClaimStatus.ACTIVE,
            at=AT,
        )
        first = await move(
            session,
            W,
            [claim_id],
            source=[ClaimStatus.PENDING],
            target=ClaimStatus.REJECTED,
            reason=EndReason.REJECTED,
            at=AT,
            decided_by="M1",
        )
        second = await move(
            session,
            W,
            [claim_id],
            source=[ClaimStatus.PENDING],
            target=ClaimStatus.ACTIVE,
            at=AT,
        )
    assert (first, second, other_workspace) == (1, 0, 0)
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None
        assert (claim.status, claim.end_reason, claim.decided_by, claim.version) == (
            "rejected",
            "rejected",
            "M1",
            2,
        )
        assert claim.ended_at is not None


async def test_a_refused_move_writes_nothing(db: Database) -> None:
    claim_id = await _claim(db, ClaimStatus.RELEASED)
    async with db.write() as session:
        with pytest.raises(IllegalTransition):
            await transitions.move(
                session,
                W,
                [claim_id],
                source=[ClaimStatus.RELEASED],
                target=ClaimStatus.ACTIVE,
                at=AT,
            )
    async with db.session() as session:
        claim = await session.get(Claim, claim_id)
        assert claim is not None and (claim.status, claim.version) == ("released", 1)
