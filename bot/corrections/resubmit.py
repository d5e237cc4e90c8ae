"""**Correct and resubmit** a rejected claim (重新补充或修改信息后再次提交).

The resubmission is a new claim, filed like any other (its own timestamp, first come first served
under the claim lock, the same duplicate check and approval rules): what the rep corrects is the
data, not their place in the queue. It points at the rejected claim (``claims.resubmits_id``) and
carries what changed, so the approver sees both. Only the rep who filed the rejected claim may
resubmit it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.claims.batch import Resubmission
from bot.claims.draft import ClaimDraft
from bot.corrections.common import Correction, CorrectionRefusal, Corrector
from bot.corrections.edit import changes_of
from store.models import ClaimStatus


@dataclass
class ResubmitService(Corrector):
    """Which rejected claim a rep may correct and resubmit, and what they changed."""

    action = "resubmit"
    owner_only = True
    statuses = (ClaimStatus.REJECTED,)

    def _refused(self, refused: Correction) -> Correction:
        # Someone else's claim, or one not rejected: the same answer, which reveals nothing.
        if refused.refusal in (CorrectionRefusal.NOT_OPEN, CorrectionRefusal.NOT_OWNER):
            return Correction(CorrectionRefusal.NOT_REJECTED)
        return refused

    async def prepare(
        self, workspace_id: str, actor_id: str, claim_id: int, draft: ClaimDraft
    ) -> Resubmission | Correction:
        """The link a resubmission of ``draft`` carries, or why it may not be filed."""
        checked, claim = await self.check(workspace_id, actor_id, claim_id)
        if claim is None:
            return checked
        changes = changes_of(claim, draft)
        if not changes:
            return Correction.of(claim, CorrectionRefusal.UNCHANGED)
        return Resubmission(claim.id, changes)
