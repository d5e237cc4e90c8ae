"""What came of an approval action, and a page of what waits for someone's decision."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.approvals.case import ApprovalCase, Question
from bot.duplicates import Match


class ApprovalRefusal(StrEnum):
    """Why an approval action was not carried out."""

    UNKNOWN = "unknown"  # no such claim or question here: forged, tampered, or another workspace's
    NOT_APPROVER = "not_approver"  # a rep, a partner, a manager of another team
    OWN_CLAIM = "own_claim"  # nobody decides their own claim, managers included
    DECIDED = "decided"  # decided already (the case says by whom and when)
    HELD_ELSEWHERE = "held_elsewhere"  # the customer was meanwhile claimed by someone else
    NOT_OWNER = "not_owner"  # only the rep who filed answers questions on a claim
    ANSWERED = "answered"  # the question has its answer already


@dataclass(frozen=True, slots=True)
class Attempt:
    """What came of an approval action: the case as it stands now, or why nothing changed."""

    case: ApprovalCase | None = None
    refusal: ApprovalRefusal | None = None
    held_by: Match | None = None
    question: Question | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True, slots=True)
class PendingPage:
    """One page of the claims waiting for someone's decision, oldest first."""

    cases: tuple[ApprovalCase, ...]
    total: int
    offset: int
    approver: bool  # whether the person decides anyone's claims at all

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.cases)
        return following if following < self.total else None
