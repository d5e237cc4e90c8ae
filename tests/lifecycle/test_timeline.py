"""The protection rules applied to one claim: when it is due for what, at any date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.lifecycle.timeline import Due, Timeline, followup_protection, idle_offsets
from bot.rules import ProtectionRules
from store.models import EndReason

APPROVED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = ProtectionRules()  # 90 days; overdue 7, manager +3, reclaim 14, warning 3


def timeline(
    last: datetime = APPROVED,
    protection: datetime | None = APPROVED + 90 * DAY,
    rules: ProtectionRules = RULES,
) -> Timeline:
    return Timeline.of(last_activity_at=last, protection_until=protection, rules=rules)


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (0, ()),
        (6.99, ()),
        (7, (Due.OVERDUE,)),
        (9.99, (Due.OVERDUE,)),
        (10, (Due.OVERDUE, Due.MANAGER_COPY)),
        (11, (Due.WARNING, Due.MANAGER_COPY)),
        (13.99, (Due.WARNING, Due.MANAGER_COPY)),
        (14, (Due.RECLAIM,)),
        (400, (Due.RECLAIM,)),
    ],
)
def test_an_idle_claim_moves_through_its_states(days: float, due: tuple[Due, ...]) -> None:
    assert timeline().due(APPROVED + timedelta(days=days)) == due


def test_the_protection_end_reclaims_first_when_it_comes_before_the_idle_deadline() -> None:
    worked = APPROVED + 85 * DAY  # followed up recently, but protection ends on day 90
    line = timeline(last=worked)
    assert line.reclaim_reason is EndReason.PROTECTION_ENDED
    assert line.reclaim_at == APPROVED + 90 * DAY
    assert line.warning_at == APPROVED + 87 * DAY
    assert line.due(APPROVED + 87 * DAY) == (Due.WARNING,)
    assert line.due(APPROVED + 90 * DAY) == (Due.RECLAIM,)


def test_no_warning_when_the_rules_ask_for_none() -> None:
    rules = ProtectionRules(reclaim_warning_days=0)
    line = timeline(rules=rules)
    assert line.warning_at is None
    assert line.due(APPROVED + 13 * DAY) == (Due.OVERDUE, Due.MANAGER_COPY)


def test_idle_offsets_are_the_thresholds_the_sweep_watches() -> None:
    assert idle_offsets(RULES) == (7 * DAY, 10 * DAY, 11 * DAY)
    same = ProtectionRules(manager_copy_after_overdue_days=0, reclaim_warning_days=0)
    assert idle_offsets(same) == (7 * DAY,)


def test_a_follow_up_adds_protection_up_to_the_maximum_and_never_takes_any_away() -> None:
    rules = ProtectionRules(days=30, days_per_followup=10, max_protection_days=45)
    start = APPROVED + 30 * DAY
    once = followup_protection(start, decided_at=APPROVED, rules=rules)
    assert once == APPROVED + 40 * DAY
    assert followup_protection(once, decided_at=APPROVED, rules=rules) == APPROVED + 45 * DAY
    extended = APPROVED + 70 * DAY  # an extension went past the cap: it stays
    assert followup_protection(extended, decided_at=APPROVED, rules=rules) == extended
    assert followup_protection(start, decided_at=APPROVED, rules=ProtectionRules()) == start
