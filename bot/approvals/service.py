"""Deciding pending claims (审批) and listing what waits for whose decision.

A decision is a conditional UPDATE on a pending claim, under the workspace's claim lock (the one
filing takes), so it happens exactly once and sees every claim filed before it; the rights are
checked by :class:`~bot.approvals.access.ApprovalAccess` on every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.access import ApprovalAccess
from bot.approvals.case import ApprovalCase
from bot.approvals.outcome import ApprovalRefusal, Attempt, PendingPage
from bot.approvals.questions import ApprovalQuestions
from bot.approvals.routing import ApprovalRouter
from bot.claims.draft import ClaimDraft
from bot.claims.service import probe_for
from bot.clock import Clock
from bot.directory import Directory
from bot.duplicates import DuplicateChecker, Match
from bot.lifecycle.timeline import protection_end
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import access, audit, transitions
from store import approvals as approval_store
from store import claims as claim_store
from store.db import Database
from store.models import Claim, ClaimStatus, Decision, EndReason, Role

PAGE_SIZE = 10


@dataclass
class ApprovalService:
    """Approve, reject, ask, answer, list; each checked against the store, each audited."""

    db: Database
    rules: Rules
    clock: Clock
    checker: DuplicateChecker
    directory: Directory
    access: ApprovalAccess = field(init=False)
    router: ApprovalRouter = field(init=False)
    questions: ApprovalQuestions = field(init=False)

    def __post_init__(self) -> None:
        self.access = ApprovalAccess(self.rules, self.clock, self.directory)
        self.router = ApprovalRouter(self.directory, self.rules)
        self.questions = ApprovalQuestions(
            self.db, self.clock, self.directory, self.access, self.router
        )

    # -- deciding --------------------------------------------------------------------------------

    async def approve(self, workspace_id: str, actor_id: str, ref: object) -> Attempt:
        """Approve the claim: it becomes active and its protection starts now.

        Refused when the customer is meanwhile held by someone else under another record that
        the duplicate check now calls the same company (an import, a changed threshold).
        """
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            now = self.clock.now()
            claim, refused = await self.access.decidable(
                session, workspace_id, actor_id, ref, "approve"
            )
            if refused is not None:
                return refused
            assert claim is not None
            held = await self._held_elsewhere(session, workspace_id, claim)
            if held is not None:
                return Attempt(
                    case=await self.access.case(session, workspace_id, claim),
                    refusal=ApprovalRefusal.HELD_ELSEWHERE,
                    held_by=held,
                )
            until = protection_end(now, self.rules, claim)
            if not await transitions.move(
                session,
                workspace_id,
                [claim.id],
                source=[ClaimStatus.PENDING],
                target=ClaimStatus.ACTIVE,
                at=now,
                decision=Decision.APPROVED,
                decided_at=now,
                decided_by=actor_id,
                protection_until=until,
                last_activity_at=now,
            ):
                return await self._decided_first(session, workspace_id, claim.id)
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_APPROVED,
                by=actor_id,
                at=now,
                data={"decision": Decision.APPROVED.value, "protection_until": until.isoformat()},
            )
            return await self._after_decision(session, workspace_id, claim.id)

    async def reject(self, workspace_id: str, actor_id: str, ref: object, reason: str) -> Attempt:
        """Reject the claim with ``reason`` (see :func:`~bot.approvals.access.parse_note`); the
        customer is free again."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            now = self.clock.now()
            claim, refused = await self.access.decidable(
                session, workspace_id, actor_id, ref, "reject"
            )
            if refused is not None:
                return refused
            assert claim is not None
            if not await transitions.move(
                session,
                workspace_id,
                [claim.id],
                source=[ClaimStatus.PENDING],
                target=ClaimStatus.REJECTED,
                at=now,
                reason=EndReason.REJECTED,
                decision=Decision.REJECTED,
                decided_at=now,
                decided_by=actor_id,
                decision_reason=reason,
            ):
                return await self._decided_first(session, workspace_id, claim.id)
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_REJECTED,
                by=actor_id,
                at=now,
                data={"decision": Decision.REJECTED.value, "reason": reason},
            )
            return await self._after_decision(session, workspace_id, claim.id)

    async def may_decide(
        self, workspace_id: str, actor_id: str, ref: object, action: str
    ) -> Attempt:
        """Whether ``actor_id`` may decide the claim now (before a modal asks them for more)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            claim, refused = await self.access.decidable(
                session, workspace_id, actor_id, ref, action
            )
            if refused is not None:
                return refused
            assert claim is not None
            return Attempt(case=await self.access.case(session, workspace_id, claim))

    # -- reading ---------------------------------------------------------------------------------

    async def case(self, workspace_id: str, claim_id: int) -> ApprovalCase | None:
        """The claim's case as it stands (for re-rendering its cards)."""
        async with self.db.session() as session:
            claim = await claim_store.get_claim(session, workspace_id, claim_id)
            return None if claim is None else await self.access.case(session, workspace_id, claim)

    async def pending_for(
        self, workspace_id: str, actor_id: str, *, offset: int = 0, limit: int = PAGE_SIZE
    ) -> PendingPage:
        """What waits for ``actor_id``'s decision: their teams' claims, or every claim for an
        admin; never their own."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, actor_id)
            team_ids: set[int] | None
            if member.is_admin:
                team_ids = None
            elif member.role is Role.MANAGER:
                team_ids = member.managed_team_ids
            else:
                team_ids = set()
            claims, total = await approval_store.pending_claims(
                session,
                workspace_id,
                team_ids=team_ids,
                exclude_owner=actor_id,
                offset=max(0, offset),
                limit=limit,
            )
            questions = await approval_store.questions_of(
                session, workspace_id, [c.id for c in claims]
            )
            return PendingPage(
                cases=tuple(
                    ApprovalCase.of(c, self.rules, questions.get(c.id, [])) for c in claims
                ),
                total=total,
                offset=max(0, offset),
                approver=team_ids is None or bool(team_ids),
            )

    # -- helpers -------------------------------------------------------------------------------

    async def _held_elsewhere(
        self, session: AsyncSession, workspace_id: str, claim: Claim
    ) -> Match | None:
        """A customer the duplicate check now calls the same as the claim's, held by another rep."""
        draft = ClaimDraft(
            customer_name=claim.customer_name,
            other_name=claim.other_name,
            phone=claim.phone,
            email=claim.email,
            credit_code=claim.credit_code,
        )
        for match in await self.checker.find(session, workspace_id, probe_for(draft), limit=10):
            holder = match.holder
            if (
                match.clear
                and match.customer_id != claim.customer_id
                and holder is not None
                and holder.claim_id != claim.id
                and holder.owner_id != claim.owner_id
            ):
                return match
        return None

    async def _decided_first(
        self, session: AsyncSession, workspace_id: str, claim_id: int
    ) -> Attempt:
        claim = await access.fresh_claim(session, workspace_id, claim_id)
        assert claim is not None
        return Attempt(
            case=await self.access.case(session, workspace_id, claim),
            refusal=ApprovalRefusal.DECIDED,
        )

    async def _after_decision(
        self, session: AsyncSession, workspace_id: str, claim_id: int
    ) -> Attempt:
        """Tell the rep, and return the decided case."""
        claim = await access.fresh_claim(session, workspace_id, claim_id)
        assert claim is not None and claim.decided_at is not None
        await enqueue(
            session,
            workspace_id,
            Notice(
                kind=NoticeKind.APPROVAL_DECIDED,
                recipient=claim.owner_id,
                dedupe_key=f"claim:{claim.id}:decided",
                payload=decision_payload(claim),
            ),
            at=claim.decided_at,
        )
        return Attempt(case=await self.access.case(session, workspace_id, claim))


def decision_payload(claim: Claim) -> dict[str, Any]:
    """The rep's DM about a decision, as JSON for the outbox."""
    return {
        "claim_id": claim.id,
        "customer_name": claim.customer_name,
        "decision": claim.decision,
        "decided_by": claim.decided_by,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "reason": claim.decision_reason,
        "protection_until": claim.protection_until.isoformat() if claim.protection_until else None,
    }
