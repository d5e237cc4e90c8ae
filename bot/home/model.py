"""What a Home shows, as plain data for the card: the lists (each a page), the numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.approvals.outcome import PendingPage
from bot.home.state import HomeState
from bot.home.todo import TodoItem
from bot.lifecycle.timeline import Timeline
from bot.metrics.analytics import Analytics
from bot.metrics.definitions import Metrics
from bot.metrics.service import Report, Scope
from bot.rules import Rules
from store.home import HomeClaim, PendingClaim
from store.models import Role

T = TypeVar("T", covariant=True)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """``items`` from ``offset`` of ``total``, in pages of ``size`` (0: as many as shown)."""

    items: tuple[T, ...]
    total: int
    offset: int = 0
    size: int = 0

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.items)
        return following if following < self.total else None

    @property
    def previous_offset(self) -> int | None:
        if self.offset <= 0:
            return None
        return max(0, self.offset - max(self.size or len(self.items), 1))

    @property
    def more(self) -> int:
        """How many come after this page."""
        return max(0, self.total - self.offset - len(self.items))


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """An active claim on a Home: what it is, where it stands, what it needs next."""

    claim_id: int
    owner_id: str
    customer_name: str
    stage: str | None
    protection_until: datetime | None
    last_followup_at: datetime | None
    reclaim_at: datetime
    overdue: bool  # no follow-up for followup_overdue_days
    reclaim_soon: bool  # inside the reclaim warning window
    idle_days: int

    @classmethod
    def of(
        cls,
        claim: HomeClaim,
        rules: Rules,
        now: datetime,
        last_followup_at: datetime | None,
    ) -> ClaimLine:
        timeline = Timeline.of(
            last_activity_at=claim.last_activity_at or claim.decided_at or claim.submitted_at,
            protection_until=claim.protection_until,
            rules=rules.protection_for(claim),
        )
        return cls(
            claim_id=claim.claim_id,
            owner_id=claim.owner_id,
            customer_name=claim.customer_name,
            stage=claim.stage,
            protection_until=claim.protection_until,
            last_followup_at=last_followup_at,
            reclaim_at=timeline.reclaim_at,
            overdue=now >= timeline.overdue_at,
            reclaim_soon=timeline.warning_at is not None and now >= timeline.warning_at,
            idle_days=timeline.idle_days(now),
        )


@dataclass(frozen=True, slots=True)
class HomeModel:
    """Everything one person's Home shows.

    Everyone has their own claims (``mine``, ``pending``); a rep also their month's numbers.
    Managers and admins add the claims waiting for their decision, the claims of their teams
    (everyone's, for an admin) that need attention, and the numbers for the chosen period.
    """

    user_id: str
    role: Role
    scope: Scope
    state: HomeState
    now: datetime
    mine: Page[ClaimLine]
    pending: Page[PendingClaim]
    todo: Page[TodoItem] = Page((), 0)
    my_month: Metrics | None = None
    decisions: PendingPage | None = None
    attention: Page[ClaimLine] | None = None
    report: Report | None = None
    # The stage funnel, sales cycle and value of the same scope and period.
    pipeline: Analytics | None = None

    @property
    def oversees(self) -> bool:
        """Whether this Home is a manager's or an admin's dashboard."""
        return self.report is not None
