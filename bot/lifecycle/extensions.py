"""Extensions (延期): a rep asks for more protection days; a manager approves or rejects.

One request waits at a time per claim (a partial unique index backs the check), and at most
``extension.max_per_claim`` are granted. The request goes to the approvals channel when one is
configured, else to the claim's approvers by DM, as a card with Approve and Reject buttons that is
updated in place everywhere once decided. The clicking user's rights are checked on every click
(:meth:`Directory.can_decide`), and of two managers clicking at once exactly one decides.

An approved extension moves ``protection_until`` by ``extension.days`` (beyond
``max_protection_days`` if need be: that cap bounds what follow-ups add, not a manager's decision).
It does not restart the idle clock: an extension buys time, not follow-ups.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.lifecycle import notices
from bot.lifecycle.followups import ClaimView, OwnerRefusal, refusal_for
from bot.notify import Notice, enqueue
from bot.notify.hours import WorkingHours
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import audit
from store import claims as claim_store
from store import lifecycle as store
from store.db import Database
from store.models import Claim, ClaimStatus, ExtensionRequest

log = logging.getLogger(__name__)

REASON_MAX = 1000
# A request closed without a decision because its claim ended first.
CANCELLED = store.EXTENSION_CANCELLED


class RequestRefusal(StrEnum):
    """Why a claim cannot have an extension requested now (besides :class:`OwnerRefusal`)."""

    ALREADY_PENDING = "already_pending"
    NONE_LEFT = "none_left"


class Decision(StrEnum):
    APPROVED = store.EXTENSION_APPROVED
    REJECTED = store.EXTENSION_REJECTED


class DecisionOutcome(StrEnum):
    DECIDED = "decided"
    NOT_ALLOWED = "not_allowed"  # the clicker may not decide this claim
    ALREADY_DECIDED = "already_decided"  # someone else was first (or it was cancelled)
    CLAIM_ENDED = "claim_ended"  # the claim is no longer active: nothing to extend
    NONE_LEFT = "none_left"  # the claim has had every extension the rules allow
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Requested:
    """A request was filed and sent to ``recipients``."""

    request_id: int
    claim: ClaimView
    days: int
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExtensionCase:
    """Everything the extension card shows, as JSON for the outbox and for updates in place."""

    request_id: int
    claim_id: int
    customer_name: str
    owner_id: str
    days: int
    reason: str
    protection_until: str | None
    extensions_granted: int
    max_per_claim: int
    status: str
    decided_by: str | None = None
    new_protection_until: str | None = None

    def to_payload(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "claim_id": self.claim_id,
            "customer_name": self.customer_name,
            "owner_id": self.owner_id,
            "days": self.days,
            "reason": self.reason,
            "protection_until": self.protection_until,
            "extensions_granted": self.extensions_granted,
            "max_per_claim": self.max_per_claim,
            "status": self.status,
            "decided_by": self.decided_by,
            "new_protection_until": self.new_protection_until,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> ExtensionCase:
        return cls(
            request_id=int(data["request_id"]),
            claim_id=int(data["claim_id"]),
            customer_name=str(data.get("customer_name") or ""),
            owner_id=str(data.get("owner_id") or ""),
            days=int(data.get("days") or 0),
            reason=str(data.get("reason") or ""),
            protection_until=data.get("protection_until"),
            extensions_granted=int(data.get("extensions_granted") or 0),
            max_per_claim=int(data.get("max_per_claim") or 0),
            status=str(data.get("status") or store.EXTENSION_PENDING),
            decided_by=data.get("decided_by"),
            new_protection_until=data.get("new_protection_until"),
        )


@dataclass(frozen=True, slots=True)
class Decided:
    """The answer to an Approve/Reject click."""

    outcome: DecisionOutcome
    case: ExtensionCase | None = None


@dataclass
class ExtensionService:
    """Files extension requests and records managers' decisions."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory

    async def check(
        self, workspace_id: str, user_id: str, claim_id: int
    ) -> ClaimView | OwnerRefusal | RequestRefusal:
        """Whether the rep may ask for an extension on the claim now (to open the form)."""
        async with self.db.session() as session:
            claim = await claim_store.get_claim(session, workspace_id, claim_id)
            refusal = await self._refusal(session, claim, user_id)
            if refusal is not None or claim is None:
                return refusal or OwnerRefusal.NOT_FOUND
            return ClaimView.of(claim, self.rules)

    async def _refusal(
        self, session: AsyncSession, claim: Claim | None, user_id: str
    ) -> OwnerRefusal | RequestRefusal | None:
        refusal = refusal_for(claim, user_id)
        if refusal is not None or claim is None:
            return refusal or OwnerRefusal.NOT_FOUND
        if claim.extensions_granted >= self.rules.extension.max_per_claim:
            return RequestRefusal.NONE_LEFT
        if await store.pending_extension(session, claim.workspace_id, claim.id) is not None:
            return RequestRefusal.ALREADY_PENDING
        return None

    async def request(
        self, workspace_id: str, user_id: str, claim_id: int, reason: str
    ) -> Requested | OwnerRefusal | RequestRefusal:
        """File a request and send it to whoever decides the claim."""
        async with self.db.write() as session:
            # Locking the claim makes two requests for it (a double click) take turns.
            claim = await store.claim_for_update(session, workspace_id, claim_id)
            refusal = await self._refusal(session, claim, user_id)
            if refusal is not None or claim is None:
                return refusal or OwnerRefusal.NOT_FOUND
            now = self.clock.now()
            days = self.rules.extension.days
            request = ExtensionRequest(
                workspace_id=workspace_id,
                claim_id=claim.id,
                requested_by=user_id,
                requested_at=now,
                days=days,
                reason=reason,
                status=store.EXTENSION_PENDING,
            )
            session.add(request)
            await session.flush()
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_EXTENSION_REQUESTED,
                by=user_id,
                at=now,
                data={"request_id": request.id, "days": days, "reason": reason},
            )
            view = ClaimView.of(claim, self.rules)
            case = self._case(request, claim)
            recipients = await self._deciders(session, workspace_id, claim)
            if not recipients:
                log.warning(
                    "extension request %s on claim %s waits for nobody: no manager, no admin",
                    request.id,
                    claim.id,
                )
            hours = WorkingHours(self.rules)
            for recipient in recipients:
                await hours.enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=NoticeKind.EXTENSION_REQUEST,
                        recipient=recipient,
                        dedupe_key=f"extension:{request.id}:request:{recipient}",
                        payload=case.to_payload(),
                        subject=notices.EXTENSION_SUBJECT,
                        subject_id=request.id,
                    ),
                    now=now,
                    # A manager hears at once when waiting for office hours would be too late.
                    deliver_by=view.reclaim_at,
                )
            return Requested(
                request_id=request.id, claim=view, days=days, recipients=tuple(recipients)
            )

    async def _deciders(self, session: AsyncSession, workspace_id: str, claim: Claim) -> list[str]:
        channel = self.rules.channels.approvals
        if channel:
            return [channel]
        return await self.directory.approvers(session, workspace_id, claim.owner_id, claim.team_id)

    async def decide(
        self, workspace_id: str, actor_id: str, request_id: int, decision: Decision
    ) -> Decided:
        """Approve or reject a request, once, if ``actor_id`` may decide the claim."""
        async with self.db.write() as session:
            request = await store.get_extension(session, workspace_id, request_id)
            if request is None:
                return Decided(DecisionOutcome.NOT_FOUND)
            claim = await store.claim_for_update(session, workspace_id, request.claim_id)
            # Read again under the claim's lock: a decision that got there first is seen now.
            request = await store.get_extension(session, workspace_id, request_id)
            if claim is None or request is None:
                return Decided(DecisionOutcome.NOT_FOUND)
            now = self.clock.now()
            allowed = await self.directory.can_decide(
                session, workspace_id, actor_id, owner_id=claim.owner_id, team_id=claim.team_id
            )
            if not allowed:
                await audit.on_claim(
                    session,
                    claim,
                    audit.Action.ACCESS_REFUSED,
                    by=actor_id,
                    at=now,
                    data={"attempt": f"extension.{decision.value}", "request_id": request.id},
                )
                return Decided(DecisionOutcome.NOT_ALLOWED, self._case(request, claim))
            if request.status != store.EXTENSION_PENDING:
                return Decided(DecisionOutcome.ALREADY_DECIDED, self._case(request, claim))
            if decision is Decision.APPROVED and claim.status != ClaimStatus.ACTIVE:
                await store.cancel_extension_requests(session, workspace_id, [claim.id], at=now)
                request.status = store.EXTENSION_CANCELLED
                return Decided(DecisionOutcome.CLAIM_ENDED, self._case(request, claim))
            if (
                decision is Decision.APPROVED
                and claim.extensions_granted >= self.rules.extension.max_per_claim
            ):
                return Decided(DecisionOutcome.NONE_LEFT, self._case(request, claim))
            if not await store.decide_extension(
                session,
                workspace_id,
                request.id,
                status=decision.value,
                decided_by=actor_id,
                at=now,
            ):
                fresh = await store.get_extension(session, workspace_id, request_id)
                return Decided(DecisionOutcome.ALREADY_DECIDED, self._case(fresh or request, claim))
            request.status, request.decided_by, request.decided_at = decision.value, actor_id, now

            if decision is Decision.APPROVED:
                claim.protection_until = (claim.protection_until or now) + timedelta(
                    days=request.days
                )
                claim.extensions_granted += 1
                claim.version += 1
            await audit.record(
                session,
                workspace_id,
                audit.Action.CLAIM_EXTENDED
                if decision is Decision.APPROVED
                else audit.Action.CLAIM_EXTENSION_REJECTED,
                actor_id=actor_id,
                at=now,
                customer_id=claim.customer_id,
                claim_id=claim.id,
                data={
                    "request_id": request.id,
                    "days": request.days,
                    "protection_until": notices.iso(claim.protection_until),
                },
            )
            case = self._case(request, claim)
            view = ClaimView.of(claim, self.rules)
            notice = Notice(
                kind=NoticeKind.EXTENSION_DECIDED,
                recipient=claim.owner_id,
                dedupe_key=f"extension:{request.id}:decided",
                payload=case.to_payload() | {"reclaim_at": notices.iso(view.reclaim_at)},
            )
            hours = WorkingHours(self.rules)
            scheduled = await hours.schedule(
                session, workspace_id, notice, now=now, deliver_by=view.reclaim_at
            )
            await enqueue(session, workspace_id, scheduled, at=now)
            return Decided(DecisionOutcome.DECIDED, case)

    def _case(self, request: ExtensionRequest, claim: Claim) -> ExtensionCase:
        decided = request.status == store.EXTENSION_APPROVED
        return ExtensionCase(
            request_id=request.id,
            claim_id=claim.id,
            customer_name=claim.customer_name,
            owner_id=claim.owner_id,
            days=request.days,
            reason=request.reason,
            protection_until=notices.iso(claim.protection_until),
            extensions_granted=claim.extensions_granted,
            max_per_claim=self.rules.extension.max_per_claim,
            status=request.status,
            decided_by=request.decided_by,
            new_protection_until=notices.iso(claim.protection_until) if decided else None,
        )
