"""What a claim's state calls for, as notices: who hears what, under which dedupe key, by when.

Pure planning over the store's answers (who approves a team's claims, who the admins are, asked
once per pass); the sweep decides when to plan and writes what is planned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory
from bot.lifecycle import notices
from bot.lifecycle.reminders import DueReminder, Reminder
from bot.lifecycle.timeline import Due, Timeline
from bot.notify import Notice
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store.lifecycle import ClaimClock

REMINDER_KINDS = {
    Reminder.NEXT_STEP: NoticeKind.NEXT_STEP,
    Reminder.FIRST_CONTACT: NoticeKind.FIRST_CONTACT,
    Reminder.FIRST_CONTACT_MISSED: NoticeKind.FIRST_CONTACT_MISSED,
    Reminder.STAGE_TIMER: NoticeKind.STAGE_TIMER,
}


@dataclass
class Planned:
    """A notice to write, and when it must be delivered by (urgent ones)."""

    notice: Notice
    deliver_by: datetime | None = None


@dataclass
class Planner:
    """Plans the notices of one pass (a new one per pass: it remembers who approves what)."""

    rules: Rules
    directory: Directory
    _recipients: dict[tuple[str, str, int | None], list[str]] = field(default_factory=dict)

    async def active(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim: ClaimClock,
        timeline: Timeline,
        due: Iterable[Due],
        now: datetime,
    ) -> list[Planned]:
        payload = notices.claim_payload(claim, timeline, self.rules, now)
        planned: list[Planned] = []
        for item in due:
            if item is Due.OVERDUE:
                planned.append(
                    Planned(
                        Notice(
                            kind=NoticeKind.OVERDUE,
                            recipient=claim.owner_id,
                            dedupe_key=notices.claim_key(
                                claim.claim_id, item.value, timeline.overdue_at, claim.owner_id
                            ),
                            payload=payload,
                        )
                    )
                )
            elif item is Due.WARNING:
                planned.append(
                    Planned(
                        Notice(
                            kind=NoticeKind.RECLAIM_WARNING,
                            recipient=claim.owner_id,
                            dedupe_key=notices.claim_key(
                                claim.claim_id, item.value, timeline.reclaim_at, claim.owner_id
                            ),
                            payload=payload,
                        ),
                        deliver_by=timeline.reclaim_at,
                    )
                )
            elif item is Due.MANAGER_COPY:
                managers = await self._approvers(session, workspace_id, claim)
                planned += [
                    Planned(
                        Notice(
                            kind=NoticeKind.OVERDUE_MANAGER,
                            recipient=manager,
                            dedupe_key=notices.claim_key(
                                claim.claim_id, item.value, timeline.overdue_at, manager
                            ),
                            payload=payload,
                        )
                    )
                    for manager in managers
                ]
        return planned

    async def reminders(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim: ClaimClock,
        due: Iterable[DueReminder],
    ) -> list[Planned]:
        """The follow-up reminders due for an active claim: to its owner, except a missed first
        contact, which goes to the claim's managers (the team's, else the admins)."""
        planned: list[Planned] = []
        for item in due:
            payload = notices.reminder_payload(claim, self.rules, item.due_at)
            if item.reminder is Reminder.FIRST_CONTACT_MISSED:
                recipients = await self._approvers(session, workspace_id, claim)
            else:
                recipients = [claim.owner_id]
            planned += [
                Planned(
                    Notice(
                        kind=REMINDER_KINDS[item.reminder],
                        recipient=recipient,
                        dedupe_key=notices.claim_key(
                            claim.claim_id, item.reminder.value, item.due_at, recipient
                        ),
                        payload=payload,
                    ),
                    # The first contact's reminder is worth nothing after its deadline.
                    deliver_by=item.due_at if item.reminder is Reminder.FIRST_CONTACT else None,
                )
                for recipient in recipients
            ]
        return planned

    async def pending(
        self,
        session: AsyncSession,
        workspace_id: str,
        claims: Iterable[ClaimClock],
        now: datetime,
    ) -> list[Planned]:
        approval = self.rules.approval
        planned: list[Planned] = []
        for claim in claims:
            remind_at = claim.submitted_at + timedelta(hours=approval.remind_after_hours)
            escalate_at = claim.submitted_at + timedelta(hours=approval.escalate_after_hours)
            if now < remind_at:
                continue
            payload = notices.pending_payload(claim, now)
            approvers = await self._approvers(session, workspace_id, claim)
            planned += [
                Planned(
                    Notice(
                        kind=NoticeKind.APPROVAL_REMINDER,
                        recipient=approver,
                        dedupe_key=notices.claim_key(
                            claim.claim_id, "approval_reminder", remind_at, approver
                        ),
                        payload=payload,
                    )
                )
                for approver in approvers
            ]
            if now >= escalate_at:
                admins = await self._admins(session, workspace_id)
                planned += [
                    Planned(
                        Notice(
                            kind=NoticeKind.APPROVAL_ESCALATION,
                            recipient=admin,
                            dedupe_key=notices.claim_key(
                                claim.claim_id, "approval_escalation", escalate_at, admin
                            ),
                            payload=payload,
                        )
                    )
                    for admin in admins
                    if admin != claim.owner_id
                ]
        return planned

    async def _approvers(
        self, session: AsyncSession, workspace_id: str, claim: ClaimClock
    ) -> list[str]:
        # Asked once per pass and team, not per claim: a team's approvers are the same for each
        # of its reps, except a rep who is one of them (asked about on their own).
        if claim.team_id is not None:
            team_key = (workspace_id, "", claim.team_id)
            if team_key not in self._recipients:
                self._recipients[team_key] = await self.directory.approvers(
                    session, workspace_id, "", claim.team_id
                )
            if claim.owner_id not in self._recipients[team_key]:
                return self._recipients[team_key]
        key = (workspace_id, claim.owner_id, claim.team_id)
        if key not in self._recipients:
            self._recipients[key] = await self.directory.approvers(
                session, workspace_id, claim.owner_id, claim.team_id
            )
        return self._recipients[key]

    async def _admins(self, session: AsyncSession, workspace_id: str) -> list[str]:
        key = (workspace_id, "", None)
        if key not in self._recipients:
            self._recipients[key] = await self.directory.admins(session, workspace_id)
        return self._recipients[key]
