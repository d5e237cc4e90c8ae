"""Disputes (争议 / 仲裁): either rep of a collision contests it; managers rule, once, for good.

Decisions the issue left open, made here:

- Either rep of a collision may dispute it, once: the first dispute opens it and a second (from
  either side) is told it waits already. A dispute needs a reason. A collision whose holder's
  claim has since ended cannot be disputed: the customer is no longer held by that claim, so
  the challenger claims it like anyone else.
- The card goes to the approvals channel when one is configured; otherwise by DM to the
  managers of both reps (each side's approvers, :meth:`Directory.approvers`, so a rep without a
  manager is spoken for by the admins), never to either rep. Nobody at all: the admins.
- Who decides: a manager of either rep's team, or an admin, checked against the store on every
  click — never one of the two reps, whatever their role. Both **Keep holder** and **Transfer to
  challenger** ask for a reason (required): the ruling is final and both reps read why.
- One decision: a conditional UPDATE of the open dispute under the workspace's claim lock; the
  second manager to submit is told who ruled first and how.
- Transfer to challenger ends the holder's claim (released, end reason ``transferred``) and
  files the challenger's claim on the same customer with what the challenger typed, protected
  from now — under the same lock that orders claims being filed, so first come first served
  still holds. Their claim cap and cool-down do not apply: the managers ruled. If the holder's
  claim ended meanwhile and nobody holds the customer, the challenger still gets it; if a third
  rep holds it now, the transfer is refused and the dispute stays open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.access import parse_ref
from bot.clock import Clock
from bot.directory import Directory
from bot.disputes.case import DisputeAttempt, DisputeCase, DisputeRefusal, Verdict
from bot.disputes.routing import DisputeRouter
from bot.guard import audit_refusal
from bot.handover import hand_over
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import access, audit
from store import claims as claim_store
from store import customers as customer_store
from store import disputes as store
from store.db import Database
from store.models import Claim, ClaimStatus, Collision


@dataclass
class DisputeService:
    """Opens disputes and records the managers' rulings."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    router: DisputeRouter = field(init=False)

    def __post_init__(self) -> None:
        self.router = DisputeRouter(self.directory, self.rules)

    # -- opening ---------------------------------------------------------------------------------

    async def may_open(self, workspace_id: str, actor_id: str, ref: object) -> DisputeAttempt:
        """Whether ``actor_id`` may dispute the collision now (before the modal asks why)."""
        async with self.db.session() as session:
            _, attempt = await self._openable(session, workspace_id, actor_id, ref)
            return attempt

    async def open(
        self, workspace_id: str, actor_id: str, ref: object, reason: str
    ) -> DisputeAttempt:
        """Open the dispute and send it to whoever decides it."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            collision, attempt = await self._openable(session, workspace_id, actor_id, ref)
            if collision is None:
                return attempt
            now = self.clock.now()
            if not await store.open_dispute(
                session, workspace_id, collision.id, disputed_by=actor_id, reason=reason, at=now
            ):
                return await self._as_is(session, workspace_id, collision.id)
            collision = await store.fresh_collision(session, workspace_id, collision.id)
            assert collision is not None
            holder = await claim_store.get_claim(session, workspace_id, collision.holder_claim_id)
            await audit.record(
                session,
                workspace_id,
                audit.Action.DISPUTE_OPENED,
                actor_id=actor_id,
                at=now,
                customer_id=collision.customer_id,
                claim_id=collision.holder_claim_id,
                data={
                    "collision_id": collision.id,
                    "holder_id": collision.holder_id,
                    "challenger_id": collision.challenger_id,
                    "reason": reason,
                },
            )
            case = await self._case(session, workspace_id, collision)
            recipients = await self.router.announce(
                session, workspace_id, collision, holder, case, opened_by=actor_id, at=now
            )
            return DisputeAttempt(case=case, recipients=tuple(recipients))

    async def _openable(
        self, session: AsyncSession, workspace_id: str, actor_id: str, ref: object
    ) -> tuple[Collision | None, DisputeAttempt]:
        collision_id = parse_ref(ref)
        collision = (
            await store.fresh_collision(session, workspace_id, collision_id)
            if collision_id is not None
            else None
        )
        if collision is None or actor_id not in (collision.holder_id, collision.challenger_id):
            refusal = DisputeRefusal.UNKNOWN if collision is None else DisputeRefusal.NOT_PARTY
            await self._refused(session, workspace_id, actor_id, "dispute", refusal, ref, collision)
            return None, DisputeAttempt(refusal=refusal)
        case = await self._case(session, workspace_id, collision)
        if case.open:
            return None, DisputeAttempt(case=case, refusal=DisputeRefusal.OPEN_ALREADY)
        if case.decided:
            return None, DisputeAttempt(case=case, refusal=DisputeRefusal.DECIDED)
        holder = await claim_store.get_claim(session, workspace_id, collision.holder_claim_id)
        if holder is None or holder.status not in ClaimStatus.holding():
            return None, DisputeAttempt(case=case, refusal=DisputeRefusal.CLAIM_ENDED)
        return collision, DisputeAttempt(case=case)

    # -- deciding --------------------------------------------------------------------------------

    async def may_decide(self, workspace_id: str, actor_id: str, ref: object) -> DisputeAttempt:
        """Whether ``actor_id`` may rule on the dispute now (before the modal asks why)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            _, attempt = await self._decidable(session, workspace_id, actor_id, ref, "decide")
            return attempt

    async def decide(
        self, workspace_id: str, actor_id: str, ref: object, verdict: Verdict, reason: str
    ) -> DisputeAttempt:
        """Rule on the dispute, once; a transfer hands the customer to the challenger."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            collision, attempt = await self._decidable(
                session, workspace_id, actor_id, ref, verdict.value
            )
            if collision is None:
                return attempt
            now = self.clock.now()
            current = (
                await customer_store.holders_of(session, workspace_id, [collision.customer_id])
            ).get(collision.customer_id)
            if (
                verdict is Verdict.TRANSFER
                and current is not None
                and current.owner_id not in (collision.holder_id, collision.challenger_id)
            ):
                return DisputeAttempt(
                    case=attempt.case,
                    refusal=DisputeRefusal.HELD_ELSEWHERE,
                    held_by=current.owner_id,
                )
            if not await store.decide_dispute(
                session,
                workspace_id,
                collision.id,
                outcome=verdict.value,
                decided_by=actor_id,
                reason=reason,
                at=now,
            ):
                return await self._as_is(session, workspace_id, collision.id)
            new_claim_id = None
            if verdict is Verdict.TRANSFER and (
                current is None or current.owner_id != collision.challenger_id
            ):
                new_claim_id = await self._transfer(
                    session, workspace_id, collision, current, actor_id, reason, now
                )
            fresh = await store.fresh_collision(session, workspace_id, collision.id)
            assert fresh is not None
            await audit.record(
                session,
                workspace_id,
                audit.Action.DISPUTE_DECIDED,
                actor_id=actor_id,
                at=now,
                customer_id=fresh.customer_id,
                claim_id=fresh.holder_claim_id,
                data={
                    "collision_id": fresh.id,
                    "holder_id": fresh.holder_id,
                    "challenger_id": fresh.challenger_id,
                    "outcome": verdict.value,
                    "reason": reason,
                    "new_claim_id": new_claim_id,
                },
            )
            case = await self._case(session, workspace_id, fresh, new_claim_id)
            for party, side in ((fresh.holder_id, "holder"), (fresh.challenger_id, "challenger")):
                await enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=NoticeKind.DISPUTE_DECIDED,
                        recipient=party,
                        dedupe_key=f"dispute:{fresh.id}:decided:{side}",
                        payload=case.to_payload() | {"side": side},
                    ),
                    at=now,
                )
            return DisputeAttempt(case=case)

    async def _transfer(
        self,
        session: AsyncSession,
        workspace_id: str,
        collision: Collision,
        current: Claim | None,
        actor_id: str,
        reason: str,
        now: datetime,
    ) -> int:
        """The challenger's claim on the customer (the holder's, if still holding, ends)."""
        challenger = await self.directory.member(session, workspace_id, collision.challenger_id)
        home = challenger.home_team
        attempt = collision.attempt or {}
        customer = (
            await customer_store.get_customers(session, workspace_id, [collision.customer_id])
        )[collision.customer_id]
        details = {
            key: attempt.get(key) or None
            for key in (
                "other_name",
                "contact_name",
                "phone",
                "email",
                "credit_code",
                "need_summary",
            )
        }
        claim = await hand_over(
            session,
            workspace_id,
            old=current,
            customer_id=collision.customer_id,
            to_id=collision.challenger_id,
            to_team=home.team_id if home else None,
            actor_id=actor_id,
            reason=reason,
            submission_key=f"dispute:{collision.id}",
            details={"customer_name": str(attempt.get("customer_name") or customer.name)} | details,
            stage=None,
            rules=self.rules,
            now=now,
            audit_data={"by": "dispute", "collision_id": collision.id},
        )
        return claim.id

    async def _decidable(
        self, session: AsyncSession, workspace_id: str, actor_id: str, ref: object, action: str
    ) -> tuple[Collision | None, DisputeAttempt]:
        """The collision if ``actor_id`` may rule on its open dispute now; else the refusal.

        Someone without the right learns nothing of the dispute; a decider who comes second
        learns who ruled first.
        """
        collision_id = parse_ref(ref)
        collision = (
            await store.fresh_collision(session, workspace_id, collision_id)
            if collision_id is not None
            else None
        )
        refusal = None
        if collision is None or collision.dispute_status is None:
            refusal = DisputeRefusal.UNKNOWN
        elif actor_id in (collision.holder_id, collision.challenger_id):
            refusal = DisputeRefusal.PARTY
        elif not await self._may_rule(session, workspace_id, actor_id, collision):
            refusal = DisputeRefusal.NOT_DECIDER
        if refusal is not None:
            await self._refused(session, workspace_id, actor_id, action, refusal, ref, collision)
            return None, DisputeAttempt(refusal=refusal)
        assert collision is not None
        case = await self._case(session, workspace_id, collision)
        if case.decided:
            return None, DisputeAttempt(case=case, refusal=DisputeRefusal.DECIDED)
        return collision, DisputeAttempt(case=case)

    async def _may_rule(
        self, session: AsyncSession, workspace_id: str, actor_id: str, collision: Collision
    ) -> bool:
        holder = await claim_store.get_claim(session, workspace_id, collision.holder_claim_id)
        if await self.directory.can_decide(
            session,
            workspace_id,
            actor_id,
            owner_id=collision.holder_id,
            team_id=holder.team_id if holder else None,
        ):
            return True
        return await self.directory.can_decide(
            session, workspace_id, actor_id, owner_id=collision.challenger_id, team_id=None
        )

    # -- reading ---------------------------------------------------------------------------------

    async def case(self, workspace_id: str, collision_id: int) -> DisputeCase | None:
        """The dispute as it stands (for re-rendering its cards)."""
        async with self.db.session() as session:
            collision = await store.fresh_collision(session, workspace_id, collision_id)
            return None if collision is None else await self._case(session, workspace_id, collision)

    async def _case(
        self,
        session: AsyncSession,
        workspace_id: str,
        collision: Collision,
        new_claim_id: int | None = None,
    ) -> DisputeCase:
        holder = await access.fresh_claim(session, workspace_id, collision.holder_claim_id)
        customer = (
            await customer_store.get_customers(session, workspace_id, [collision.customer_id])
        ).get(collision.customer_id)
        name = customer.name if customer else str(collision.attempt.get("matched_name") or "")
        if new_claim_id is None and collision.dispute_status == store.TRANSFERRED:
            moved = await claim_store.claim_by_submission(
                session, workspace_id, f"dispute:{collision.id}"
            )
            new_claim_id = moved.id if moved else None
        return DisputeCase.of(collision, name, holder, new_claim_id)

    async def _as_is(
        self, session: AsyncSession, workspace_id: str, collision_id: int
    ) -> DisputeAttempt:
        """Someone else got there first: the case as it stands, and why nothing changed."""
        collision = await store.fresh_collision(session, workspace_id, collision_id)
        assert collision is not None
        case = await self._case(session, workspace_id, collision)
        refusal = DisputeRefusal.OPEN_ALREADY if case.open else DisputeRefusal.DECIDED
        return DisputeAttempt(case=case, refusal=refusal)

    async def _refused(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        action: str,
        refusal: DisputeRefusal,
        ref: object,
        collision: Collision | None,
    ) -> None:
        """Audit a refused attempt (in the caller's transaction)."""
        await audit_refusal(
            session,
            workspace_id,
            actor_id=actor_id,
            action=f"dispute.{action}" if action != "dispute" else action,
            reason=refusal.value,
            ref=ref,
            at=self.clock.now(),
            customer_id=collision.customer_id if collision else None,
            claim_id=collision.holder_claim_id if collision else None,
        )
