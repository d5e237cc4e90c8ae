"""Asking for more info (补充信息): an approver's question goes to the rep by DM, the claim stays
pending, and the rep's answer goes to everyone the approval card went to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.approvals.access import ApprovalAccess
from bot.approvals.case import Question
from bot.approvals.outcome import ApprovalRefusal, Attempt
from bot.approvals.routing import QUESTION_SUBJECT, ApprovalRouter
from bot.clock import Clock
from bot.directory import Directory
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from store import approvals as approval_store
from store import audit
from store.db import Database
from store.models import Claim


@dataclass
class ApprovalQuestions:
    """Ask and answer, each checked against the store and audited."""

    db: Database
    clock: Clock
    directory: Directory
    access: ApprovalAccess
    router: ApprovalRouter

    async def ask(self, workspace_id: str, actor_id: str, ref: object, question: str) -> Attempt:
        """Ask the rep ``question`` (see :func:`~bot.approvals.access.parse_note`) about the
        claim ``ref``; only someone who may decide it asks."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.write() as session:
            now = self.clock.now()
            claim, refused = await self.access.decidable(
                session, workspace_id, actor_id, ref, "ask"
            )
            if refused is not None:
                return refused
            assert claim is not None
            row = await approval_store.add_question(
                session, workspace_id, claim.id, asked_by=actor_id, question=question, at=now
            )
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_INFO_REQUESTED,
                by=actor_id,
                at=now,
                data={"question_id": row.id, "question": question},
            )
            asked = Question.of(row)
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=NoticeKind.INFO_REQUESTED,
                    recipient=claim.owner_id,
                    dedupe_key=f"question:{row.id}:asked",
                    payload=question_payload(claim, asked),
                    subject=QUESTION_SUBJECT,
                    subject_id=row.id,
                ),
                at=now,
            )
            case = await self.access.case(session, workspace_id, claim)
            return Attempt(case=case, question=asked)

    async def may_answer(self, workspace_id: str, actor_id: str, ref: object) -> Attempt:
        """Whether ``actor_id`` may answer the question ``ref`` now (before the modal opens)."""
        async with self.db.session() as session:
            _, _, attempt = await self.access.answerable(session, workspace_id, actor_id, ref)
            return attempt

    async def answer(self, workspace_id: str, actor_id: str, ref: object, answer: str) -> Attempt:
        """Store the rep's answer and pass it on to everyone the approval card went to."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.write() as session:
            now = self.clock.now()
            claim, asked, attempt = await self.access.answerable(
                session, workspace_id, actor_id, ref
            )
            if not attempt.ok:
                return attempt
            assert claim is not None and asked is not None
            if not await approval_store.answer_question(
                session, workspace_id, asked.id, answered_by=actor_id, answer=answer, at=now
            ):
                # A second submission answered it between our check and our update.
                return Attempt(case=attempt.case, refusal=ApprovalRefusal.ANSWERED, question=asked)
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_INFO_PROVIDED,
                by=actor_id,
                at=now,
                data={"question_id": asked.id, "answer": answer},
            )
            answered = Question(
                id=asked.id,
                asked_by=asked.asked_by,
                asked_at=asked.asked_at,
                question=asked.question,
                answered_by=actor_id,
                answered_at=now,
                answer=answer,
            )
            await self.router.tell_approvers(
                session,
                workspace_id,
                claim,
                kind=NoticeKind.INFO_PROVIDED,
                key=f"question:{asked.id}:answered",
                payload=question_payload(claim, answered),
                at=now,
            )
            case = await self.access.case(session, workspace_id, claim)
            return Attempt(case=case, question=answered)


def question_payload(claim: Claim, question: Question) -> dict[str, Any]:
    """A question (and its answer, once given) about a claim, as JSON for the outbox."""
    return {
        "claim_id": claim.id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
        "question_id": question.id,
        "asked_by": question.asked_by,
        "asked_at": question.asked_at.isoformat(),
        "question": question.question,
        "answered_by": question.answered_by,
        "answer": question.answer,
    }
