"""Notifications: written to the outbox in the transaction of the change they report, sent by
the :class:`~bot.notify.worker.OutboxWorker`, rendered in the recipient's language when sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from store import outbox


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to one recipient (a user id for a DM, or a channel id).

    ``dedupe_key`` makes the notice idempotent: enqueuing the same key twice sends once.
    ``payload`` holds what the card needs, as JSON; ``kind`` names the card (cards.registry).
    ``subject``/``subject_id`` mark a card that is later updated in place (an approval card,
    say): once sent, where it landed is recorded so :mod:`bot.notify.inplace` can find it.
    ``members`` marks a card that lists several things (a pool digest): where it landed is
    recorded for each of them too, under ``members.subject``, so a change to one finds the card.
    """

    kind: str
    recipient: str
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    not_before: datetime | None = None
    urgent: bool = False
    subject: str | None = None
    subject_id: int | None = None
    members: Members | None = None


@dataclass(frozen=True, slots=True)
class Members:
    """The things a card lists, each recorded as (``subject``, id) where the card landed."""

    subject: str
    ids: tuple[int, ...]


async def enqueue(
    session: AsyncSession, workspace_id: str, notice: Notice, *, at: datetime
) -> bool:
    """Write ``notice`` to the outbox in the caller's transaction; False if it was there already."""
    return await outbox.enqueue(
        session,
        workspace_id,
        dedupe_key=notice.dedupe_key,
        kind=notice.kind,
        recipient=notice.recipient,
        payload=notice.payload | _subject(notice),
        at=at,
        not_before=notice.not_before,
        urgent=notice.urgent,
    )


async def enqueue_many(
    session: AsyncSession, workspace_id: str, notices: list[Notice], *, at: datetime
) -> list[Notice]:
    """Write many notices in few statements (the sweep); returns those that were not there yet."""
    unique: dict[str, Notice] = {}
    for notice in notices:
        unique.setdefault(notice.dedupe_key, notice)
    notices = list(unique.values())
    added = await outbox.enqueue_many(
        session,
        workspace_id,
        [
            {
                "dedupe_key": n.dedupe_key,
                "kind": n.kind,
                "recipient": n.recipient,
                "payload": n.payload | _subject(n),
                "not_before": n.not_before,
                "urgent": n.urgent,
            }
            for n in notices
        ],
        at=at,
    )
    return [n for n in notices if n.dedupe_key in added]


# The language a notice to a channel is rendered in (a team's language), else the workspace's.
LANG = "_lang"
# A notice that would show an "Open in Home" button asks the worker for the link (HOME_URL).
HOME_LINK = "_home_link"
HOME_URL = "home_url"
SUBJECT = "_subject"
SUBJECT_ID = "_subject_id"
MEMBERS = "_members"


def _subject(notice: Notice) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    if notice.subject is not None and notice.subject_id is not None:
        marks |= {SUBJECT: notice.subject, SUBJECT_ID: notice.subject_id}
    if notice.members is not None:
        marks[MEMBERS] = {"subject": notice.members.subject, "ids": list(notice.members.ids)}
    return marks


def card_subjects(payload: dict[str, Any]) -> list[tuple[str, int]]:
    """The (subject, id) pairs a sent notice's card is recorded under (see :class:`Notice`)."""
    subjects = []
    if SUBJECT in payload:
        subjects.append((str(payload[SUBJECT]), int(payload[SUBJECT_ID])))
    if MEMBERS in payload:
        members = payload[MEMBERS]
        subjects += [(str(members["subject"]), int(i)) for i in members["ids"]]
    return subjects
