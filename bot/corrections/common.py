"""What withdrawing and editing a claim share: why one is refused, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.guard import Denial, Need, guard
from store import claims as claim_store
from store.db import Database
from store.models import Claim, ClaimStatus

# Free-text limit of a withdrawal's reason (the cards show it whole).
REASON_MAX = 1000


class CorrectionRefusal(StrEnum):
    """Why a withdrawal or an edit was not done."""

    UNKNOWN = "unknown"  # no such claim here (or one the actor may not see)
    NOT_OWNER = "not_owner"  # only its owner withdraws a claim
    NOT_OPEN = "not_open"  # ended, or won (nothing left to withdraw or correct)
    NOT_REJECTED = "not_rejected"  # only a rejected claim is resubmitted
    COLLISION = "collision"  # the edit makes the customer someone else's
    UNCHANGED = "unchanged"  # an edit that changes nothing


@dataclass(frozen=True, slots=True)
class Correction:
    """What came of a withdrawal or an edit (or of the check before its modal)."""

    refusal: CorrectionRefusal | None = None
    claim_id: int = 0
    customer_name: str = ""
    owner_id: str = ""
    status: ClaimStatus | None = None
    # An edit: the fields it changed, {field: [before, after]} as people read them.
    changes: dict[str, list[Any]] = field(default_factory=dict)
    # An edit refused as a collision: who holds the customer it would have become.
    holder_id: str | None = None
    # An edit whose new identifiers resemble another customer: the claim waits for approval.
    held_for_approval: bool = False

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @classmethod
    def of(cls, claim: Claim, refusal: CorrectionRefusal | None = None, **more: Any) -> Correction:
        return cls(
            refusal,
            claim.id,
            claim.customer_name,
            claim.owner_id,
            ClaimStatus(claim.status),
            **more,
        )


# The guard's refusals in a corrector's words (someone who may not see the claim learns nothing).
CORRECTOR_REFUSALS = {
    Denial.UNKNOWN: CorrectionRefusal.UNKNOWN,
    Denial.NOT_OWNER: CorrectionRefusal.NOT_OWNER,
}


async def correctable(
    session: AsyncSession,
    directory: Directory,
    workspace_id: str,
    actor_id: str,
    claim_id: int,
    *,
    action: str,
    owner_only: bool,
    at: datetime,
    statuses: tuple[ClaimStatus, ...] = (ClaimStatus.PENDING, ClaimStatus.ACTIVE),
) -> tuple[Claim | None, Correction | None]:
    """The claim, read afresh, if ``actor_id`` may withdraw (``owner_only``) or edit it now;
    else the refusal. Someone without the right learns nothing of the claim, and is audited."""
    claim = await claim_store.get_claim(session, workspace_id, claim_id)
    refusal = await guard(
        session,
        directory,
        workspace_id,
        actor_id,
        claim,
        need=Need.OWNER if owner_only else Need.VIEWER,
        refusals=CORRECTOR_REFUSALS,
        action=action,
        ref=claim_id,
        at=at,
    )
    if refusal is not None:
        return None, Correction(refusal)
    assert claim is not None
    if claim.status not in statuses:
        return None, Correction.of(claim, CorrectionRefusal.NOT_OPEN)
    return claim, None


@dataclass
class Corrector:
    """What a correction service needs to find the claim and check the actor's right to it."""

    db: Database
    clock: Clock
    directory: Directory

    action: ClassVar[str]
    owner_only: ClassVar[bool]
    # The statuses a claim is corrected in.
    statuses: ClassVar[tuple[ClaimStatus, ...]] = (ClaimStatus.PENDING, ClaimStatus.ACTIVE)

    async def _load(
        self, session: AsyncSession, workspace_id: str, actor_id: str, claim_id: int
    ) -> tuple[Claim | None, Correction | None]:
        return await correctable(
            session,
            self.directory,
            workspace_id,
            actor_id,
            claim_id,
            action=self.action,
            owner_only=self.owner_only,
            at=self.clock.now(),
            statuses=self.statuses,
        )

    async def check(
        self, workspace_id: str, actor_id: str, claim_id: int
    ) -> tuple[Correction, Claim | None]:
        """Whether ``actor_id`` may correct the claim now, and the claim to prefill a form with."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.write() as session:
            claim, refused = await self._load(session, workspace_id, actor_id, claim_id)
            if refused is not None:
                return self._refused(refused), None
            assert claim is not None
            session.expunge(claim)
            return Correction.of(claim), claim

    def _refused(self, refused: Correction) -> Correction:
        """The refusal as this correction words it."""
        return refused
