"""Follow-ups (跟进记录): what keeps a claim alive.

A follow-up records when, how, what happened, the next step and the stage after it. It restarts
the claim's idle clock, may add protection days (``days_per_followup``, up to
``max_protection_days`` after approval), and a terminal stage ends the claim: won keeps the customer
with the rep for good (no reclaim), lost releases it to the public pool.

Decisions the issue left open, made here:

- Only the owner logs follow-ups on a claim, and only while it is active (pending claims start
  their clock at approval; won and released ones have none).
- The idle clock moves to the follow-up's *time*, never backwards: logging last week's call today
  does not buy a fresh fortnight, which is what a sales lead wants the clock to measure.
- A follow-up may not be dated in the future, nor its next step before it.
- With ``protection.progress: stage_advance`` only a follow-up that moves the claim to a later
  stage restarts the idle clock and earns ``days_per_followup``; the others are still recorded
  (and count as the first contact).
- The latest follow-up's next step is the claim's next step; a follow-up without one clears it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.lifecycle import notices
from bot.lifecycle.followup_form import FollowUpEntry
from bot.lifecycle.release import Releaser
from bot.lifecycle.timeline import Timeline, followup_protection
from bot.matching import company_key, score
from bot.notify import enqueue_many
from bot.rules import ProtectionRules, Rules
from store import audit, transitions
from store import claims as claim_store
from store import lifecycle as store
from store.db import Database
from store.lifecycle import ClaimClock
from store.models import Claim, ClaimStatus, EndReason, FollowUp

FIND_THRESHOLD = 60.0


class OwnerRefusal(StrEnum):
    """Why a follow-up or an extension request on a claim is not accepted."""

    NOT_FOUND = "not_found"
    NOT_OWNER = "not_owner"
    PENDING = "pending"  # still waiting for approval
    ENDED = "ended"  # won, lost, rejected or released


@dataclass(frozen=True, slots=True)
class ClaimView:
    """An active claim as its owner sees it in the follow-up and extension flows."""

    claim_id: int
    customer_name: str
    stage: str | None
    last_activity_at: datetime | None
    protection_until: datetime | None
    reclaim_at: datetime | None
    extensions_granted: int

    @classmethod
    def of(cls, claim: Claim, rules: Rules) -> ClaimView:
        reclaim_at = None
        if claim.status == ClaimStatus.ACTIVE:
            reclaim_at = Timeline.of(
                last_activity_at=claim.last_activity_at or claim.decided_at or claim.submitted_at,
                protection_until=claim.protection_until,
                rules=rules.protection_for(claim),
            ).reclaim_at
        return cls(
            claim_id=claim.id,
            customer_name=claim.customer_name,
            stage=claim.stage,
            last_activity_at=claim.last_activity_at,
            protection_until=claim.protection_until,
            reclaim_at=reclaim_at,
            extensions_granted=claim.extensions_granted,
        )


@dataclass(frozen=True, slots=True)
class Logged:
    """A follow-up was recorded; ``claim`` is the claim after it."""

    claim: ClaimView
    status: ClaimStatus
    outcome: EndReason | None  # won or lost when the stage ended the claim


def is_progress(
    rules: Rules, protection: ProtectionRules, previous: str | None, stage: str | None
) -> bool:
    """Whether a follow-up moving the claim from stage ``previous`` to ``stage`` restarts its idle
    clock: any follow-up does, unless the rules count only a move to a later stage (有效进展)."""
    if protection.progress == "followup":
        return True
    order = [s.key for s in rules.stages]
    if stage is None or stage not in order:
        return False
    return previous not in order or order.index(stage) > order.index(previous)


def refusal_for(claim: Claim | None, user_id: str) -> OwnerRefusal | None:
    """Why ``user_id`` may not act on ``claim`` as its owner, if they may not."""
    if claim is None:
        return OwnerRefusal.NOT_FOUND
    if claim.owner_id != user_id:
        return OwnerRefusal.NOT_OWNER
    if claim.status == ClaimStatus.PENDING:
        return OwnerRefusal.PENDING
    if claim.status != ClaimStatus.ACTIVE:
        return OwnerRefusal.ENDED
    return None


@dataclass
class FollowUpService:
    """Logs follow-ups and finds a rep's claims by name."""

    db: Database
    rules: Rules
    clock: Clock

    async def claim_for(
        self, workspace_id: str, user_id: str, claim_id: int
    ) -> ClaimView | OwnerRefusal:
        """The claim the rep is about to log a follow-up on, or why they may not."""
        async with self.db.session() as session:
            claim = await claim_store.get_claim(session, workspace_id, claim_id)
            refusal = refusal_for(claim, user_id)
            if refusal is not None or claim is None:
                return refusal or OwnerRefusal.NOT_FOUND
            return ClaimView.of(claim, self.rules)

    async def log(
        self, workspace_id: str, user_id: str, claim_id: int, entry: FollowUpEntry
    ) -> Logged | OwnerRefusal:
        """Record ``entry`` on the claim, in one transaction with everything it changes."""
        async with self.db.write() as session:
            claim = await store.claim_for_update(session, workspace_id, claim_id)
            refusal = refusal_for(claim, user_id)
            now = self.clock.now()
            if refusal is OwnerRefusal.NOT_OWNER and claim is not None:
                await audit.on_claim(
                    session,
                    claim,
                    audit.Action.ACCESS_REFUSED,
                    by=user_id,
                    at=now,
                    data={"attempt": "followup", "owner_id": claim.owner_id},
                )
            if refusal is not None or claim is None:
                return refusal or OwnerRefusal.NOT_FOUND
            happened_at = min(entry.happened_at, now)
            if await self._repeated(session, claim.id, user_id, entry, happened_at):
                # The same form delivered twice (a retry, a double click): logged once.
                return Logged(ClaimView.of(claim, self.rules), ClaimStatus(claim.status), None)
            followup = await store.add_followup(
                session,
                FollowUp(
                    workspace_id=workspace_id,
                    claim_id=claim.id,
                    author_id=user_id,
                    happened_at=happened_at,
                    method=entry.method.value,
                    summary=entry.summary,
                    next_step=entry.next_step,
                    next_step_on=entry.next_step_on,
                    stage=entry.stage,
                    created_at=now,
                ),
            )
            previous_stage = claim.stage
            protection = self.rules.protection_for(claim)
            if is_progress(self.rules, protection, previous_stage, entry.stage):
                claim.last_activity_at = max(claim.last_activity_at or happened_at, happened_at)
                claim.protection_until = followup_protection(
                    claim.protection_until,
                    decided_at=claim.decided_at or claim.submitted_at,
                    rules=protection,
                )
            if entry.stage and entry.stage != previous_stage:
                claim.stage = entry.stage
                claim.stage_since = happened_at
            # The latest follow-up's next step is the claim's: one without any clears it.
            claim.next_step, claim.next_step_on = entry.next_step, entry.next_step_on
            claim.version += 1
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_FOLLOWED_UP,
                by=user_id,
                at=now,
                data={
                    "followup_id": followup.id,
                    "method": entry.method.value,
                    "happened_at": happened_at.isoformat(),
                    "stage": entry.stage,
                    "previous_stage": previous_stage,
                    "protection_until": notices.iso(claim.protection_until),
                },
            )
            stage = self.rules.stage(entry.stage) if entry.stage else None
            outcome = EndReason(stage.outcome) if stage is not None and stage.outcome else None
            if outcome is EndReason.WON:
                transitions.move_loaded(claim, ClaimStatus.WON, at=now, reason=EndReason.WON)
                await store.cancel_extension_requests(session, workspace_id, [claim.id], at=now)
                await audit.on_claim(
                    session,
                    claim,
                    audit.Action.CLAIM_WON,
                    by=user_id,
                    at=now,
                    data={"followup_id": followup.id},
                )
            elif outcome is EndReason.LOST:
                transitions.move_loaded(claim, ClaimStatus.LOST, at=now, reason=EndReason.LOST)
                await audit.on_claim(
                    session,
                    claim,
                    audit.Action.CLAIM_LOST,
                    by=user_id,
                    at=now,
                    data={"followup_id": followup.id},
                )
                await session.flush()
                announcements = await Releaser(self.rules).to_pool(
                    session, workspace_id, [ClaimClock.of(claim)], reason=EndReason.LOST, now=now
                )
                await enqueue_many(session, workspace_id, announcements, at=now)
            return Logged(
                claim=ClaimView.of(claim, self.rules),
                status=ClaimStatus(claim.status),
                outcome=outcome,
            )

    async def _repeated(
        self,
        session: AsyncSession,
        claim_id: int,
        user_id: str,
        entry: FollowUpEntry,
        happened_at: datetime,
    ) -> bool:
        last = await store.last_followup(session, claim_id)
        return (
            last is not None
            and last.author_id == user_id
            and last.happened_at == happened_at
            and last.method == entry.method.value
            and last.summary == entry.summary
            and last.stage == entry.stage
        )

    async def find_own(self, workspace_id: str, user_id: str, query: str) -> list[ClaimView]:
        """The rep's active claims matching ``query`` (a name, or ``#id``), best first.

        An empty query lists them all (the least recently worked first); one clear match comes
        back alone.
        """
        async with self.db.session() as session:
            claims = list(await store.active_claims_of(session, workspace_id, user_id))
        query = query.strip()
        if not query:
            return [ClaimView.of(c, self.rules) for c in claims]
        by_id = re.fullmatch(r"#?(\d{1,12})", query)
        if by_id:
            wanted = int(by_id.group(1))
            return [ClaimView.of(c, self.rules) for c in claims if c.id == wanted]
        key = company_key(query)
        lowered = query.casefold()
        scored: list[tuple[float, Claim]] = []
        for claim in claims:
            similarity = score(key, company_key(claim.customer_name)) if key else 0.0
            name = claim.customer_name.casefold()
            if lowered == name:
                similarity = 100.0
            elif lowered in name:
                similarity = max(similarity, 95.0)
            if similarity >= FIND_THRESHOLD:
                scored.append((similarity, claim))
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        if scored and scored[0][0] == 100.0 and (len(scored) == 1 or scored[1][0] < 100.0):
            scored = scored[:1]
        return [ClaimView.of(c, self.rules) for _, c in scored]
