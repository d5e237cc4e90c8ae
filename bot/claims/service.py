"""Filing a claim: first come, first served (先报备先得).

Check and insert happen in one transaction under the workspace's claim lock, so of two claims
racing for one customer — from any process or replica — the first to take the lock wins and the
second sees it and becomes a collision. The store's clock (microseconds, UTC) and insertion order
record who came first; a partial unique index keeps one holder per customer beneath it all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims.approval import ApprovalRule, Filer, rules_fired
from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Outcome, Refusal, Verdict
from bot.clock import Clock
from bot.duplicates import DuplicateChecker, Holder, Match, Probe
from bot.notify import Notice, enqueue
from bot.rules import Rules
from store import audit
from store import claims as claim_store
from store import customers as customer_store
from store.db import Database
from store.models import Claim, ClaimStatus, Collision

if TYPE_CHECKING:
    from bot.approvals.routing import ApprovalRouter

log = logging.getLogger(__name__)


def probe_for(draft: ClaimDraft) -> Probe:
    """The duplicate-check probe for a draft."""
    return Probe(
        name_keys=tuple(draft.name_keys()),
        exact=tuple(draft.exact_keys()),
        credit_code=draft.credit_code,
    )


@dataclass
class ClaimService:
    """Files claims and answers with a :class:`Verdict`."""

    db: Database
    rules: Rules
    clock: Clock
    checker: DuplicateChecker
    # Sends the approval card of a pending claim to whoever decides it (None: nobody is told).
    approvals: ApprovalRouter | None = None

    async def lookup(self, workspace_id: str, probe: Probe) -> list[Match]:
        """Existing customers resembling ``probe`` (the live hint and ``/claim check``)."""
        async with self.db.session() as session:
            return await self.checker.find(session, workspace_id, probe)

    async def submit(
        self,
        *,
        workspace_id: str,
        filer: Filer,
        draft: ClaimDraft,
        submission_key: str,
        origin_channel: str | None = None,
        via: str = "form",
    ) -> Verdict:
        """File ``draft`` for ``filer``; the same ``submission_key`` twice files it once."""
        async with self.db.locked(workspace_id) as session:
            replay = await self._replay(session, workspace_id, submission_key)
            if replay is not None:
                return replay
            now = self.clock.now()
            matches = await self.checker.find(session, workspace_id, probe_for(draft))
            clear = [m for m in matches if m.clear]

            held = [m for m in clear if m.holder is not None]
            if held:
                # The earliest claim holds; that is whom the rep collided with.
                first = min(held, key=lambda m: m.holder.submitted_at if m.holder else now)
                assert first.holder is not None
                if first.holder.owner_id == filer.user_id:
                    return Verdict(
                        Outcome.ALREADY_YOURS,
                        customer_id=first.customer_id,
                        customer_name=first.customer_name,
                        claim_id=first.holder.claim_id,
                        protection_until=first.holder.until,
                    )
                return await self._collide(
                    session, workspace_id, filer, draft, first, submission_key, now
                )

            target = clear[0] if clear else None
            refusal = await self._refusal(session, workspace_id, filer, target, draft, now)
            if refusal is not None:
                return refusal

            possible = [m for m in matches if not m.clear and m.holder is not None]
            fired = rules_fired(
                draft, filer, self.rules, possible_duplicates=possible, today=now.date()
            )
            return await self._file(
                session,
                workspace_id,
                filer,
                draft,
                target,
                fired,
                possible,
                submission_key=submission_key,
                origin_channel=origin_channel,
                via=via,
                now=now,
            )

    async def _replay(
        self, session: AsyncSession, workspace_id: str, submission_key: str
    ) -> Verdict | None:
        claim = await claim_store.claim_by_submission(session, workspace_id, submission_key)
        if claim is not None:
            outcome = Outcome.PENDING if claim.status == ClaimStatus.PENDING else Outcome.CLAIMED
            return Verdict(
                outcome,
                customer_id=claim.customer_id,
                customer_name=claim.customer_name,
                claim_id=claim.id,
                protection_until=claim.protection_until,
                rules=tuple(ApprovalRule(r) for r in claim.rules_fired.get("rules", [])),
                replayed=True,
            )
        collision = await claim_store.collision_by_submission(session, workspace_id, submission_key)
        if collision is not None:
            holding = await claim_store.get_claim(session, workspace_id, collision.holder_claim_id)
            return Verdict(
                Outcome.COLLISION,
                customer_id=collision.customer_id,
                customer_name=str(collision.attempt.get("matched_name") or ""),
                holder=_holder(holding) if holding else None,
                collision_id=collision.id,
                replayed=True,
            )
        return None

    async def _collide(
        self,
        session: AsyncSession,
        workspace_id: str,
        filer: Filer,
        draft: ClaimDraft,
        match: Match,
        submission_key: str,
        now: datetime,
    ) -> Verdict:
        holder = match.holder
        assert holder is not None
        collision = Collision(
            workspace_id=workspace_id,
            customer_id=match.customer_id,
            holder_claim_id=holder.claim_id,
            holder_id=holder.owner_id,
            challenger_id=filer.user_id,
            matched_on=match.matched_on.value,
            score=match.score,
            attempt=_attempt(draft) | {"matched_name": match.customer_name},
            submission_key=submission_key,
            created_at=now,
        )
        session.add(collision)
        await session.flush()
        await audit.record(
            session,
            workspace_id,
            audit.Action.COLLISION_RECORDED,
            actor_id=filer.user_id,
            at=now,
            customer_id=match.customer_id,
            claim_id=holder.claim_id,
            data={
                "collision_id": collision.id,
                "holder_id": holder.owner_id,
                "challenger_id": filer.user_id,
                "matched_on": match.matched_on.value,
                "score": round(match.score, 1),
                "name_entered": draft.customer_name,
            },
        )
        common = {
            "customer_name": match.customer_name,
            "collision_id": collision.id,
            "matched_on": match.matched_on.value,
        }
        await enqueue(
            session,
            workspace_id,
            Notice(
                kind="collision.holder",
                recipient=holder.owner_id,
                dedupe_key=f"collision:{collision.id}:holder",
                payload=common | {"challenger_id": filer.user_id},
            ),
            at=now,
        )
        await enqueue(
            session,
            workspace_id,
            Notice(
                kind="collision.challenger",
                recipient=filer.user_id,
                dedupe_key=f"collision:{collision.id}:challenger",
                payload=common
                | {
                    "holder_id": holder.owner_id,
                    "holder_status": holder.status.value,
                    "until": holder.until.isoformat() if holder.until else None,
                },
            ),
            at=now,
        )
        return Verdict(
            Outcome.COLLISION,
            customer_id=match.customer_id,
            customer_name=match.customer_name,
            holder=holder,
            collision_id=collision.id,
        )

    async def _refusal(
        self,
        session: AsyncSession,
        workspace_id: str,
        filer: Filer,
        target: Match | None,
        draft: ClaimDraft,
        now: datetime,
    ) -> Verdict | None:
        name = target.customer_name if target else draft.customer_name
        verdict: Verdict | None = None
        if target is not None and self.rules.protection.cooldown_days:
            released = await claim_store.last_release_by(
                session, workspace_id, target.customer_id, filer.user_id
            )
            cooldown_end = (
                released + timedelta(days=self.rules.protection.cooldown_days) if released else None
            )
            if cooldown_end is not None and cooldown_end > now:
                verdict = Verdict(
                    Outcome.REFUSED,
                    customer_id=target.customer_id,
                    customer_name=name,
                    refusal=Refusal.COOLDOWN,
                    refusal_until=cooldown_end,
                )
        cap = self.rules.claim_cap
        if verdict is None and cap:
            holding = await claim_store.count_holding(session, workspace_id, filer.user_id)
            if holding >= cap:
                verdict = Verdict(
                    Outcome.REFUSED,
                    customer_id=target.customer_id if target else None,
                    customer_name=name,
                    refusal=Refusal.CAP,
                    cap=cap,
                )
        if verdict is not None:
            await audit.record(
                session,
                workspace_id,
                audit.Action.CLAIM_REFUSED,
                actor_id=filer.user_id,
                at=now,
                customer_id=verdict.customer_id,
                data={"reason": str(verdict.refusal), "name_entered": draft.customer_name},
            )
        return verdict

    async def _file(
        self,
        session: AsyncSession,
        workspace_id: str,
        filer: Filer,
        draft: ClaimDraft,
        target: Match | None,
        fired: list[ApprovalRule],
        possible: list[Match],
        *,
        submission_key: str,
        origin_channel: str | None,
        via: str,
        now: datetime,
    ) -> Verdict:
        if target is None:
            customer = await customer_store.add_customer(
                session,
                workspace_id,
                name=draft.customer_name,
                name_key=draft.name_keys()[0],
                credit_code=draft.credit_code,
                region=draft.region,
                created_by=filer.user_id,
                at=now,
            )
            customer_id, customer_name = customer.id, customer.name
        else:
            customer_id, customer_name = target.customer_id, target.customer_name
            await customer_store.mark_claimed(session, workspace_id, customer_id)
        await customer_store.add_keys(
            session, workspace_id, customer_id, draft.exact_keys(), at=now
        )

        pending = bool(fired)
        protection_until = None if pending else now + timedelta(days=self.rules.protection.days)
        claim = Claim(
            workspace_id=workspace_id,
            customer_id=customer_id,
            owner_id=filer.user_id,
            team_id=filer.team_id,
            status=ClaimStatus.PENDING if pending else ClaimStatus.ACTIVE,
            via=via,
            submission_key=submission_key,
            submitted_at=now,
            customer_name=draft.customer_name,
            other_name=draft.other_name,
            contact_name=draft.contact_name,
            phone=draft.phone,
            email=draft.email,
            credit_code=draft.credit_code,
            need_summary=draft.need_summary,
            region=draft.region,
            source_channel=draft.source_channel,
            deal_size=draft.deal_size,
            first_contact_on=draft.first_contact_on,
            origin_channel=origin_channel,
            rules_fired={
                "rules": [r.value for r in fired],
                "candidates": [_candidate(m) for m in possible],
            },
            decided_at=None if pending else now,
            decided_by=None if pending else audit.SYSTEM,
            decision=None if pending else "auto",
            protection_until=protection_until,
            last_activity_at=None if pending else now,
        )
        session.add(claim)
        await session.flush()
        await audit.record(
            session,
            workspace_id,
            audit.Action.CLAIM_FILED,
            actor_id=filer.user_id,
            at=now,
            customer_id=customer_id,
            claim_id=claim.id,
            data={"via": via, "customer_name": draft.customer_name},
        )
        await audit.record(
            session,
            workspace_id,
            audit.Action.CLAIM_PENDING if pending else audit.Action.CLAIM_APPROVED,
            actor_id=audit.SYSTEM,
            at=now,
            customer_id=customer_id,
            claim_id=claim.id,
            data={"rules": [r.value for r in fired]}
            if pending
            else {"decision": "auto", "protection_until": protection_until.isoformat()}
            if protection_until
            else {},
        )
        verdict = Verdict(
            Outcome.PENDING if pending else Outcome.CLAIMED,
            customer_id=customer_id,
            customer_name=customer_name if target else draft.customer_name,
            claim_id=claim.id,
            protection_until=protection_until,
            rules=tuple(fired),
            candidates=tuple(possible),
        )
        await enqueue(
            session,
            workspace_id,
            Notice(
                kind="claim.verdict",
                recipient=filer.user_id,
                dedupe_key=f"claim:{claim.id}:filed",
                payload=verdict_payload(verdict),
            ),
            at=now,
        )
        if pending and self.approvals is not None:
            await self.approvals.announce(session, workspace_id, claim, at=now)
        return verdict


def _holder(claim: Claim) -> Holder:
    return Holder(
        claim_id=claim.id,
        owner_id=claim.owner_id,
        status=ClaimStatus(claim.status),
        until=claim.protection_until,
        team_id=claim.team_id,
        submitted_at=claim.submitted_at,
    )


def _attempt(draft: ClaimDraft) -> dict[str, Any]:
    return {
        "customer_name": draft.customer_name,
        "other_name": draft.other_name,
        "contact_name": draft.contact_name,
        "phone": draft.phone,
        "email": draft.email,
        "credit_code": draft.credit_code,
        "need_summary": draft.need_summary,
    }


def _candidate(match: Match) -> dict[str, Any]:
    return {
        "customer_id": match.customer_id,
        "customer_name": match.customer_name,
        "score": round(match.score, 1),
        "holder_id": match.holder.owner_id if match.holder else None,
    }


def verdict_payload(verdict: Verdict) -> dict[str, Any]:
    """A verdict as JSON for the outbox (rendered in the recipient's language when sent)."""
    return {
        "outcome": verdict.outcome.value,
        "customer_name": verdict.customer_name,
        "claim_id": verdict.claim_id,
        "protection_until": verdict.protection_until.isoformat()
        if verdict.protection_until
        else None,
        "rules": [r.value for r in verdict.rules],
        "candidates": [_candidate(m) for m in verdict.candidates],
    }
