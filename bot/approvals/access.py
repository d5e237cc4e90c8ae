"""Who may act on a claim now, checked against the store on every call, whatever a button said.

The only thing a button carries is an id. An id of another workspace, of nothing, or not an id at
all is refused like a click by someone without the right; either refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.case import NOTE_MAX_LENGTH, ApprovalCase, Question
from bot.approvals.outcome import ApprovalRefusal, Attempt
from bot.clock import Clock
from bot.directory import Directory
from bot.guard import Denial, Need, audit_claim_refusal, guard
from bot.rules import Rules
from bot.validation import required_text
from store import access
from store import approvals as approval_store
from store.models import Claim, ClaimStatus


def parse_note(raw: str | None) -> str:
    """A reason, question or answer as typed: trimmed, required, of bounded length.

    Raises :class:`~bot.validation.FieldError` for the modal to show under the field.
    """
    return required_text(raw, max_len=NOTE_MAX_LENGTH)


def parse_ref(raw: object) -> int | None:
    """The id a button carried, or ``None`` when it is not a plausible id."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


# The guard's refusals in the approver's words.
DECIDER_REFUSALS = {
    Denial.UNKNOWN: ApprovalRefusal.UNKNOWN,
    Denial.OWN_CLAIM: ApprovalRefusal.OWN_CLAIM,
    Denial.NOT_DECIDER: ApprovalRefusal.NOT_APPROVER,
    Denial.NOT_OWNER: ApprovalRefusal.NOT_OWNER,
}


@dataclass
class ApprovalAccess:
    """The rights checks shared by deciding, asking and answering."""

    rules: Rules
    clock: Clock
    directory: Directory

    async def decidable(
        self, session: AsyncSession, workspace_id: str, actor_id: str, ref: object, action: str
    ) -> tuple[Claim | None, Attempt | None]:
        """The claim if ``actor_id`` may decide it now; else the refusal.

        The order matters: someone without the right learns nothing about the claim (not even
        that it was decided); an approver who comes second learns who decided first.
        """
        claim_id = parse_ref(ref)
        claim = (
            await access.fresh_claim(session, workspace_id, claim_id)
            if claim_id is not None
            else None
        )
        refusal = await guard(
            session,
            self.directory,
            workspace_id,
            actor_id,
            claim,
            need=Need.DECIDER,
            refusals=DECIDER_REFUSALS,
            action=action,
            ref=ref,
            at=self.clock.now(),
        )
        if refusal is not None:
            return None, Attempt(refusal=refusal)
        assert claim is not None
        if claim.status != ClaimStatus.PENDING.value:
            return None, Attempt(
                case=await self.case(session, workspace_id, claim), refusal=ApprovalRefusal.DECIDED
            )
        return claim, None

    async def answerable(
        self, session: AsyncSession, workspace_id: str, actor_id: str, ref: object
    ) -> tuple[Claim | None, Question | None, Attempt]:
        """The claim and question if ``actor_id`` may answer it now; the attempt either way."""
        question_id = parse_ref(ref)
        row = (
            await approval_store.get_question(session, workspace_id, question_id)
            if question_id is not None
            else None
        )
        claim = await access.fresh_claim(session, workspace_id, row.claim_id) if row else None
        if row is None or claim is None:
            await self.refused(
                session, workspace_id, actor_id, "answer", ApprovalRefusal.UNKNOWN, ref
            )
            return None, None, Attempt(refusal=ApprovalRefusal.UNKNOWN)
        if claim.owner_id != actor_id:
            await self.refused(
                session, workspace_id, actor_id, "answer", ApprovalRefusal.NOT_OWNER, ref, claim
            )
            return None, None, Attempt(refusal=ApprovalRefusal.NOT_OWNER)
        asked = Question.of(row)
        case = await self.case(session, workspace_id, claim)
        if claim.status != ClaimStatus.PENDING.value:
            return None, None, Attempt(case=case, refusal=ApprovalRefusal.DECIDED, question=asked)
        if asked.answer is not None:
            return None, None, Attempt(case=case, refusal=ApprovalRefusal.ANSWERED, question=asked)
        return claim, asked, Attempt(case=case, question=asked)

    async def case(self, session: AsyncSession, workspace_id: str, claim: Claim) -> ApprovalCase:
        """The claim's case, with its questions."""
        questions = await approval_store.questions_of(session, workspace_id, [claim.id])
        return ApprovalCase.of(claim, self.rules, questions.get(claim.id, []))

    async def refused(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        action: str,
        refusal: ApprovalRefusal,
        ref: object,
        claim: Claim | None = None,
    ) -> None:
        """Audit a refused attempt (in the caller's transaction)."""
        await audit_claim_refusal(
            session,
            workspace_id,
            claim,
            actor_id=actor_id,
            action=action,
            reason=refusal,
            ref=ref,
            at=self.clock.now(),
        )
