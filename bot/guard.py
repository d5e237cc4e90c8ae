"""The one guard before anyone acts on a claim: does it exist here → is it the caller's own →
may they act on it → audit the refusal.

Approvals, transfers and corrections each ask it, naming their refusals in their own words (the
texts people read differ: "not an approver" against "not a manager of this team"); the order of
the checks and the audit row are the same everywhere. The order matters: someone without the
right learns nothing about the claim, not even its state, so state checks come after the guard.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from enum import Enum, StrEnum, auto
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory
from store import audit
from store.models import Claim

log = logging.getLogger(__name__)


class Need(Enum):
    """What the caller must be to the claim."""

    DECIDER = auto()  # a manager of the owner's team or an admin; never on their own claim
    OWNER = auto()  # the claim's owner
    VIEWER = auto()  # anyone who may see it: the owner, their managers, admins


class Denial(StrEnum):
    """Why the guard stops someone, before any state of the claim is looked at."""

    UNKNOWN = "unknown"  # no such claim here, or one the caller may not see
    OWN_CLAIM = "own_claim"  # a decision on one's own claim
    NOT_OWNER = "not_owner"  # only the owner may
    NOT_DECIDER = "not_decider"  # neither a manager of the owner's team nor an admin


R = TypeVar("R", bound=StrEnum)


async def denial(
    session: AsyncSession,
    directory: Directory,
    workspace_id: str,
    actor_id: str,
    claim: Claim | None,
    need: Need,
) -> Denial | None:
    """Why ``actor_id`` may not act on ``claim`` as ``need`` says; ``None`` when they may."""
    if claim is None:
        return Denial.UNKNOWN
    if need is Need.DECIDER:
        if claim.owner_id == actor_id:
            return Denial.OWN_CLAIM
        if not await directory.can_decide(
            session, workspace_id, actor_id, owner_id=claim.owner_id, team_id=claim.team_id
        ):
            return Denial.NOT_DECIDER
        return None
    if need is Need.OWNER and claim.owner_id != actor_id:
        return Denial.NOT_OWNER
    if not await directory.can_see(
        session, workspace_id, actor_id, owner_id=claim.owner_id, team_id=claim.team_id
    ):
        return Denial.UNKNOWN
    return None


async def guard(
    session: AsyncSession,
    directory: Directory,
    workspace_id: str,
    actor_id: str,
    claim: Claim | None,
    *,
    need: Need,
    refusals: Mapping[Denial, R],
    action: str,
    ref: object,
    at: datetime,
) -> R | None:
    """The caller's refusal (from ``refusals``) if the guard stops ``actor_id``, audited in the
    caller's transaction; ``None`` when they may go on."""
    found = await denial(session, directory, workspace_id, actor_id, claim, need)
    if found is None:
        return None
    refusal = refusals[found]
    await audit_claim_refusal(
        session,
        workspace_id,
        claim,
        actor_id=actor_id,
        action=action,
        reason=refusal,
        ref=ref,
        at=at,
    )
    return refusal


async def audit_claim_refusal(
    session: AsyncSession,
    workspace_id: str,
    claim: Claim | None,
    *,
    actor_id: str,
    action: str,
    reason: str,
    ref: object,
    at: datetime,
) -> None:
    """Record a refused attempt on ``claim`` (``None``: on a claim not found)."""
    await audit_refusal(
        session,
        workspace_id,
        actor_id=actor_id,
        action=action,
        reason=str(reason),
        ref=ref,
        at=at,
        customer_id=claim.customer_id if claim else None,
        claim_id=claim.id if claim else None,
    )


async def audit_refusal(
    session: AsyncSession,
    workspace_id: str,
    *,
    actor_id: str,
    action: str,
    reason: str,
    ref: object,
    at: datetime,
    customer_id: int | None = None,
    claim_id: int | None = None,
) -> None:
    """Record a refused attempt (``ref``: what the click or form named, cut short: it may be
    forged)."""
    log.info("refused %s by %s on %r: %s", action, actor_id, ref, reason)
    await audit.record(
        session,
        workspace_id,
        audit.Action.ACCESS_REFUSED,
        actor_id=actor_id,
        at=at,
        customer_id=customer_id,
        claim_id=claim_id,
        data={"action": action, "reason": reason, "value": str(ref)[:64]},
    )
