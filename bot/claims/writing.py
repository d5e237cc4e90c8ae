"""Writing what a batch of submissions decided (:mod:`bot.claims.service` holds the queue and
the lock; :mod:`bot.claims.batch` decides): customers, keys, claims and collisions in a few
multi-row statements, their audit events and notices, and the verdict of each submission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims.approval import ApprovalRule
from bot.claims.batch import BatchDecider, Decision, Kind
from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Outcome, Verdict
from bot.duplicates import Holder, Match
from bot.lifecycle.timeline import protection_end
from bot.notify import Notice
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import audit, models
from store import claims as claim_store
from store import customers as customer_store
from store import outbox as outbox_store
from store.models import AuditEvent, Claim, ClaimStatus, Collision, Customer

if TYPE_CHECKING:
    from bot.approvals.routing import ApprovalRouter


@dataclass
class BatchWriter:
    """Writes a decided batch in the caller's transaction (under the workspace's claim lock)."""

    rules: Rules
    # Sends the approval card of a pending claim to whoever decides it (None: nobody is told).
    approvals: ApprovalRouter | None = None

    async def write(
        self,
        session: AsyncSession,
        workspace_id: str,
        decider: BatchDecider,
        decisions: list[Decision],
    ) -> list[Verdict]:
        """Write what the batch decided, a few multi-row statements, and say what it came to
        (one verdict per decision, in order)."""
        at = decisions[0].now
        # Customers first: their ids replace the provisional ones everywhere.
        created = {
            provisional: Customer(
                workspace_id=workspace_id,
                name=new.name,
                other_name=new.other_name,
                name_key=new.name_key,
                credit_code=new.credit_code,
                region=new.region,
                created_by=new.created_by,
                created_at=at,
            )
            for provisional, new in decider.new_customers.items()
        }
        session.add_all(created.values())
        await session.flush()
        customer_ids = {provisional: c.id for provisional, c in created.items()}

        def real(customer_id: int | None) -> int | None:
            return customer_ids.get(customer_id, customer_id) if customer_id is not None else None

        await customer_store.add_keys_many(
            session,
            workspace_id,
            [
                (int(real(customer_id) or 0), kind, value)
                for customer_id, keys in decider.keys_added.items()
                for kind, value in keys
            ],
            at=at,
        )
        await customer_store.unpool(session, workspace_id, decider.unpooled)

        claims = {
            d.claim_id: self._claim(workspace_id, d, int(real(d.customer_id) or 0))
            for d in decisions
            if d.kind is Kind.FILE and d.claim_id is not None
        }
        session.add_all(claims.values())
        await session.flush()
        claim_ids = {provisional: c.id for provisional, c in claims.items()}

        collisions = {
            id(d): self._collision(workspace_id, d, int(real(d.customer_id) or 0), claim_ids)
            for d in decisions
            if d.kind is Kind.COLLISION
        }
        session.add_all(collisions.values())
        await session.flush()

        events: list[AuditEvent] = []
        notices: list[Notice] = []
        verdicts: list[Verdict] = []
        for d in decisions:
            if d.kind is Kind.REPLAY:
                verdicts.append(Verdict(Outcome.REFUSED, None, ""))  # replaced below
                continue
            verdict = self._verdict(d, real, claim_ids, collisions.get(id(d)))
            verdicts.append(verdict)
            events += self._events(workspace_id, d, verdict, collisions.get(id(d)))
            notices += self._notices(d, verdict, collisions.get(id(d)))
        session.add_all(events)
        await outbox_store.enqueue_many(
            session,
            workspace_id,
            [
                {
                    "dedupe_key": n.dedupe_key,
                    "kind": n.kind,
                    "recipient": n.recipient,
                    "payload": n.payload,
                }
                for n in notices
            ],
            at=at,
        )
        if self.approvals is not None:
            for claim in claims.values():
                if claim.status == ClaimStatus.PENDING:
                    await self.approvals.announce(session, workspace_id, claim, at=at)

        # Repeats: an earlier submission in this batch, or one stored before it.
        for position, d in enumerate(decisions):
            if d.kind is not Kind.REPLAY:
                continue
            if d.same_as is not None:
                original = verdicts[decisions.index(d.same_as)]
                verdicts[position] = _replayed(original)
            else:
                replay = await replay_of(session, workspace_id, d.submission.submission_key)
                assert replay is not None, "a replay without a stored claim or collision"
                verdicts[position] = replay
        return verdicts

    def _claim(self, workspace_id: str, d: Decision, customer_id: int) -> Claim:
        draft, filer, now = d.submission.draft, d.submission.filer, d.now
        resubmits = d.submission.resubmits
        protection_until = None if d.pending else protection_end(now, self.rules, draft)
        return Claim(
            workspace_id=workspace_id,
            customer_id=customer_id,
            owner_id=filer.user_id,
            team_id=filer.team_id,
            status=ClaimStatus.PENDING if d.pending else ClaimStatus.ACTIVE,
            via=d.submission.via,
            submission_key=d.submission.submission_key,
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
            profile=dict(draft.profile),
            origin_channel=d.submission.origin_channel,
            resubmits_id=resubmits.claim_id if resubmits else None,
            rules_fired={
                "rules": [r.value for r in d.fired],
                "candidates": [_candidate(m) for m in d.possible],
            }
            | ({"resubmission": asdict(resubmits)} if resubmits else {}),
            decided_at=None if d.pending else now,
            decided_by=None if d.pending else audit.SYSTEM,
            decision=None if d.pending else models.Decision.AUTO,
            protection_until=protection_until,
            last_activity_at=None if d.pending else now,
        )

    def _collision(
        self, workspace_id: str, d: Decision, customer_id: int, claim_ids: dict[int, int]
    ) -> Collision:
        assert d.match is not None and d.match.holder is not None
        holder = d.match.holder
        return Collision(
            workspace_id=workspace_id,
            customer_id=customer_id,
            holder_claim_id=claim_ids.get(holder.claim_id, holder.claim_id),
            holder_id=holder.owner_id,
            challenger_id=d.submission.filer.user_id,
            matched_on=d.match.matched_on.value,
            score=d.match.score,
            attempt=_attempt(d.submission.draft) | {"matched_name": d.match.customer_name},
            submission_key=d.submission.submission_key,
            created_at=d.now,
        )

    def _verdict(
        self,
        d: Decision,
        real: Callable[[int | None], int | None],
        claim_ids: dict[int, int],
        collision: Collision | None,
    ) -> Verdict:
        customer_id = real(d.customer_id)
        if d.kind is Kind.FILE:
            assert d.claim_id is not None
            return Verdict(
                Outcome.PENDING if d.pending else Outcome.CLAIMED,
                customer_id=customer_id,
                customer_name=d.customer_name,
                claim_id=claim_ids[d.claim_id],
                protection_until=None
                if d.pending
                else protection_end(d.now, self.rules, d.submission.draft),
                rules=d.fired,
                candidates=d.possible,
                other_entities=d.other_entities,
            )
        if d.kind is Kind.COLLISION:
            assert d.match is not None and d.match.holder is not None and collision is not None
            return Verdict(
                Outcome.COLLISION,
                customer_id=customer_id,
                customer_name=d.customer_name,
                holder=_resolved(d.match.holder, claim_ids),
                collision_id=collision.id,
            )
        if d.kind is Kind.ALREADY_YOURS:
            assert d.match is not None and d.match.holder is not None
            return Verdict(
                Outcome.ALREADY_YOURS,
                customer_id=customer_id,
                customer_name=d.customer_name,
                claim_id=claim_ids.get(d.match.holder.claim_id, d.match.holder.claim_id),
                protection_until=d.match.holder.until,
            )
        return Verdict(
            Outcome.REFUSED,
            customer_id=customer_id,
            customer_name=d.customer_name,
            refusal=d.refusal,
            refusal_until=d.refusal_until,
            cap=self.rules.claim_cap
            if d.refusal is not None and d.refusal.value == "cap"
            else None,
        )

    def _events(
        self, workspace_id: str, d: Decision, verdict: Verdict, collision: Collision | None
    ) -> list[AuditEvent]:
        filer, draft = d.submission.filer, d.submission.draft

        def event(action: audit.Action, actor: str, **kwargs: Any) -> AuditEvent:
            return AuditEvent(
                workspace_id=workspace_id, at=d.now, actor_id=actor, action=action.value, **kwargs
            )

        if d.kind is Kind.FILE:
            if d.pending:
                decided = event(
                    audit.Action.CLAIM_PENDING,
                    audit.SYSTEM,
                    customer_id=verdict.customer_id,
                    claim_id=verdict.claim_id,
                    data={"rules": [r.value for r in d.fired]},
                )
            else:
                assert verdict.protection_until is not None
                decided = event(
                    audit.Action.CLAIM_APPROVED,
                    audit.SYSTEM,
                    customer_id=verdict.customer_id,
                    claim_id=verdict.claim_id,
                    data={
                        "decision": "auto",
                        "protection_until": verdict.protection_until.isoformat(),
                    },
                )
            return [
                event(
                    audit.Action.CLAIM_FILED,
                    filer.user_id,
                    customer_id=verdict.customer_id,
                    claim_id=verdict.claim_id,
                    data={"via": d.submission.via, "customer_name": draft.customer_name}
                    | _other_entities(d.other_entities)
                    | (
                        {"resubmits": d.submission.resubmits.claim_id}
                        if d.submission.resubmits
                        else {}
                    ),
                ),
                decided,
            ]
        if d.kind is Kind.COLLISION:
            assert collision is not None and verdict.holder is not None and d.match is not None
            return [
                event(
                    audit.Action.COLLISION_RECORDED,
                    filer.user_id,
                    customer_id=verdict.customer_id,
                    claim_id=verdict.holder.claim_id,
                    data={
                        "collision_id": collision.id,
                        "holder_id": verdict.holder.owner_id,
                        "challenger_id": filer.user_id,
                        "matched_on": d.match.matched_on.value,
                        "score": round(d.match.score, 1),
                        "name_entered": draft.customer_name,
                    },
                )
            ]
        if d.kind is Kind.REFUSED:
            return [
                event(
                    audit.Action.CLAIM_REFUSED,
                    filer.user_id,
                    customer_id=verdict.customer_id,
                    data={"reason": str(d.refusal), "name_entered": draft.customer_name},
                )
            ]
        return []

    def _notices(self, d: Decision, verdict: Verdict, collision: Collision | None) -> list[Notice]:
        filer = d.submission.filer
        if d.kind is Kind.FILE:
            return [
                Notice(
                    kind=NoticeKind.CLAIM_VERDICT,
                    recipient=filer.user_id,
                    dedupe_key=f"claim:{verdict.claim_id}:filed",
                    payload=verdict_payload(verdict),
                )
            ]
        if d.kind is Kind.COLLISION:
            assert collision is not None and verdict.holder is not None and d.match is not None
            holder = verdict.holder
            common = {
                "customer_name": d.customer_name,
                "collision_id": collision.id,
                "matched_on": d.match.matched_on.value,
            }
            return [
                Notice(
                    kind=NoticeKind.COLLISION_HOLDER,
                    recipient=holder.owner_id,
                    dedupe_key=f"collision:{collision.id}:holder",
                    payload=common | {"challenger_id": filer.user_id},
                ),
                Notice(
                    kind=NoticeKind.COLLISION_CHALLENGER,
                    recipient=filer.user_id,
                    dedupe_key=f"collision:{collision.id}:challenger",
                    payload=common
                    | {
                        "holder_id": holder.owner_id,
                        "holder_status": holder.status.value,
                        "until": holder.until.isoformat() if holder.until else None,
                    },
                ),
            ]
        return []


async def replay_of(
    session: AsyncSession, workspace_id: str, submission_key: str
) -> Verdict | None:
    """The verdict a submission already got, from what it stored (a claim or a collision)."""
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


def _resolved(holder: Holder, claim_ids: dict[int, int]) -> Holder:
    """The holder with its claim's real id, if it was filed in the same batch."""
    if holder.claim_id in claim_ids:
        return Holder(
            claim_id=claim_ids[holder.claim_id],
            owner_id=holder.owner_id,
            status=holder.status,
            until=holder.until,
            team_id=holder.team_id,
            submitted_at=holder.submitted_at,
            submission_key=holder.submission_key,
        )
    return holder


def _replayed(verdict: Verdict) -> Verdict:
    return replace(verdict, replayed=True)


def _holder(claim: Claim) -> Holder:
    return Holder.of(claim)


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
    keys = (
        [match.probe_key, match.stored_key]
        if match.probe_key is not None and match.stored_key is not None
        else None
    )
    return {
        "customer_id": match.customer_id,
        "customer_name": match.customer_name,
        "score": round(match.score, 1),
        "holder_id": match.holder.owner_id if match.holder else None,
        "matched_on": match.matched_on.value,
        "keys": keys,
    }


def _other_entities(matches: tuple[Match, ...]) -> dict[str, Any]:
    """Similar held names that another credit code set apart, for the audit log."""
    if not matches:
        return {}
    return {
        "other_entities": [_candidate(m) | {"reason": "different_credit_code"} for m in matches]
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
        "other_entities": [_candidate(m) for m in verdict.other_entities],
    }
