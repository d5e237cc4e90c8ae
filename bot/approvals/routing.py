"""Who is told about a claim waiting for a decision: the approvals channel when one is configured,
otherwise the managers of the claim's team by DM (the admins when the team has none)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.case import ApprovalCase
from bot.directory import Directory
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store.models import Claim

log = logging.getLogger(__name__)

# The ``subject`` of posted cards, so every copy can be updated in place.
APPROVAL_SUBJECT = "approval"
QUESTION_SUBJECT = "question"

# Outbox notice kinds (cards.approval renders them).


@dataclass
class ApprovalRouter:
    """Sends the approval card, and what follows it, to whoever decides a claim."""

    directory: Directory
    rules: Rules

    async def recipients(self, session: AsyncSession, workspace_id: str, claim: Claim) -> list[str]:
        """The approvals channel, or the approvers' user ids (DMs)."""
        channel = self.rules.channels.approvals
        if channel:
            return [channel]
        return await self.directory.approvers(session, workspace_id, claim.owner_id, claim.team_id)

    async def announce(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim: Claim,
        *,
        at: datetime,
        repeat: str = "",
    ) -> list[str]:
        """Enqueue the approval card for a claim just filed as pending, in the filing's transaction.
        ``repeat`` tells a later card on the same claim from the first (an edit sent it back).

        Returns the recipients; none (no manager and no admin anywhere) is logged, because the
        claim then waits for nobody.
        """
        recipients = await self.recipients(session, workspace_id, claim)
        if not recipients:
            log.warning(
                "claim %s of %s waits for approval but nobody can decide it: "
                "no team manager and no admin (set CLAIMBOT_ADMINS or admins: in the rules)",
                claim.id,
                claim.owner_id,
            )
        payload = ApprovalCase.of(claim, self.rules).to_payload()
        for recipient in recipients:
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=NoticeKind.APPROVAL_CARD,
                    recipient=recipient,
                    dedupe_key=f"claim:{claim.id}:approval:{recipient}{repeat}",
                    payload=payload,
                    subject=APPROVAL_SUBJECT,
                    subject_id=claim.id,
                ),
                at=at,
            )
        return recipients

    async def tell_approvers(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim: Claim,
        *,
        kind: str,
        key: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> None:
        """Enqueue a notice about ``claim`` to everyone its approval card went to."""
        for recipient in await self.recipients(session, workspace_id, claim):
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=kind,
                    recipient=recipient,
                    dedupe_key=f"claim:{claim.id}:{key}:{recipient}",
                    payload=payload,
                ),
                at=at,
            )
