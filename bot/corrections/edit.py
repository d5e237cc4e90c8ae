"""Editing a claim after filing: its owner while it is pending or active, the team's managers and
admins (the people who may see its details, :meth:`Directory.can_see`).

Decisions the issue left open, made here:

- Every field of the form may be corrected, the names included. A change to an identifier (either
  name, phone, e-mail, credit code) goes through the duplicate check again, under the claim lock
  as a filing does, against every customer but the claim's own:
  - a clear match held by someone else refuses the edit and names the holder (nothing is written);
  - any other resemblance (a possible name match, or a clear match nobody holds) sends an active
    claim back to its approvers, as the same data filed new would have been; a pending one stays
    pending and its approvers are told what changed.
- The new identifiers are added to the customer's keys (keys are only ever added: the company is
  still the one known by its old phone), and the customer's own name and credit code follow the
  claim that holds it, so the duplicate check finds it by what it is now called.
- The audit event keeps each changed field's value before and after; the history shows it.
- The claim keeps its edits since filing (``rules_fired["edited"]``), so its approval card shows
  them as before → after lines, also on a card re-opened by an edit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.approvals.routing import ApprovalRouter
from bot.claims.draft import ClaimDraft
from bot.claims.profile import stored
from bot.corrections.common import Correction, CorrectionRefusal, Corrector
from bot.duplicates import DuplicateChecker, Probe
from bot.ids import PROFILE_INPUT_PREFIX
from bot.matching import company_key
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from store import audit, transitions
from store import customers as customer_store
from store.models import Claim, ClaimStatus, Customer

# Fields whose change re-runs the duplicate check.
IDENTIFIERS = ("customer_name", "other_name", "phone", "email", "credit_code")


def _plain(value: object) -> Any:
    """A field's value as the audit log and the cards keep it."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def changes_of(claim: Claim, draft: ClaimDraft) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field the draft changes; a profile field's under
    its input id (``profile.industry``), its values as stored."""
    changed: dict[str, list[Any]] = {}
    for f in fields(ClaimDraft):
        if f.name == "profile":
            continue
        before, after = getattr(claim, f.name), getattr(draft, f.name)
        if _plain(before) != _plain(after):
            changed[f.name] = [_plain(before), _plain(after)]
    old, new = stored(claim.profile), draft.profile
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            changed[f"{PROFILE_INPUT_PREFIX}{key}"] = [old.get(key), new.get(key)]
    return changed


def with_edits(fired: dict[str, Any] | None, changes: dict[str, list[Any]]) -> dict[str, Any]:
    """``rules_fired`` with the claim's edits since filing folded in, ``{field: [first before,
    latest after]}``, for the approval card's before → after lines (a field edited back to its
    filed value drops out)."""
    fired = dict(fired or {})
    edited = dict((fired.get("edited") or {}).get("changes") or {})
    for name, (before, after) in changes.items():
        first = edited.get(name, [before])[0]
        if first == after:
            edited.pop(name, None)
        else:
            edited[name] = [first, after]
    fired["edited"] = {"changes": edited}
    return fired


@dataclass
class EditService(Corrector):
    """Corrections to a filed claim's data."""

    action = "edit"
    owner_only = False
    checker: DuplicateChecker
    router: ApprovalRouter

    async def edit(
        self, workspace_id: str, actor_id: str, claim_id: int, draft: ClaimDraft
    ) -> Correction:
        """Apply ``draft`` to the claim, or refuse it whole."""
        await self.directory.ensure_seeded(workspace_id)
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            claim, refused = await self._load(session, workspace_id, actor_id, claim_id)
            if refused is not None:
                return refused
            assert claim is not None
            changes = changes_of(claim, draft)
            if not changes:
                return Correction.of(claim, CorrectionRefusal.UNCHANGED)
            near = False
            if any(name in changes for name in IDENTIFIERS):
                holder, near = await self._recheck(session, workspace_id, claim, draft)
                if holder is not None:
                    await audit.on_claim(
                        session,
                        claim,
                        audit.Action.CLAIM_REFUSED,
                        by=actor_id,
                        at=now,
                        data={"edit": changes, "holder_id": holder.owner_id, "why": "collision"},
                    )
                    return Correction.of(
                        claim, CorrectionRefusal.COLLISION, holder_id=holder.owner_id
                    )
            was = ClaimStatus(claim.status)
            for name in changes:
                if name.startswith(PROFILE_INPUT_PREFIX):
                    claim.profile = dict(draft.profile)
                else:
                    setattr(claim, name, getattr(draft, name))
            claim.version += 1
            claim.rules_fired = with_edits(claim.rules_fired, changes)
            await self._follow_customer(session, workspace_id, claim, draft, now)
            held = near and was is ClaimStatus.ACTIVE
            if held:
                transitions.move_loaded(claim, ClaimStatus.PENDING, at=now)
                claim.decided_at = claim.decided_by = claim.decision = None
                claim.protection_until = None
            await audit.on_claim(
                session,
                claim,
                audit.Action.CLAIM_EDITED,
                by=actor_id,
                at=now,
                data={"changes": changes, "held_for_approval": held},
            )
            await session.flush()
            payload = {
                "customer_name": claim.customer_name,
                "claim_id": claim.id,
                "owner_id": claim.owner_id,
                "actor_id": actor_id,
                "changes": changes,
            }
            if held:
                await self.router.announce(
                    session, workspace_id, claim, at=now, repeat=f":edit:{claim.version}"
                )
            elif was is ClaimStatus.PENDING:
                await self.router.tell_approvers(
                    session,
                    workspace_id,
                    claim,
                    kind=NoticeKind.CLAIM_EDITED,
                    key=f"edited:{claim.version}",
                    payload=payload,
                    at=now,
                )
            if actor_id != claim.owner_id:
                await enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=NoticeKind.CLAIM_EDITED,
                        recipient=claim.owner_id,
                        dedupe_key=f"claim:{claim.id}:edited:{claim.version}:owner",
                        payload=payload,
                    ),
                    at=now,
                )
            return Correction.of(claim, changes=changes, held_for_approval=held)

    async def _recheck(
        self, session: AsyncSession, workspace_id: str, claim: Claim, draft: ClaimDraft
    ) -> tuple[Any, bool]:
        """The duplicate check of filing, on the edited data: (another's holder, near match)."""
        probe = Probe(
            name_keys=tuple(draft.name_keys()),
            exact=tuple(draft.exact_keys()),
            credit_code=draft.credit_code,
        )
        near = False
        for match in await self.checker.find(session, workspace_id, probe):
            if match.customer_id == claim.customer_id:
                continue
            holder = match.holder
            if match.clear and holder is not None and holder.claim_id != claim.id:
                return holder, False
            near = True
        return None, near

    async def _follow_customer(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim: Claim,
        draft: ClaimDraft,
        now: datetime,
    ) -> None:
        customer = await session.get(Customer, claim.customer_id)
        if customer is not None:
            customer.name = draft.customer_name
            customer.name_key = company_key(draft.customer_name) or customer.name_key
            if draft.credit_code:
                customer.credit_code = draft.credit_code
        await customer_store.add_keys(
            session, workspace_id, claim.customer_id, draft.exact_keys(), at=now
        )
