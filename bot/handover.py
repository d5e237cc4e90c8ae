"""Handing a customer from one claim to a new one: the primitive under a manager's transfer
(:mod:`bot.transfers`) and a dispute's (:mod:`bot.disputes`), and the claim as the release path
takes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.lifecycle.timeline import protection_end
from bot.rules import Rules
from store import audit, transitions
from store import customers as customer_store
from store import disputes as dispute_store
from store import lifecycle as lifecycle_store
from store.lifecycle import ClaimClock
from store.models import Claim, ClaimStatus, Decision, EndReason, Via


def copied_details(claim: Claim) -> dict[str, Any]:
    """What a claim handed over keeps: the customer data its owner filed."""
    return {
        "customer_name": claim.customer_name,
        "other_name": claim.other_name,
        "contact_name": claim.contact_name,
        "phone": claim.phone,
        "email": claim.email,
        "credit_code": claim.credit_code,
        "need_summary": claim.need_summary,
        "region": claim.region,
        "source_channel": claim.source_channel,
        "deal_size": claim.deal_size,
        "first_contact_on": claim.first_contact_on,
    }


async def hand_over(
    session: AsyncSession,
    workspace_id: str,
    *,
    old: Claim | None,
    customer_id: int,
    to_id: str,
    to_team: int | None,
    actor_id: str,
    reason: str,
    submission_key: str,
    details: dict[str, Any],
    stage: str | None,
    rules: Rules,
    now: datetime,
    audit_data: dict[str, Any],
) -> Claim:
    """End ``old`` (if it still holds the customer) and file the new owner's claim, audited.

    The caller holds the workspace's claim lock and has checked ``old`` is still holding (or,
    with ``old=None``, that nobody holds the customer).
    """
    if old is not None:
        await transitions.move(
            session,
            workspace_id,
            [old.id],
            source=ClaimStatus.holding(),
            target=ClaimStatus.RELEASED,
            reason=EndReason.TRANSFERRED,
            at=now,
        )
        await lifecycle_store.cancel_extension_requests(session, workspace_id, [old.id], at=now)
    else:
        await customer_store.mark_claimed(session, workspace_id, customer_id)
    until = protection_end(now, rules, details)
    claim = await dispute_store.add_claim(
        session,
        Claim(
            workspace_id=workspace_id,
            customer_id=customer_id,
            owner_id=to_id,
            team_id=to_team,
            status=ClaimStatus.ACTIVE.value,
            via=Via.TRANSFER,
            submission_key=submission_key,
            submitted_at=now,
            rules_fired={"rules": [], "candidates": []},
            decided_at=now,
            decided_by=actor_id,
            decision=Decision.TRANSFER,
            decision_reason=reason,
            protection_until=until,
            last_activity_at=now,
            stage=stage,
            stage_since=now if stage else None,
            **details,
        ),
    )
    await audit.record(
        session,
        workspace_id,
        audit.Action.CLAIM_TRANSFERRED,
        actor_id=actor_id,
        at=now,
        customer_id=customer_id,
        claim_id=old.id if old is not None else claim.id,
        data={
            "from_id": old.owner_id if old is not None else None,
            "to_id": to_id,
            "new_claim_id": claim.id,
            "reason": reason,
            "protection_until": until.isoformat(),
        }
        | audit_data,
    )
    return claim


async def hand_over_claim(
    session: AsyncSession,
    claim: Claim,
    *,
    to_id: str,
    to_team: int | None,
    actor_id: str,
    reason: str,
    submission_key: str,
    rules: Rules,
    now: datetime,
    audit_data: dict[str, Any],
) -> Claim:
    """:func:`hand_over` a held claim to ``to_id`` with its customer data and stage."""
    return await hand_over(
        session,
        claim.workspace_id,
        old=claim,
        customer_id=claim.customer_id,
        to_id=to_id,
        to_team=to_team,
        actor_id=actor_id,
        reason=reason,
        submission_key=submission_key,
        details=copied_details(claim),
        stage=claim.stage,
        rules=rules,
        now=now,
        audit_data=audit_data,
    )


def clock_of(claim: Claim) -> ClaimClock:
    """The claim as the release path takes it."""
    return ClaimClock.of(claim)
