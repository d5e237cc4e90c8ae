"""Reminders of the work a claim asks for, beside its idle clock (``followups`` in the rules).

- **Next step**: a follow-up's next step reminds the owner on its date (the day starts at midnight
  in the workspace's time zone; the outbox holds the message for the owner's working hours).
- **First contact** (``first_contact_hours``, off by default): after approval the owner must log
  a follow-up in time. They are reminded at ``first_contact_reminder_hours`` (half time unless
  set), and when the deadline passes with no follow-up the claim's managers (the team's, else the
  admins) are told.
- **Stage timers** (``stage_timers``: stage → days): a claim that sits in a stage longer reminds
  its owner, once per time it entered the stage.

Each reminder is one outbox row under a key naming (claim, kind, due moment, recipient), so it is
sent once however many passes see it. Everything here is pure: a claim and the rules in, what is
due out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.lifecycle.windows import Window, merged
from bot.rules import FollowUpRules, Rules
from store import lifecycle as store
from store.lifecycle import ClaimClock
from store.models import Decision

# After a rules change or on the first pass, a next step dated up to this many days ago is still
# reminded (older ones only show on the Home's To do: a reminder weeks late helps nobody).
NEXT_STEP_CATCH_UP = timedelta(days=7)
# Claims whose approval starts a first-contact clock (an import or a hand-over has its history).
FIRST_CONTACT_DECISIONS = frozenset(d.value for d in Decision.approving())


class Reminder(StrEnum):
    """A reminder beside the idle clock's (its value names it in dedupe keys)."""

    NEXT_STEP = "next_step"
    FIRST_CONTACT = "first_contact"  # to the owner, before the deadline
    FIRST_CONTACT_MISSED = "first_contact_missed"  # to the managers, after it
    STAGE_TIMER = "stage_timer"


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder due for one claim, and the moment it fell due (its dedupe moment)."""

    reminder: Reminder
    due_at: datetime


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone)


def first_contact_deadline(decided_at: datetime, rules: FollowUpRules) -> datetime | None:
    """When a claim approved at ``decided_at`` must have its first follow-up (None: no rule)."""
    if rules.first_contact_hours is None:
        return None
    return decided_at + timedelta(hours=rules.first_contact_hours)


def stage_due(claim: ClaimClock, rules: FollowUpRules) -> datetime | None:
    """When the claim's time in its stage runs out (None: the stage has no timer)."""
    days = rules.stage_timers.get(claim.stage or "")
    if days is None or claim.stage_since is None:
        return None
    return claim.stage_since + timedelta(days=days)


def reminders_due(
    claim: ClaimClock, rules: Rules, now: datetime, *, followed_up: bool
) -> list[DueReminder]:
    """What the claim's follow-up rules call for at ``now`` (``followed_up``: it has at least one
    follow-up)."""
    rule = rules.followups
    found: list[DueReminder] = []
    if rule.next_step_reminders and claim.next_step_on is not None:
        due_at = day_start(claim.next_step_on, rules.zone)
        if due_at <= now < due_at + NEXT_STEP_CATCH_UP + timedelta(days=1):
            found.append(DueReminder(Reminder.NEXT_STEP, due_at))
    if claim.decided_at is not None and claim.decision in FIRST_CONTACT_DECISIONS:
        found += _first_contact(claim.decided_at, rule, now, followed_up=followed_up)
    timer = stage_due(claim, rule)
    if timer is not None and timer <= now:
        found.append(DueReminder(Reminder.STAGE_TIMER, timer))
    return found


def _first_contact(
    decided_at: datetime, rules: FollowUpRules, now: datetime, *, followed_up: bool
) -> list[DueReminder]:
    deadline = first_contact_deadline(decided_at, rules)
    if deadline is None or followed_up:
        return []
    if now >= deadline:
        return [DueReminder(Reminder.FIRST_CONTACT_MISSED, deadline)]
    reminder = rules.first_contact_reminder
    if reminder is not None and now >= decided_at + timedelta(hours=reminder):
        return [DueReminder(Reminder.FIRST_CONTACT, deadline)]
    return []


async def reminder_candidates(
    session: AsyncSession, workspace_id: str, rules: Rules, since: datetime | None, now: datetime
) -> list[ClaimClock]:
    """Active claims whose next step, stage timer or first-contact moment fell in ``(since, now]``
    (``since=None``: every one due now, next steps only back to :data:`NEXT_STEP_CATCH_UP`)."""
    rule = rules.followups
    found: list[ClaimClock] = []
    if rule.next_step_reminders:
        today = now.astimezone(rules.zone).date()
        # Today's next steps are read on every pass: one logged today for today has a date
        # that no window since the last pass would catch (the outbox key keeps it to one message).
        start = today - NEXT_STEP_CATCH_UP
        if since is not None:
            start = min(since.astimezone(rules.zone).date(), today - timedelta(days=1))
        found += await store.active_next_steps_between(
            session, workspace_id, after=start, until=today
        )
    for after, until in merged(_windows(_stage_offsets(rule), since, now)):
        found += await store.active_staged_between(session, workspace_id, after=after, until=until)
    for after, until in merged(_windows(_first_contact_offsets(rule), since, now)):
        found += await store.active_unfollowed_between(
            session, workspace_id, after=after, until=until, decisions=FIRST_CONTACT_DECISIONS
        )
    return found


def _stage_offsets(rules: FollowUpRules) -> set[timedelta]:
    return {timedelta(days=days) for days in rules.stage_timers.values()}


def _first_contact_offsets(rules: FollowUpRules) -> set[timedelta]:
    if rules.first_contact_hours is None:
        return set()
    offsets = {timedelta(hours=rules.first_contact_hours)}
    if rules.first_contact_reminder is not None:
        offsets.add(timedelta(hours=rules.first_contact_reminder))
    return offsets


def _windows(
    offsets: set[timedelta], since: datetime | None, now: datetime
) -> list[Window[datetime]]:
    """Where a moment ``offset`` after the column's value fell in ``(since, now]``."""
    if not offsets:
        return []
    if since is None:
        return [(None, now - min(offsets))]
    return [(since - offset, now - offset) for offset in offsets]


def needs_followup_check(claim: ClaimClock, rules: Rules) -> bool:
    """Whether ``reminders_due`` of the claim depends on it having been followed up."""
    return (
        rules.followups.first_contact_hours is not None
        and claim.decided_at is not None
        and claim.decision in FIRST_CONTACT_DECISIONS
    )
