"""A claim's life: the status changes it may make, and the one way to make them.

A claim is born pending or active (:mod:`bot.claims`, an import, a handover). After that its
status changes only here, through :func:`move` (a conditional UPDATE of rows the caller has not
loaded) or :func:`move_loaded` (a row the caller holds under the claim lock). Both refuse a change
:data:`TRANSITIONS` does not list with :class:`IllegalTransition`, a bug rather than a user error.

Every change that ends a claim (any status but active) stamps ``ended_at`` and ``end_reason``,
and bumps the row's version so a button drawn before the change is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Claim, ClaimStatus, EndReason

S = ClaimStatus
R = EndReason

# (from, to) → the end reasons that change may be made for (None: the claim does not end).
TRANSITIONS: Mapping[tuple[ClaimStatus, ClaimStatus], frozenset[EndReason | None]] = {
    (S.PENDING, S.ACTIVE): frozenset({None}),  # approved
    (S.PENDING, S.REJECTED): frozenset({R.REJECTED}),
    # Handed over before a decision; withdrawn by its owner; its customer merged into another.
    (S.PENDING, S.RELEASED): frozenset({R.TRANSFERRED, R.WITHDRAWN, R.MERGED}),
    (S.ACTIVE, S.PENDING): frozenset({None}),  # an edit made it resemble another customer
    (S.ACTIVE, S.WON): frozenset({R.WON}),
    (S.ACTIVE, S.LOST): frozenset({R.LOST}),
    (S.ACTIVE, S.RELEASED): frozenset(
        {R.RECLAIMED, R.PROTECTION_ENDED, R.RELEASED, R.TRANSFERRED, R.WITHDRAWN, R.MERGED}
    ),
    # A dispute or a manager moved a won one; its customer merged into one held earlier.
    (S.WON, S.RELEASED): frozenset({R.TRANSFERRED, R.MERGED}),
}


# Statuses a claim may move to without ending.
_NOT_ENDING = (ClaimStatus.PENDING, ClaimStatus.ACTIVE)


class IllegalTransition(ValueError):
    """A status change the claim's life does not have (a bug in the caller)."""


def allowed(source: ClaimStatus, target: ClaimStatus, reason: EndReason | None) -> bool:
    """Whether a claim in ``source`` may move to ``target`` for ``reason``."""
    return reason in TRANSITIONS.get((source, target), frozenset())


def _check(
    sources: Collection[ClaimStatus], target: ClaimStatus, reason: EndReason | None
) -> dict[str, Any]:
    refused = [s for s in sources if not allowed(s, target, reason)]
    if refused or not sources:
        raise IllegalTransition(
            f"{', '.join(refused) or '(no status)'} → {target} ({reason or 'no end'})"
        )
    return {} if target in _NOT_ENDING else {"end_reason": reason}


async def move(
    session: AsyncSession,
    workspace_id: str,
    claim_ids: Collection[int],
    *,
    source: Collection[ClaimStatus],
    target: ClaimStatus,
    at: datetime,
    reason: EndReason | None = None,
    **values: Any,
) -> int:
    """Move those of the claims still in a ``source`` status to ``target`` (also setting
    ``values``); how many moved.

    The status is checked by the database in the UPDATE itself, so of two changes racing (two
    managers, two replicas, a click and the sweep) exactly one moves the row.
    """
    ending = _check(source, target, reason)
    if not claim_ids:
        return 0
    if ending:
        values |= {"ended_at": at, "end_reason": reason.value if reason else None}
    result = await session.execute(
        update(Claim)
        .where(
            Claim.workspace_id == workspace_id,
            Claim.id.in_(list(claim_ids)),
            Claim.status.in_([s.value for s in source]),
        )
        .values(status=target.value, version=Claim.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def move_loaded(
    claim: Claim, target: ClaimStatus, *, at: datetime, reason: EndReason | None = None
) -> None:
    """Move a claim the caller loaded and holds under the claim lock (written when the session
    flushes). It is part of the caller's change to the row, which bumps the version once."""
    ending = _check([ClaimStatus(claim.status)], target, reason)
    claim.status = target.value
    if ending:
        claim.ended_at, claim.end_reason = at, reason.value if reason else None
