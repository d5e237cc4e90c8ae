"""When the follow-up reminders fall due, from a claim's clocks and the rules (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.lifecycle.reminders import Reminder, reminders_due
from bot.rules import Rules
from store.lifecycle import ClaimClock

# Monday 2026-11-23, 10:00 in Shanghai.
APPROVED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def clock(**changes: Any) -> ClaimClock:
    values: dict[str, Any] = {
        "claim_id": 1,
        "owner_id": "U0REP00001",
        "team_id": None,
        "customer_id": 1,
        "customer_name": "ACME",
        "status": "active",
        "submitted_at": APPROVED,
        "decided_at": APPROVED,
        "last_activity_at": APPROVED,
        "protection_until": APPROVED + timedelta(days=90),
        "extensions_granted": 0,
        "decision": "auto",
    }
    return ClaimClock(**(values | changes))


def due(claim: ClaimClock, rules: Rules, at: datetime, *, followed_up: bool = False) -> list[Any]:
    return [
        (d.reminder, d.due_at) for d in reminders_due(claim, rules, at, followed_up=followed_up)
    ]


def test_a_next_step_falls_due_at_midnight_of_its_day_in_the_workspaces_zone() -> None:
    claim = clock(next_step="Send the quote", next_step_on=date(2026, 11, 25))
    midnight = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 2026-11-25 00:00 in Shanghai
    assert due(claim, Rules(), midnight - timedelta(seconds=1)) == []
    assert due(claim, Rules(), midnight) == [(Reminder.NEXT_STEP, midnight)]
    assert due(claim, Rules(), midnight + timedelta(days=8)) == [], "weeks late helps nobody"
    off = Rules.model_validate({"followups": {"next_step_reminders": False}})
    assert due(claim, off, midnight) == []


def test_the_first_contact_reminds_at_half_time_then_tells_the_managers_unless_followed_up() -> (
    None
):
    rules = Rules.model_validate({"followups": {"first_contact_hours": 24}})
    deadline = APPROVED + timedelta(hours=24)
    claim = clock()
    assert due(claim, rules, APPROVED + timedelta(hours=11)) == []
    assert due(claim, rules, APPROVED + timedelta(hours=12)) == [(Reminder.FIRST_CONTACT, deadline)]
    assert due(claim, rules, deadline) == [(Reminder.FIRST_CONTACT_MISSED, deadline)]
    assert due(claim, rules, deadline, followed_up=True) == []
    assert due(clock(decision="import"), rules, deadline) == [], "an import has its history"
    assert due(claim, Rules(), deadline) == [], "off by default"


def test_a_stage_timer_runs_from_the_stage_entry() -> None:
    rules = Rules.model_validate({"followups": {"stage_timers": {"proposal": 7}}})
    claim = clock(stage="proposal", stage_since=APPROVED)
    week = APPROVED + timedelta(days=7)
    assert due(claim, rules, week - timedelta(seconds=1)) == []
    assert due(claim, rules, week) == [(Reminder.STAGE_TIMER, week)]
    assert due(clock(stage="analysis", stage_since=APPROVED), rules, week) == []
