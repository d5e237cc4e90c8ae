"""Working hours: direct messages about a claim's life land when the recipient is at work, in
their own Slack time zone (``delivery.*`` rules).

A reminder is enqueued with ``not_before`` set to the next moment inside the recipient's working
hours (their time zone as last cached from ``users.info``, else the workspace's). The outbox worker
checks again when it sends, with the time zone fresh from Slack, so a guess made from a stale
cache cannot wake anyone at night. An urgent notice carries a deadline (``deliver_by``, the reclaim
it warns of): when the next working window opens only after that deadline, it goes at once —
a warning that arrives after the reclaim is worth nothing.

Only notices marked ``working_hours`` are held; a reply to what someone just did (the verdict of
the claim they filed) goes at once, since they are evidently at work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.notify import Notice, enqueue
from bot.rules import DeliveryRules, Rules
from store import people as people_store

# Payload keys the worker reads (the cards ignore keys starting with "_").
HOURS = "_working_hours"
DELIVER_BY = "_deliver_by"


def is_person(recipient: str) -> bool:
    """A user id (a DM) rather than a channel."""
    return recipient[:1] in ("U", "W")


def next_window_start(moment: datetime, tz: ZoneInfo, rules: DeliveryRules) -> datetime:
    """The earliest moment at or after ``moment`` inside the working hours in ``tz`` (UTC)."""
    local = moment.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.isoweekday() not in rules.working_days:
            continue
        start = datetime.combine(day, rules.working_hours_start, tzinfo=tz)
        end = datetime.combine(day, rules.working_hours_end, tzinfo=tz)
        if offset == 0:
            if local >= end:
                continue
            if local >= start:
                return moment
        return start.astimezone(UTC)
    raise AssertionError("working_days is never empty (checked by the rules)")


def delivery_time(
    now: datetime, tz: ZoneInfo, rules: DeliveryRules, *, deliver_by: datetime | None = None
) -> datetime:
    """When a working-hours notice may be sent: now if inside the window, else the next opening —
    unless that opening comes only after ``deliver_by``, in which case now."""
    start = next_window_start(now, tz, rules)
    if deliver_by is not None and start >= deliver_by:
        return now
    return start


def deadline_of(payload: dict[str, Any]) -> datetime | None:
    """The ``deliver_by`` stored with a notice, if any."""
    raw = payload.get(DELIVER_BY)
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


@dataclass
class WorkingHours:
    """Schedules notices into their recipients' working hours.

    Time zones are read from the ``people`` table once per instance; the sweep makes one per pass.
    """

    rules: Rules
    _zones: dict[tuple[str, str], ZoneInfo] = field(default_factory=dict)

    async def load(self, session: AsyncSession, workspace_id: str, users: Iterable[str]) -> None:
        """Read the cached time zones of ``users`` in one query."""
        wanted = [u for u in dict.fromkeys(users) if (workspace_id, u) not in self._zones]
        if not wanted:
            return
        people = await people_store.people_by_ids(session, workspace_id, wanted)
        for user_id in wanted:
            person = people.get(user_id)
            self._zones[(workspace_id, user_id)] = self._zone(person.tz if person else None)

    async def zone(self, session: AsyncSession, workspace_id: str, user_id: str) -> ZoneInfo:
        """The user's time zone as last cached, or the workspace's."""
        await self.load(session, workspace_id, [user_id])
        return self._zones[(workspace_id, user_id)]

    def _zone(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name) if name else self.rules.zone
        except (ZoneInfoNotFoundError, ValueError):
            return self.rules.zone

    async def schedule(
        self,
        session: AsyncSession,
        workspace_id: str,
        notice: Notice,
        *,
        now: datetime,
        deliver_by: datetime | None = None,
    ) -> Notice:
        """``notice`` held for its recipient's working hours (a channel post is not held)."""
        if not is_person(notice.recipient):
            return notice
        tz = await self.zone(session, workspace_id, notice.recipient)
        payload = dict(notice.payload)
        payload[HOURS] = True
        if deliver_by is not None:
            payload[DELIVER_BY] = deliver_by.isoformat()
        when = delivery_time(now, tz, self.rules.delivery, deliver_by=deliver_by)
        return replace(
            notice,
            payload=payload,
            not_before=when if when > now else None,
            urgent=notice.urgent or deliver_by is not None,
        )

    async def enqueue(
        self,
        session: AsyncSession,
        workspace_id: str,
        notice: Notice,
        *,
        now: datetime,
        deliver_by: datetime | None = None,
    ) -> bool:
        """Schedule ``notice`` and write it to the outbox; False if it was there already."""
        scheduled = await self.schedule(
            session, workspace_id, notice, now=now, deliver_by=deliver_by
        )
        return await enqueue(session, workspace_id, scheduled, at=now)
