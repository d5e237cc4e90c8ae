"""Who is told about a dispute: its card to whoever rules on it, a word to the other rep."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory
from bot.disputes.case import DISPUTE_SUBJECT, DisputeCase
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store.models import Claim, Collision

log = logging.getLogger(__name__)


@dataclass
class DisputeRouter:
    """Sends the dispute card to the deciders and tells the other rep, in the opening's
    transaction."""

    directory: Directory
    rules: Rules

    async def deciders(
        self, session: AsyncSession, workspace_id: str, collision: Collision, holder: Claim | None
    ) -> list[str]:
        """The approvals channel, or the approvers of both reps (never either rep)."""
        if self.rules.channels.approvals:
            return [self.rules.channels.approvals]
        parties = (collision.holder_id, collision.challenger_id)
        found: list[str] = []
        sides = (
            (collision.holder_id, holder.team_id if holder else None),
            (collision.challenger_id, None),
        )
        for owner, team_id in sides:
            for person in await self.directory.approvers(session, workspace_id, owner, team_id):
                if person not in found and person not in parties:
                    found.append(person)
        if not found:
            admins = await self.directory.admins(session, workspace_id)
            found = [a for a in admins if a not in parties]
        return found

    async def announce(
        self,
        session: AsyncSession,
        workspace_id: str,
        collision: Collision,
        holder: Claim | None,
        case: DisputeCase,
        *,
        opened_by: str,
        at: datetime,
    ) -> list[str]:
        """Enqueue the card for the deciders and the notice for the other rep; the deciders."""
        recipients = await self.deciders(session, workspace_id, collision, holder)
        if not recipients:
            log.warning("dispute %s waits for nobody: no manager and no admin", collision.id)
        for recipient in recipients:
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=NoticeKind.DISPUTE_CARD,
                    recipient=recipient,
                    dedupe_key=f"dispute:{collision.id}:card:{recipient}",
                    payload=case.to_payload(),
                    subject=DISPUTE_SUBJECT,
                    subject_id=collision.id,
                ),
                at=at,
            )
        other = collision.challenger_id if opened_by == collision.holder_id else collision.holder_id
        await enqueue(
            session,
            workspace_id,
            Notice(
                kind=NoticeKind.DISPUTE_OPENED,
                recipient=other,
                dedupe_key=f"dispute:{collision.id}:opened",
                payload=case.to_payload(),
            ),
            at=at,
        )
        return recipients
