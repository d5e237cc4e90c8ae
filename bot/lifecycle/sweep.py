"""The sweep: one pass, at a given moment, over every claim whose state calls for action.

What it does, per workspace:

- **reclaim** active claims idle for ``reclaim_idle_days`` or past ``protection_until``: released to
  the public pool, the rep told, the pool channel told (with a **Claim** button);
- **warn** the rep ``reclaim_warning_days`` before that, with the date and what would stop it;
- **remind** the rep after ``followup_overdue_days`` without a follow-up, and their manager
  ``manager_copy_after_overdue_days`` later;
- **remind** the rep of a next step on its day, of a first contact due, of a claim sitting in a
  stage too long, and the managers of a missed first contact (bot/lifecycle/reminders.py);
- **remind the approvers** of a claim pending for ``approval.remind_after_hours``, and **escalate**
  to the admins after ``escalate_after_hours``.

How it stays cheap: a pass looks only for thresholds crossed since the last pass (the workspace's
:class:`~store.models.SweepMark`), with range scans on the claims indexes; reclaims need no window
(every active claim past its reclaim is found every time, and there are none left once released).
The first pass, and the first after the rules change, looks at everything.

How it stays exactly-once: each claim is re-read and locked in the transaction that acts on it, a
reclaim only ends a claim that is still active, and every notice goes to the outbox under a key
naming (claim, kind, due date, recipient) — so a pass run twice, two replicas sweeping at once, or
a pass retried after a crash never writes a reminder twice.

After downtime: the first pass covers everything that fell due while nobody swept, and each claim
gets the notice for the state it is in *now* (:meth:`Timeline.due`): a claim that went overdue,
then into its warning window, then past its reclaim during the outage is reclaimed and its rep
gets the one "released" message, not three stale ones. A pending approval past both its reminder
and its escalation gets both (the approvers still have to act, and the admins should know).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory
from bot.lifecycle.plan import Planned, Planner
from bot.lifecycle.release import Releaser
from bot.lifecycle.reminders import needs_followup_check, reminder_candidates, reminders_due
from bot.lifecycle.report import SweepReport, notice_line
from bot.lifecycle.timeline import Due, Timeline, all_idle_offsets, protection_end
from bot.lifecycle.windows import Window, merged
from bot.notify import enqueue_many
from bot.notify.hours import WorkingHours
from bot.rules import Rules
from store import lifecycle as store
from store.db import Database
from store.lifecycle import ClaimClock
from store.models import EndReason

log = logging.getLogger(__name__)


def rules_digest(rules: Rules) -> str:
    """A fingerprint of the rules that decide when things fall due."""
    relevant = {
        "protection": rules.protection.model_dump(mode="json"),
        "segments": [segment.model_dump(mode="json") for segment in rules.segments],
        "followups": rules.followups.model_dump(mode="json"),
        "timezone": rules.timezone,
        "remind_after_hours": rules.approval.remind_after_hours,
        "escalate_after_hours": rules.approval.escalate_after_hours,
    }
    text = json.dumps(relevant, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SweepStep(Protocol):
    """Work a pass does in each workspace once its claims are swept (reclaims done first, so
    that what it reports is the state after them)."""

    async def run(self, workspace_id: str, now: datetime, report: SweepReport) -> None: ...


@dataclass
class Sweeper:
    """Runs passes of the sweep."""

    db: Database
    rules: Rules
    directory: Directory
    batch: int = 500
    # More work each pass does per workspace after the claims' own (the teams' digests).
    steps: list[SweepStep] = field(default_factory=list)
    releaser: Releaser = field(init=False)
    _planner: Planner = field(init=False)

    def __post_init__(self) -> None:
        self.releaser = Releaser(self.rules)
        self._planner = Planner(self.rules, self.directory)

    async def run(self, now: datetime, *, dry_run: bool = False) -> SweepReport:
        """One pass at ``now``; with ``dry_run`` nothing is written and the report says what
        would have been."""
        report = SweepReport(at=now, dry_run=dry_run)
        self._planner = Planner(self.rules, self.directory)
        async with self.db.session() as session:
            workspaces = await store.workspaces_with_claims(session)
        for workspace_id in workspaces:
            await self._workspace(workspace_id, now, report)
            for step in self.steps:
                await step.run(workspace_id, now, report)
        report.workspaces = len(workspaces)
        return report

    # -- one workspace --------------------------------------------------------------------

    async def _workspace(self, workspace_id: str, now: datetime, report: SweepReport) -> None:
        digest = rules_digest(self.rules)
        async with self.db.session() as session:
            mark = await store.sweep_mark(session, workspace_id)
        since = mark.swept_until if mark is not None and mark.rules_digest == digest else None
        if since is not None:
            since = min(since, now)
        if not report.dry_run:
            report.repaired += await self._repair(workspace_id)

        async with self.db.session() as session:
            active, pending = await self.candidates(session, workspace_id, since, now)
        report.candidates += len(active) + len(pending)
        hours = WorkingHours(self.rules)
        # Many releases in one pass: the pool channel gets digests, not a message each.
        releasing = sum(Due.RECLAIM in self.timeline(c).due(now) for c in active.values())
        as_digest = releasing > self.rules.delivery.pool_digest_over

        if report.dry_run:
            await self._dry_run(
                workspace_id, active, pending, now, hours, report, as_digest=as_digest
            )
            return
        for chunk in _chunks(sorted(active), self.batch):
            async with self.db.write() as session:
                await self._act_on_active(
                    session, workspace_id, chunk, now, hours, report, as_digest=as_digest
                )
        for chunk in _chunks(sorted(pending), self.batch):
            async with self.db.write() as session:
                still = await store.still_pending(session, workspace_id, chunk)
                claims = [pending[i] for i in chunk if i in still]
                planned = await self._planner.pending(session, workspace_id, claims, now)
                await self._write(session, workspace_id, planned, now, hours, report)
        async with self.db.write() as session:
            await store.save_sweep_mark(session, workspace_id, swept_until=now, rules_digest=digest)

    async def _repair(self, workspace_id: str) -> int:
        """Active claims approved without an idle clock or a protection end get them."""
        async with self.db.write() as session:
            repaired = await store.repair_missing_clocks(session, workspace_id)
            for claim in await store.claims_without_protection(session, workspace_id):
                start = claim.decided_at or claim.submitted_at
                await store.set_protection(
                    session, workspace_id, claim.claim_id, protection_end(start, self.rules, claim)
                )
                repaired += 1
        if repaired:
            log.warning(
                "sweep: %d active claim(s) in %s had no idle clock or protection end; "
                "set from their approval",
                repaired,
                workspace_id,
            )
        return repaired

    async def candidates(
        self, session: AsyncSession, workspace_id: str, since: datetime | None, now: datetime
    ) -> tuple[dict[int, ClaimClock], dict[int, ClaimClock]]:
        """Active and pending claims that crossed a threshold in ``(since, now]`` or are past
        their reclaim (``since=None``: every claim whose state calls for action)."""
        variants = self.rules.protection_variants()
        offsets = all_idle_offsets(self.rules)
        reclaim_idle = timedelta(days=min(p.reclaim_idle_days for p in variants))
        warnings = {timedelta(days=p.reclaim_warning_days) for p in variants}
        approval = self.rules.approval
        waits = (
            timedelta(hours=approval.remind_after_hours),
            timedelta(hours=approval.escalate_after_hours),
        )
        idle: list[Window[datetime]]
        protected: list[Window[datetime]]
        filed: list[Window[datetime]]
        if since is None:
            idle = [(None, now - min(offsets))]
            protected = [(None, now + max(warnings))]
            filed = [(None, now - min(waits))]
        else:
            idle = [(since - off, now - off) for off in offsets]
            idle.append((None, now - reclaim_idle))
            protected = [(None, now)]
            protected += [(since + w, now + w) for w in warnings if w]
            filed = [(since - wait, now - wait) for wait in waits]

        active: dict[int, ClaimClock] = {}
        for after, until in merged(idle):
            for claim in await store.active_idle_between(
                session, workspace_id, after=after, until=until
            ):
                active[claim.claim_id] = claim
        for after, until in merged(protected):
            for claim in await store.active_protected_between(
                session, workspace_id, after=after, until=until
            ):
                active[claim.claim_id] = claim
        for claim in await reminder_candidates(session, workspace_id, self.rules, since, now):
            active[claim.claim_id] = claim
        pending: dict[int, ClaimClock] = {}
        for after, until in merged(filed):
            for claim in await store.pending_submitted_between(
                session, workspace_id, after=after, until=until
            ):
                pending[claim.claim_id] = claim
        return active, pending

    # -- acting --------------------------------------------------------------------------

    async def _act_on_active(
        self,
        session: AsyncSession,
        workspace_id: str,
        claim_ids: Sequence[int],
        now: datetime,
        hours: WorkingHours,
        report: SweepReport,
        *,
        as_digest: bool,
    ) -> None:
        # Re-read under lock: a follow-up or an extension since the candidates were read counts.
        claims = await store.lock_active(session, workspace_id, claim_ids)
        await hours.load(session, workspace_id, {c.owner_id for c in claims})
        to_reclaim: dict[EndReason, list[ClaimClock]] = {}
        planned: list[Planned] = []
        followed = await self._followed(session, claims)
        for claim in claims:
            timeline = self.timeline(claim)
            due = timeline.due(now)
            if Due.RECLAIM in due:
                to_reclaim.setdefault(timeline.reclaim_reason, []).append(claim)
                continue
            planned += await self._planner.active(session, workspace_id, claim, timeline, due, now)
            reminders = reminders_due(
                claim, self.rules, now, followed_up=claim.claim_id in followed
            )
            planned += await self._planner.reminders(session, workspace_id, claim, reminders)
        for reason, ended in to_reclaim.items():
            released = await self.releaser.reclaim(
                session, workspace_id, ended, reason=reason, now=now, announce=not as_digest
            )
            planned += [Planned(notice) for notice in released]
            report.reclaimed[reason.value] += len(ended)
            for claim in ended:
                report.say(
                    f"reclaimed  {workspace_id} claim #{claim.claim_id} {claim.customer_name!r} "
                    f"of {claim.owner_id}: {reason.value}"
                )
        if as_digest:
            pooled = sorted(
                ((c, reason) for reason, ended in to_reclaim.items() for c in ended),
                key=lambda released: released[0].claim_id,
            )
            planned += [Planned(n) for n in self.releaser.digests(pooled, now=now)]
        await self._write(session, workspace_id, planned, now, hours, report)

    def timeline(self, claim: ClaimClock) -> Timeline:
        """The claim's timeline under the current rules (its segment's)."""
        return Timeline.of_claim(claim, self.rules)

    async def _followed(self, session: AsyncSession, claims: Iterable[ClaimClock]) -> set[int]:
        """Which of the claims have a follow-up, among those whose reminders depend on it."""
        asked = [c.claim_id for c in claims if needs_followup_check(c, self.rules)]
        return await store.followed_up(session, asked)

    async def _write(
        self,
        session: AsyncSession,
        workspace_id: str,
        planned: Sequence[Planned],
        now: datetime,
        hours: WorkingHours,
        report: SweepReport,
    ) -> None:
        await hours.load(session, workspace_id, {p.notice.recipient for p in planned})
        scheduled = [
            await hours.schedule(
                session, workspace_id, item.notice, now=now, deliver_by=item.deliver_by
            )
            for item in planned
        ]
        written = await enqueue_many(session, workspace_id, scheduled, at=now)
        report.already_sent += len(scheduled) - len(written)
        for notice in written:
            report.notices[notice.kind] += 1
            report.say(notice_line(workspace_id, notice, now))

    # -- dry run -------------------------------------------------------------------------

    async def _dry_run(
        self,
        workspace_id: str,
        active: dict[int, ClaimClock],
        pending: dict[int, ClaimClock],
        now: datetime,
        hours: WorkingHours,
        report: SweepReport,
        *,
        as_digest: bool,
    ) -> None:
        async with self.db.session() as session:
            planned: list[Planned] = []
            pooled: list[tuple[ClaimClock, EndReason]] = []
            followed = await self._followed(session, active.values())
            for claim in active.values():
                timeline = self.timeline(claim)
                due = timeline.due(now)
                if Due.RECLAIM in due:
                    report.reclaimed[timeline.reclaim_reason.value] += 1
                    report.say(
                        f"would reclaim  {workspace_id} claim #{claim.claim_id} "
                        f"{claim.customer_name!r} of {claim.owner_id}: "
                        f"{timeline.reclaim_reason.value}"
                    )
                    # The notices the real pass writes for a reclaim, so the dry run shows them.
                    released = self.releaser.reclaim_notices(
                        [claim], reason=timeline.reclaim_reason, now=now, announce=not as_digest
                    )
                    planned += [Planned(notice) for notice in released]
                    pooled.append((claim, timeline.reclaim_reason))
                    continue
                planned += await self._planner.active(
                    session, workspace_id, claim, timeline, due, now
                )
                reminders = reminders_due(
                    claim, self.rules, now, followed_up=claim.claim_id in followed
                )
                planned += await self._planner.reminders(session, workspace_id, claim, reminders)
            if as_digest:
                # As the real pass: a digest per transaction, of the claims in its chunk.
                chunk_of = {
                    c: n
                    for n, chunk in enumerate(_chunks(sorted(active), self.batch))
                    for c in chunk
                }
                pooled.sort(key=lambda released: released[0].claim_id)
                for _, part in itertools.groupby(pooled, key=lambda r: chunk_of[r[0].claim_id]):
                    planned += [Planned(n) for n in self.releaser.digests(list(part), now=now)]
            planned += await self._planner.pending(session, workspace_id, pending.values(), now)
            existing = await store.existing_notices(
                session, workspace_id, [p.notice.dedupe_key for p in planned]
            )
            for item in planned:
                if item.notice.dedupe_key in existing:
                    report.already_sent += 1
                    continue
                scheduled = await hours.schedule(
                    session, workspace_id, item.notice, now=now, deliver_by=item.deliver_by
                )
                report.notices[scheduled.kind] += 1
                report.say("would " + notice_line(workspace_id, scheduled, now))


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
