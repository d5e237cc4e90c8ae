"""A dispute as its cards show it, and what came of an action on it.

The same :class:`DisputeCase` feeds the card the deciders get (an outbox payload, rendered in
each recipient's language when sent) and every update of it in place. It names the two reps, who
filed first and when, the reason given, and the decision — never a contact detail of either
side: the card may reach a manager of the other rep's team, or a channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from store import disputes as store
from store.models import Claim, ClaimStatus, Collision

# The ``subject`` of posted dispute cards (updated in place).
DISPUTE_SUBJECT = "dispute"


class Verdict(StrEnum):
    """What the deciders may rule."""

    KEEP = store.KEPT
    TRANSFER = store.TRANSFERRED


class DisputeRefusal(StrEnum):
    """Why a dispute action was not carried out."""

    UNKNOWN = "unknown"  # no such collision here (forged, another workspace's)
    NOT_PARTY = "not_party"  # only the two reps of a collision may dispute it
    OPEN_ALREADY = "open_already"  # disputed already, waiting for a decision
    DECIDED = "decided"  # decided already (the case says how and by whom)
    CLAIM_ENDED = "claim_ended"  # the holder's claim ended: nothing left to dispute
    NOT_DECIDER = "not_decider"  # a rep, a partner, a manager of neither rep's team
    PARTY = "party"  # one of the two reps may not decide their own dispute
    NOT_OPEN = "not_open"  # nobody disputed this collision
    HELD_ELSEWHERE = "held_elsewhere"  # a third rep holds the customer now


@dataclass(frozen=True, slots=True)
class DisputeCase:
    """Everything a dispute card shows."""

    collision_id: int
    customer_id: int
    customer_name: str
    holder_id: str
    holder_claim_id: int
    holder_filed_at: datetime | None
    holder_until: datetime | None
    challenger_id: str
    collided_at: datetime
    matched_on: str
    status: str | None  # None (not disputed), open, kept, transferred
    disputed_by: str | None = None
    reason: str | None = None
    disputed_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    new_claim_id: int | None = None

    @property
    def open(self) -> bool:
        return self.status == store.OPEN

    @property
    def decided(self) -> bool:
        return self.status in (store.KEPT, store.TRANSFERRED)

    @classmethod
    def of(
        cls,
        collision: Collision,
        customer_name: str,
        holder: Claim | None,
        new_claim_id: int | None,
    ) -> DisputeCase:
        return cls(
            collision_id=collision.id,
            customer_id=collision.customer_id,
            customer_name=customer_name,
            holder_id=collision.holder_id,
            holder_claim_id=collision.holder_claim_id,
            holder_filed_at=holder.submitted_at if holder else None,
            holder_until=holder.protection_until
            if holder and holder.status == ClaimStatus.ACTIVE.value
            else None,
            challenger_id=collision.challenger_id,
            collided_at=collision.created_at,
            matched_on=collision.matched_on,
            status=collision.dispute_status,
            disputed_by=collision.disputed_by,
            reason=collision.dispute_reason,
            disputed_at=collision.disputed_at,
            decided_by=collision.decided_by,
            decided_at=collision.decided_at,
            decision_reason=collision.decision_reason,
            new_claim_id=new_claim_id,
        )

    def to_payload(self) -> dict[str, Any]:
        return {
            "collision_id": self.collision_id,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "holder_id": self.holder_id,
            "holder_claim_id": self.holder_claim_id,
            "holder_filed_at": _iso(self.holder_filed_at),
            "holder_until": _iso(self.holder_until),
            "challenger_id": self.challenger_id,
            "collided_at": self.collided_at.isoformat(),
            "matched_on": self.matched_on,
            "status": self.status,
            "disputed_by": self.disputed_by,
            "reason": self.reason,
            "disputed_at": _iso(self.disputed_at),
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "decision_reason": self.decision_reason,
            "new_claim_id": self.new_claim_id,
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> DisputeCase:
        new_claim = data.get("new_claim_id")
        return cls(
            collision_id=int(data["collision_id"]),
            customer_id=int(data.get("customer_id") or 0),
            customer_name=str(data.get("customer_name") or ""),
            holder_id=str(data.get("holder_id") or ""),
            holder_claim_id=int(data.get("holder_claim_id") or 0),
            holder_filed_at=_parse(data.get("holder_filed_at")),
            holder_until=_parse(data.get("holder_until")),
            challenger_id=str(data.get("challenger_id") or ""),
            collided_at=datetime.fromisoformat(str(data["collided_at"])),
            matched_on=str(data.get("matched_on") or "name"),
            status=data.get("status"),
            disputed_by=data.get("disputed_by"),
            reason=data.get("reason"),
            disputed_at=_parse(data.get("disputed_at")),
            decided_by=data.get("decided_by"),
            decided_at=_parse(data.get("decided_at")),
            decision_reason=data.get("decision_reason"),
            new_claim_id=int(new_claim) if new_claim else None,
        )


@dataclass(frozen=True, slots=True)
class DisputeAttempt:
    """What came of a dispute action: the case as it stands, or why nothing changed."""

    case: DisputeCase | None = None
    refusal: DisputeRefusal | None = None
    # Where the dispute went (for the rep who opened it).
    recipients: tuple[str, ...] = ()
    # Who holds the customer now, when that stops a transfer.
    held_by: str | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _parse(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text)) if text else None
