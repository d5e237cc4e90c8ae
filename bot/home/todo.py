"""A rep's **To do** on the Home: next steps due today or overdue, first contacts due, claims
past their stage timer — the same moments the sweep reminds them of (bot/lifecycle/reminders.py),
soonest due first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from bot.lifecycle.reminders import (
    FIRST_CONTACT_DECISIONS,
    Reminder,
    day_start,
    first_contact_deadline,
    stage_due,
)
from bot.rules import Rules
from store.lifecycle import ClaimClock


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One thing to do on one claim, and when it is (or was) due."""

    kind: Reminder  # NEXT_STEP, FIRST_CONTACT (due or, once past, missed) or STAGE_TIMER
    claim_id: int
    customer_name: str
    due_at: datetime
    overdue: bool
    next_step: str | None = None
    next_step_on: date | None = None
    stage: str | None = None
    stage_since: datetime | None = None
    stage_days: int | None = None


def todo_items(
    claims: Iterable[ClaimClock], rules: Rules, now: datetime, *, followed: set[int]
) -> list[TodoItem]:
    """What the claims ask their owner to do now (``followed``: claims with a follow-up)."""
    rule = rules.followups
    today = now.astimezone(rules.zone).date()
    items: list[TodoItem] = []
    for claim in claims:
        who = (claim.claim_id, claim.customer_name)
        if claim.next_step_on is not None and claim.next_step_on <= today:
            items.append(
                TodoItem(
                    Reminder.NEXT_STEP,
                    *who,
                    due_at=day_start(claim.next_step_on, rules.zone),
                    overdue=claim.next_step_on < today,
                    next_step=claim.next_step,
                    next_step_on=claim.next_step_on,
                )
            )
        if (
            claim.decided_at is not None
            and claim.decision in FIRST_CONTACT_DECISIONS
            and claim.claim_id not in followed
            and (deadline := first_contact_deadline(claim.decided_at, rule)) is not None
        ):
            items.append(
                TodoItem(Reminder.FIRST_CONTACT, *who, due_at=deadline, overdue=now >= deadline)
            )
        timer = stage_due(claim, rule)
        if timer is not None and timer <= now:
            items.append(
                TodoItem(
                    Reminder.STAGE_TIMER,
                    *who,
                    due_at=timer,
                    overdue=True,
                    stage=claim.stage,
                    stage_since=claim.stage_since,
                    stage_days=rule.stage_timers.get(claim.stage or ""),
                )
            )
    items.sort(key=lambda item: (item.due_at, item.claim_id, item.kind.value))
    return items
