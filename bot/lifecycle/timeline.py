"""When an active claim is due for what: the protection rules applied to one claim's two clocks.

A claim has two clocks. The *idle clock* starts at its last activity (approval, then every
follow-up): after ``followup_overdue_days`` the rep is reminded, ``manager_copy_after_overdue_days``
later their manager gets a copy, and after ``reclaim_idle_days`` the claim goes back to the pool.
The *protection period* ends at ``protection_until`` (approval + ``days``, plus what follow-ups and
extensions added), and the claim goes back to the pool then too. Whichever comes first is the
reclaim; ``reclaim_warning_days`` before it the rep is warned, with what would stop it.

Which protection rules apply is the claim's segment's (``Rules.protection_for``, bot/segments.py):
the days may differ by source channel, region or any other attribute of the claim.

Everything here is pure: a claim's times and the rules in, moments out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.rules import ProtectionRules, Rules
from store.lifecycle import ClaimClock
from store.models import EndReason


class Due(StrEnum):
    """What a claim's state calls for."""

    OVERDUE = "overdue"  # remind the rep to follow up
    MANAGER_COPY = "overdue_manager"  # tell the rep's manager the claim is still idle
    WARNING = "reclaim_warning"  # the reclaim is near: its date and what stops it
    RECLAIM = "reclaim"  # release the claim to the public pool now


@dataclass(frozen=True, slots=True)
class Timeline:
    """The moments at which one active claim falls due for each action."""

    idle_since: datetime
    protection_until: datetime | None
    overdue_at: datetime
    manager_copy_at: datetime
    idle_reclaim_at: datetime
    reclaim_at: datetime
    # None when the rules ask for no warning (reclaim_warning_days: 0).
    warning_at: datetime | None
    reclaim_reason: EndReason

    @classmethod
    def of(
        cls,
        *,
        last_activity_at: datetime,
        protection_until: datetime | None,
        rules: ProtectionRules,
    ) -> Timeline:
        """The timeline of a claim last active at ``last_activity_at``."""
        overdue_at = last_activity_at + timedelta(days=rules.followup_overdue_days)
        idle_reclaim_at = last_activity_at + timedelta(days=rules.reclaim_idle_days)
        if protection_until is not None and protection_until < idle_reclaim_at:
            reclaim_at, reason = protection_until, EndReason.PROTECTION_ENDED
        else:
            reclaim_at, reason = idle_reclaim_at, EndReason.RECLAIMED
        warning = timedelta(days=rules.reclaim_warning_days)
        return cls(
            idle_since=last_activity_at,
            protection_until=protection_until,
            overdue_at=overdue_at,
            manager_copy_at=overdue_at + timedelta(days=rules.manager_copy_after_overdue_days),
            idle_reclaim_at=idle_reclaim_at,
            reclaim_at=reclaim_at,
            warning_at=reclaim_at - warning if warning else None,
            reclaim_reason=reason,
        )

    @classmethod
    def of_claim(cls, claim: ClaimClock, rules: Rules) -> Timeline:
        """The timeline of an active claim as the store reads it (idle since its last activity,
        else its approval, else its filing), under its segment's protection rules."""
        last = claim.last_activity_at or claim.decided_at or claim.submitted_at
        return cls.of(
            last_activity_at=last,
            protection_until=claim.protection_until,
            rules=rules.protection_for(claim),
        )

    def due(self, now: datetime) -> tuple[Due, ...]:
        """What the claim's state calls for at ``now`` — its current state only.

        A reclaim supersedes everything; the warning supersedes the rep's overdue reminder (it
        says more, and the rep should get one message, not two); the manager's copy stands on
        its own until the reclaim. After downtime this is what makes a pass send each claim the
        notice for where it is now, not every notice it missed on the way.
        """
        if now >= self.reclaim_at:
            return (Due.RECLAIM,)
        found: list[Due] = []
        if self.warning_at is not None and now >= self.warning_at:
            found.append(Due.WARNING)
        elif now >= self.overdue_at:
            found.append(Due.OVERDUE)
        if now >= self.manager_copy_at:
            found.append(Due.MANAGER_COPY)
        return tuple(found)

    def idle_days(self, now: datetime) -> int:
        """Whole days since the last activity."""
        return max(0, (now - self.idle_since).days)


def idle_offsets(rules: ProtectionRules) -> tuple[timedelta, ...]:
    """How long after the last activity each idle threshold falls (overdue, manager copy, warning).

    The sweep looks for claims whose ``last_activity_at`` crossed one of these since its last
    pass; the reclaim itself needs no window (every claim past it is found every time).
    """
    offsets = {
        timedelta(days=rules.followup_overdue_days),
        timedelta(days=rules.followup_overdue_days + rules.manager_copy_after_overdue_days),
    }
    if rules.reclaim_warning_days:
        offsets.add(timedelta(days=rules.reclaim_idle_days - rules.reclaim_warning_days))
    return tuple(sorted(offsets))


def all_idle_offsets(rules: Rules) -> tuple[timedelta, ...]:
    """:func:`idle_offsets` of every segment's protection rules together."""
    offsets: set[timedelta] = set()
    for protection in rules.protection_variants():
        offsets.update(idle_offsets(protection))
    return tuple(sorted(offsets))


def protection_end(decided_at: datetime, rules: Rules, claim: object) -> datetime:
    """When the protection of ``claim`` (an object or a mapping of its attributes), approved at
    ``decided_at``, ends under its segment's rules — before follow-ups and extensions add to it.

    Every path that approves or hands over a claim asks here.
    """
    return decided_at + timedelta(days=rules.protection_for(claim).days)


def followup_protection(
    current: datetime | None, *, decided_at: datetime, rules: ProtectionRules
) -> datetime | None:
    """Protection after one more follow-up: ``days_per_followup`` more, up to the maximum after
    approval — and never less than it was (an extension may have taken it past the maximum)."""
    if current is None or not rules.days_per_followup:
        return current
    cap = decided_at + timedelta(days=rules.max_protection_days)
    return max(current, min(current + timedelta(days=rules.days_per_followup), cap))
