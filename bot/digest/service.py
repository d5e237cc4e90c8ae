"""The team digests: a step of the sweep that posts each team's daily digest and weekly summary.

When: on the working days of ``delivery``, by the first pass at or after ``digest.time`` in the
workspace's time zone, and no later than the end of working hours (a digest that could not go out
by then is not posted in the evening; the next one covers what it would have said). A pass at
09:35 after a night of downtime posts one digest, never one per missed pass or day.

Exactly once: the pass that decides a team's day marks it on the team (``teams.digest_on``, a
conditional update two passes cannot both win) in the transaction that writes the digest to the
outbox under ``team:<id>:team.digest:<day>``. A day is decided once, quiet or not, so a digest
never turns up at 11:00 because something fell due after 09:30.

What: the team's follow-ups overdue (by rep, owners mentioned, how long), claims going back to the
pool within the warning window (with the date), claims waiting for a decision longer than
``approval.remind_after_hours`` (approvers mentioned), and what went back to the pool and was won
since the last digest. Only what anyone may see: customer, holder, status, dates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import digest_key
from bot.digest.weekly import report_payload
from bot.directory import Directory
from bot.i18n import Lang
from bot.lifecycle.report import SweepReport
from bot.lifecycle.timeline import Timeline
from bot.metrics.periods import Period, local_midnight
from bot.metrics.service import MetricsService, Report, Scope, ScopeKind
from bot.notify import HOME_LINK, LANG, Notice, enqueue_many
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import digest as store
from store.db import Database
from store.digest import ChannelTeam
from store.lifecycle import ClaimClock
from store.models import EndReason

log = logging.getLogger(__name__)

# How far back "since the last digest" reaches after a long silence.
CATCH_UP_DAYS = 7
RECLAIMED = (EndReason.RECLAIMED.value, EndReason.PROTECTION_ENDED.value)


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class TeamDigests:
    """Posts the teams' digests and summaries; run by the sweep for each workspace."""

    db: Database
    rules: Rules
    directory: Directory
    metrics: MetricsService

    def due_day(self, now: datetime) -> date | None:
        """Today (local) if a digest may go out at ``now``: a working day, at or after the
        digest time and before the end of working hours; else None."""
        local = now.astimezone(self.rules.zone)
        delivery, at = self.rules.delivery, self.rules.digest.time
        if local.isoweekday() not in delivery.working_days or local.time() < at:
            return None
        # A digest set for after working hours is posted then, until midnight.
        if at < delivery.working_hours_end <= local.time():
            return None
        return local.date()

    async def run(self, workspace_id: str, now: datetime, report: SweepReport) -> None:
        """The digests (and summaries) due in the workspace at ``now``."""
        today = self.due_day(now)
        if today is None:
            return
        async with self.db.session() as session:
            teams = await store.teams_with_channels(session, workspace_id)
        for team in teams:
            if team.digest_on is None or team.digest_on < today:
                await self._daily(workspace_id, team, today, now, report)
            if self._summary_due(team, today):
                await self._weekly(workspace_id, team, today, now, report)

    # -- the daily digest ---------------------------------------------------------------------

    async def _daily(
        self,
        workspace_id: str,
        team: ChannelTeam,
        today: date,
        now: datetime,
        report: SweepReport,
    ) -> None:
        if report.dry_run:
            async with self.db.session() as session:
                payload = await self.daily_payload(session, workspace_id, team, today, now)
            if payload["quiet"] and not self.rules.digest.all_clear:
                report.say(f"would post no digest  {workspace_id} team {team.name!r}: quiet")
            else:
                self._say(report, workspace_id, team, payload, would=True)
            return
        async with self.db.write() as session:
            if not await store.take_day(session, workspace_id, team.id, "digest_on", today):
                return  # another pass decided today's digest
            payload = await self.daily_payload(session, workspace_id, team, today, now)
            if payload["quiet"] and not self.rules.digest.all_clear:
                report.say(f"digest  {workspace_id} team {team.name!r}: nothing to say today")
                return
            notice = Notice(
                kind=NoticeKind.TEAM_DIGEST,
                recipient=team.channel,
                dedupe_key=digest_key(team.id, NoticeKind.TEAM_DIGEST, today.isoformat()),
                payload=payload,
            )
            written = await enqueue_many(session, workspace_id, [notice], at=now)
        if written:
            report.notices[NoticeKind.TEAM_DIGEST] += 1
            self._say(report, workspace_id, team, payload, would=False)
        else:
            report.already_sent += 1

    async def daily_payload(
        self,
        session: AsyncSession,
        workspace_id: str,
        team: ChannelTeam,
        today: date,
        now: datetime,
    ) -> dict[str, Any]:
        """What the team's digest says today (``quiet``: nothing to chase and nothing ended)."""
        approval = self.rules.approval
        limit = self.rules.digest.items
        variants = self.rules.protection_variants()
        claims = await store.idle_or_expiring(
            session,
            workspace_id,
            team.id,
            idle_until=now - timedelta(days=min(p.followup_overdue_days for p in variants)),
            protected_until=now + timedelta(days=max(p.reclaim_warning_days for p in variants)),
        )
        overdue: list[dict[str, Any]] = []
        reclaiming: list[dict[str, Any]] = []
        for claim in claims:
            timeline = Timeline.of_claim(claim, self.rules)
            if now >= timeline.reclaim_at:
                continue  # the sweep reclaims it in this very pass
            if timeline.warning_at is not None and now >= timeline.warning_at:
                reclaiming.append(_claim_item(claim) | {"reclaim_at": iso(timeline.reclaim_at)})
            elif now >= timeline.overdue_at:
                overdue.append(_claim_item(claim) | {"idle_days": timeline.idle_days(now)})
        overdue.sort(key=lambda item: (-item["idle_days"], item["claim_id"]))
        reclaiming.sort(key=lambda item: (item["reclaim_at"], item["claim_id"]))

        remind_after = timedelta(hours=approval.remind_after_hours)
        pending = await store.waiting(
            session, workspace_id, team.id, filed_until=now - remind_after
        )
        waiting = [
            _claim_item(claim)
            | {
                "submitted_at": iso(claim.submitted_at),
                "waiting_hours": int((now - claim.submitted_at).total_seconds() // 3600),
            }
            for claim in pending
        ]
        approvers = (
            await self.directory.approvers(session, workspace_id, "", team.id) if waiting else []
        )

        since = self._since(team.digest_on, today)
        start, end = local_midnight(since, self.rules.zone), local_midnight(today, self.rules.zone)
        ended = await store.ended_between(
            session,
            workspace_id,
            team.id,
            start=start,
            end=end,
            reasons=(*RECLAIMED, EndReason.WON.value),
        )
        reclaimed = [_ended_item(e) for e in ended if e.end_reason in RECLAIMED]
        won = [_ended_item(e) for e in ended if e.end_reason == EndReason.WON.value]

        quiet = not (overdue or reclaiming or waiting or reclaimed or won)
        return {
            "team": team.name,
            "team_id": team.id,
            "day": today.isoformat(),
            "since": since.isoformat(),
            "since_yesterday": since == today - timedelta(days=1),
            "quiet": quiet,
            "overdue": overdue[:limit],
            "overdue_total": len(overdue),
            "reclaiming": reclaiming[:limit],
            "reclaiming_total": len(reclaiming),
            "waiting": waiting[:limit],
            "waiting_total": len(waiting),
            "approvers": approvers,
            "remind_after_hours": approval.remind_after_hours,
            "reclaimed": reclaimed[:limit],
            "reclaimed_total": len(reclaimed),
            "won": won[:limit],
            "won_total": len(won),
            LANG: self.language(team.name),
            HOME_LINK: bool(overdue or reclaiming or waiting),
        }

    def _since(self, last: date | None, today: date) -> date:
        """The first day whose ends the digest reports: the day of the last digest (it covered
        what ended before that morning), else the previous working day; at most a week back."""
        oldest = today - timedelta(days=CATCH_UP_DAYS)
        if last is None:
            last = today - timedelta(days=1)
            while last.isoweekday() not in self.rules.delivery.working_days and last > oldest:
                last -= timedelta(days=1)
        return max(last, oldest)

    def language(self, team_name: str) -> Lang:
        """The team's ``language`` in the rules file, else the workspace's."""
        configured = self.rules.team(team_name)
        return (configured.language if configured else None) or self.rules.language

    # -- the weekly summary ---------------------------------------------------------------------

    def _summary_due(self, team: ChannelTeam, today: date) -> bool:
        weekday = self.rules.digest.weekly_day
        if weekday is None:
            return False
        # The latest summary day on or before today; a summary day that was not a working day
        # (or was missed) is made up by the first digest after it.
        latest = today - timedelta(days=(today.isoweekday() - weekday) % 7)
        return team.summary_on is None or team.summary_on < latest

    async def _weekly(
        self,
        workspace_id: str,
        team: ChannelTeam,
        today: date,
        now: datetime,
        report: SweepReport,
    ) -> None:
        numbers = await self.last_week(workspace_id, team, now)
        if report.dry_run:
            report.say(
                f"would post weekly summary  {workspace_id} team {team.name!r} → {team.channel}: "
                f"{numbers.totals.filed} filed, {numbers.totals.won} won"
            )
            return
        day = today.isoformat()
        zone = self.rules.zone
        payload = {
            "team": team.name,
            "first_day": numbers.window.start.astimezone(zone).date().isoformat(),
            "last_day": (
                numbers.window.end.astimezone(zone).date() - timedelta(days=1)
            ).isoformat(),
            "report": report_payload(numbers),
            LANG: self.language(team.name),
        }
        notices = [
            Notice(
                kind=NoticeKind.TEAM_WEEKLY,
                recipient=team.channel,
                dedupe_key=digest_key(team.id, NoticeKind.TEAM_WEEKLY, day),
                payload=payload,
            ),
            Notice(
                kind=NoticeKind.TEAM_WEEKLY_CHART,
                recipient=team.channel,
                dedupe_key=digest_key(team.id, NoticeKind.TEAM_WEEKLY_CHART, day),
                payload=payload,
            ),
        ]
        async with self.db.write() as session:
            if not await store.take_day(session, workspace_id, team.id, "summary_on", today):
                return
            if numbers.totals.empty:
                # A week in which nothing was filed, protected or collided has no numbers.
                report.say(f"summary  {workspace_id} team {team.name!r}: nothing last week")
                return
            written = await enqueue_many(session, workspace_id, notices, at=now)
        for notice in written:
            report.notices[notice.kind] += 1
        if written:
            report.say(
                f"notify  {workspace_id} team {team.name!r} weekly summary → {team.channel}: "
                f"{numbers.totals.filed} filed, {numbers.totals.won} won"
            )

    async def last_week(self, workspace_id: str, team: ChannelTeam, now: datetime) -> Report:
        """The team's numbers for the week before ``now``'s, per rep, with the trend — counted
        by the metrics service, as ``/claim stats`` counts them."""
        this_week = self.metrics.window(Period.WEEK, now)
        scope = Scope(ScopeKind.TEAMS, "", team_ids=(team.id,), team_names=(team.name,))
        return await self.metrics.report(
            workspace_id,
            scope,
            Period.WEEK,
            channels=False,
            trend=True,
            at=this_week.start - timedelta(microseconds=1),
        )

    def _say(
        self,
        report: SweepReport,
        workspace_id: str,
        team: ChannelTeam,
        payload: dict[str, Any],
        *,
        would: bool,
    ) -> None:
        counts = ", ".join(
            f"{payload[f'{part}_total']} {part}"
            for part in ("overdue", "reclaiming", "waiting", "reclaimed", "won")
        )
        verb = "would post digest" if would else "notify  digest"
        report.say(f"{verb}  {workspace_id} team {payload['team']!r} → {team.channel}: {counts}")


def _claim_item(claim: ClaimClock) -> dict[str, Any]:
    return {
        "claim_id": claim.claim_id,
        "customer_name": claim.customer_name,
        "owner_id": claim.owner_id,
    }


def _ended_item(ended: store.Ended) -> dict[str, Any]:
    return {
        "claim_id": ended.claim_id,
        "customer_name": ended.customer_name,
        "owner_id": ended.owner_id,
        "ended_at": iso(ended.ended_at),
    }
