"""The answer to a claim submission, as the rep (and only the rep) sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.claims.approval import ApprovalRule
from bot.duplicates import Holder, Match


class Outcome(StrEnum):
    CLAIMED = "claimed"  # approved at once and protected
    PENDING = "pending"  # waiting for a manager; the rules say why
    COLLISION = "collision"  # someone else holds the customer (撞单)
    ALREADY_YOURS = "already_yours"  # the rep holds it already
    REFUSED = "refused"  # over the cap, or in the cool-down after losing it


class FilingRefusal(StrEnum):
    CAP = "cap"
    COOLDOWN = "cooldown"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What happened to a submission."""

    outcome: Outcome
    customer_id: int | None
    customer_name: str
    claim_id: int | None = None
    protection_until: datetime | None = None
    rules: tuple[ApprovalRule, ...] = ()
    candidates: tuple[Match, ...] = ()
    # Held customers with a similar name but another valid credit code: told, not a duplicate.
    other_entities: tuple[Match, ...] = ()
    holder: Holder | None = None
    collision_id: int | None = None
    refusal: FilingRefusal | None = None
    refusal_until: datetime | None = None
    cap: int | None = None
    replayed: bool = False
