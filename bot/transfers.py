"""Handing a claim over: a manager's **Transfer** to another rep and **Release** to the public
pool, and the transfer a dispute decides (:mod:`bot.disputes`).

Decisions the issue left open, made here:

- Who: a manager of the claim's team (or of its owner's teams when it names none) or an admin —
  :meth:`Directory.can_decide`, checked against the store on every call — never the owner. A
  manager hands claims only to members of teams they manage; an admin to anyone. Nobody hands
  a claim to themselves.
- What: active claims. A pending claim is decided first (approve or reject); a won deal stays
  with the rep who won it; an ended claim holds nothing.
- The target's claim cap does not stop a manager: a transfer is a deliberate, audited decision
  (a rep leaves, a territory is re-cut), and refusing it would only make the manager release the
  customer and have it claimed again. The answer says when the target is now over the cap.
- A transfer ends the claim (status ``released``, end reason ``transferred``) and files a new
  one for the target (``via='transfer'``, ``decision='transfer'``) with the same customer data
  and stage, protected from now for its segment's ``protection.days`` with a fresh idle clock. Its follow-ups
  stay with the old claim, so the history reads who did what. The cool-down does not apply.
- A release ends the claim (end reason ``released``) and goes through the sweep's release path:
  the customer joins the pool, the pool channel gets its announcement, pending extension
  requests close, and the former owner's cool-down applies as after a reclaim.
- Both run under the workspace's claim lock, so they are ordered with claims being filed (first
  come first served) and with each other: of two managers acting at once, one acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.duplicates import DuplicateChecker
from bot.guard import Denial, Need, guard
from bot.handover import clock_of, hand_over_claim
from bot.lifecycle.release import Releaser
from bot.lists import CLAIM_REF, CustomerChoice, choose_customer
from bot.notify import Notice, enqueue, enqueue_many
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import audit, transitions
from store import claims as claim_store
from store.db import Database
from store.models import Claim, ClaimStatus, EndReason

# Notice kinds (cards/transfers.py renders them).

# Free-text limits for reasons (the cards show them whole).
REASON_MAX = 1000


class TransferRefusal(StrEnum):
    """Why a transfer or release was not done."""

    UNKNOWN = "unknown"  # no such claim here (forged, another workspace's)
    NOT_MANAGER = "not_manager"  # a rep, a partner, a manager of another team
    OWN_CLAIM = "own_claim"  # nobody hands over their own claim, managers included
    NOT_ACTIVE = "not_active"  # pending, won or ended
    SAME_OWNER = "same_owner"  # the target holds it already
    SELF = "self"  # to oneself
    OUTSIDE_TEAMS = "outside_teams"  # a manager hands over only within the teams they manage


# The guard's refusals in a manager's words.
MANAGER_REFUSALS = {
    Denial.UNKNOWN: TransferRefusal.UNKNOWN,
    Denial.OWN_CLAIM: TransferRefusal.OWN_CLAIM,
    Denial.NOT_DECIDER: TransferRefusal.NOT_MANAGER,
}


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """The claim a transfer or release is about."""

    claim_id: int
    customer_id: int
    customer_name: str
    owner_id: str
    status: ClaimStatus

    @classmethod
    def of(cls, claim: Claim) -> ClaimRef:
        return cls(
            claim.id,
            claim.customer_id,
            claim.customer_name,
            claim.owner_id,
            ClaimStatus(claim.status),
        )


@dataclass(frozen=True, slots=True)
class Handover:
    """What came of a transfer or release (or of the check before the modal)."""

    refusal: TransferRefusal | None = None
    claim: ClaimRef | None = None
    to_id: str | None = None
    new_claim_id: int | None = None
    protection_until: datetime | None = None
    # The target's claims after the transfer, and the cap, to say when it is exceeded.
    holding: int = 0
    cap: int = 0

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def over_cap(self) -> bool:
        return bool(self.cap) and self.holding > self.cap


@dataclass(frozen=True, slots=True)
class ClaimLookup:
    """The claim ``/claim transfer|release <customer>`` means, or why there is none."""

    choice: CustomerChoice
    claim_id: int | None = None  # the active claim holding the chosen customer, if any


@dataclass
class TransferService:
    """A manager's transfer and release of a claim."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory
    checker: DuplicateChecker

    async def find(self, workspace_id: str, query: str) -> ClaimLookup:
        """The active claim a typed customer (or ``#claim id``) means."""
        async with self.db.session() as session:
            choice = await choose_customer(self.checker, session, workspace_id, query)
        by_claim = CLAIM_REF.fullmatch(query.strip())
        if by_claim and choice.chosen is not None:
            # That very claim, whether it still holds or not (the answer says which).
            return ClaimLookup(choice, int(by_claim[1]))
        holder = choice.chosen.holder if choice.chosen else None
        return ClaimLookup(choice, holder.claim_id if holder is not None else None)

    async def check(self, workspace_id: str, actor_id: str, claim_id: int, action: str) -> Handover:
        """Whether ``actor_id`` may hand the claim over now (before a modal asks for more)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            _, refused = await self._manageable(session, workspace_id, actor_id, claim_id, action)
            if refused is not None:
                return refused
            claim = await claim_store.get_claim(session, workspace_id, claim_id)
            assert claim is not None
            return Handover(claim=ClaimRef.of(claim))

    async def transfer(
        self, workspace_id: str, actor_id: str, claim_id: int, to_id: str, reason: str
    ) -> Handover:
        """Hand the active claim to ``to_id``: the old claim ends, a new one starts now."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            claim, refused = await self._manageable(
                session, workspace_id, actor_id, claim_id, "transfer"
            )
            if refused is not None:
                return refused
            assert claim is not None
            ref = ClaimRef.of(claim)
            refusal = await self._target_refusal(session, workspace_id, actor_id, claim, to_id)
            if refusal is not None:
                return Handover(refusal, ref, to_id=to_id)
            now = self.clock.now()
            target = await self.directory.member(session, workspace_id, to_id)
            home = target.home_team
            new = await hand_over_claim(
                session,
                claim,
                to_id=to_id,
                to_team=home.team_id if home else None,
                actor_id=actor_id,
                reason=reason,
                submission_key=f"transfer:{claim.id}",
                rules=self.rules,
                now=now,
                audit_data={"by": "manager"},
            )
            payload = {
                "customer_name": claim.customer_name,
                "claim_id": claim.id,
                "new_claim_id": new.id,
                "from_id": claim.owner_id,
                "to_id": to_id,
                "actor_id": actor_id,
                "reason": reason,
                "protection_until": new.protection_until.isoformat()
                if new.protection_until
                else None,
            }
            for kind, recipient in (
                (NoticeKind.TRANSFERRED_AWAY, claim.owner_id),
                (NoticeKind.TRANSFERRED_TO, to_id),
            ):
                await enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=kind,
                        recipient=recipient,
                        dedupe_key=f"claim:{claim.id}:{kind}",
                        payload=payload,
                    ),
                    at=now,
                )
            holding = await claim_store.count_holding(session, workspace_id, to_id)
            return Handover(
                claim=ref,
                to_id=to_id,
                new_claim_id=new.id,
                protection_until=new.protection_until,
                holding=holding,
                cap=self.rules.claim_cap,
            )

    async def release(
        self, workspace_id: str, actor_id: str, claim_id: int, reason: str
    ) -> Handover:
        """Release the active claim to the public pool (the sweep's path: pool announcement,
        extension requests closed, the former owner's cool-down)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.locked(workspace_id) as session:
            claim, refused = await self._manageable(
                session, workspace_id, actor_id, claim_id, "release"
            )
            if refused is not None:
                return refused
            assert claim is not None
            ref = ClaimRef.of(claim)
            now = self.clock.now()
            await transitions.move(
                session,
                workspace_id,
                [claim.id],
                source=[ClaimStatus.ACTIVE],
                target=ClaimStatus.RELEASED,
                reason=EndReason.RELEASED,
                at=now,
            )
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_RELEASED,
                by=actor_id,
                at=now,
                data={"owner_id": claim.owner_id, "reason": reason},
            )
            releaser = Releaser(self.rules)
            announcements = await releaser.to_pool(
                session, workspace_id, [clock_of(claim)], reason=EndReason.RELEASED, now=now
            )
            cooldown = self.rules.protection.cooldown_days
            told = Notice(
                kind=NoticeKind.RELEASED_BY_MANAGER,
                recipient=claim.owner_id,
                dedupe_key=f"claim:{claim.id}:{NoticeKind.RELEASED_BY_MANAGER}",
                payload={
                    "customer_name": claim.customer_name,
                    "claim_id": claim.id,
                    "actor_id": actor_id,
                    "reason": reason,
                    "released_at": now.isoformat(),
                    "cooldown_until": (now + timedelta(days=cooldown)).isoformat()
                    if cooldown
                    else None,
                },
            )
            await enqueue_many(session, workspace_id, [*announcements, told], at=now)
            return Handover(claim=ref)

    async def _manageable(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        claim_id: int,
        action: str,
    ) -> tuple[Claim | None, Handover | None]:
        """The claim, read afresh, if ``actor_id`` may hand it over now; else the refusal.

        Someone without the right learns nothing about the claim; refusals of rights are audited.
        """
        claim = await claim_store.get_claim(session, workspace_id, claim_id)
        refusal = await guard(
            session,
            self.directory,
            workspace_id,
            actor_id,
            claim,
            need=Need.DECIDER,
            refusals=MANAGER_REFUSALS,
            action=action,
            ref=claim_id,
            at=self.clock.now(),
        )
        if refusal is not None:
            return None, Handover(refusal)
        assert claim is not None
        if claim.status != ClaimStatus.ACTIVE.value:
            return None, Handover(TransferRefusal.NOT_ACTIVE, ClaimRef.of(claim))
        return claim, None

    async def _target_refusal(
        self, session: AsyncSession, workspace_id: str, actor_id: str, claim: Claim, to_id: str
    ) -> TransferRefusal | None:
        if to_id == claim.owner_id:
            return TransferRefusal.SAME_OWNER
        if to_id == actor_id:
            return TransferRefusal.SELF
        actor = await self.directory.member(session, workspace_id, actor_id)
        if actor.is_admin:
            return None
        target = await self.directory.member(session, workspace_id, to_id)
        if not target.team_ids & actor.managed_team_ids:
            return TransferRefusal.OUTSIDE_TEAMS
        return None
