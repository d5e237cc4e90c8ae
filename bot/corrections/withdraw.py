"""The owner withdraws a pending or active claim (撤回报备), with a reason.

Decisions the issue left open, made here:

- Only the owner withdraws: a manager who wants a claim gone releases or rejects it, which
  say something different to the rep and to the pool.
- The claim ends as ``released`` with end reason ``withdrawn`` (:mod:`store.transitions`). The
  customer is simply free again: it does not join the public pool (nobody let it lapse), no pool
  announcement is made, and the rep's cool-down does not apply (they chose to let go).
- A pending claim's approvers are told (its approval card would otherwise wait for a decision
  that no longer exists; a click on it is refused as stale). Pending extension requests close.
- It runs under the workspace's claim lock, so it is ordered with filings and decisions: a
  manager approving at the same moment either approves first (and the withdrawal ends an active
  claim) or finds the claim withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.approvals.routing import ApprovalRouter
from bot.corrections.common import Correction, Corrector
from bot.notify.kinds import NoticeKind
from store import audit, transitions
from store import lifecycle as lifecycle_store
from store.models import ClaimStatus, EndReason


@dataclass
class WithdrawService(Corrector):
    """The owner's withdrawal of a claim."""

    action = "withdraw"
    owner_only = True
    router: ApprovalRouter

    async def withdraw(
        self, workspace_id: str, actor_id: str, claim_id: int, reason: str
    ) -> Correction:
        """End the owner's pending or active claim; the customer is free at once."""
        await self.directory.ensure_seeded(workspace_id)
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            claim, refused = await self._load(session, workspace_id, actor_id, claim_id)
            if refused is not None:
                return refused
            assert claim is not None
            was = ClaimStatus(claim.status)
            await transitions.move(
                session,
                workspace_id,
                [claim.id],
                source=[ClaimStatus.PENDING, ClaimStatus.ACTIVE],
                target=ClaimStatus.RELEASED,
                reason=EndReason.WITHDRAWN,
                at=now,
            )
            await lifecycle_store.cancel_extension_requests(
                session, workspace_id, [claim.id], at=now
            )
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_WITHDRAWN,
                by=actor_id,
                at=now,
                data={"owner_id": claim.owner_id, "was": was.value, "reason": reason},
            )
            if was is ClaimStatus.PENDING:
                await self.router.tell_approvers(
                    session,
                    workspace_id,
                    claim,
                    kind=NoticeKind.CLAIM_WITHDRAWN,
                    key="withdrawn",
                    payload={
                        "customer_name": claim.customer_name,
                        "claim_id": claim.id,
                        "owner_id": claim.owner_id,
                        "reason": reason,
                    },
                    at=now,
                )
            return Correction(
                None, claim.id, claim.customer_name, claim.owner_id, ClaimStatus.RELEASED
            )
