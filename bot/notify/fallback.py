"""A configured channel the bot cannot post in (a wrong ID, or the bot never invited): decision
cards must not vanish into a log. They go to the deciders' and the admins' DMs instead, and the
admins are told once per channel and error what to fix."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.directory import Directory
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from store.db import Database

log = logging.getLogger(__name__)

# What Slack answers for a channel that is wrong, private without the bot, or archived.
CHANNEL_UNUSABLE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# Announcements to everyone have no one to go to instead; the admins still hear of the channel.
NO_FALLBACK = frozenset({NoticeKind.POOL_ANNOUNCEMENT})


def is_channel(recipient: str) -> bool:
    """A channel id (C…, G…), as opposed to a user id whose DM Slack finds itself."""
    return recipient[:1] in ("C", "G")


@dataclass
class ChannelFallback:
    """Re-routes one notice that its channel refused, in one transaction."""

    db: Database
    directory: Directory
    clock: Clock

    async def reroute(
        self, workspace_id: str, row_id: int, kind: str, channel: str, payload: dict[str, Any],
        error: str,
    ) -> list[str]:  # fmt: skip
        """Enqueue the notice to the deciders' and admins' DMs, and the admins' warning (once).

        Returns the people the notice went to instead.
        """
        now = self.clock.now()
        async with self.db.write() as session:
            admins = await self.directory.admins(session, workspace_id)
            people: list[str] = []
            if kind not in NO_FALLBACK:
                owner = payload.get("owner_id")
                deciders = (
                    await self.directory.approvers(
                        session, workspace_id, str(owner), _team(payload.get("team_id"))
                    )
                    if owner
                    else []
                )
                people = [p for p in dict.fromkeys([*deciders, *admins]) if p != owner]
            for person in people:
                await enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=kind,
                        recipient=person,
                        dedupe_key=f"fallback:{row_id}:{person}",
                        payload=payload,
                        urgent=True,
                    ),
                    at=now,
                )
            for admin in admins:
                await enqueue(
                    session,
                    workspace_id,
                    Notice(
                        kind=NoticeKind.CHANNEL_UNUSABLE,
                        recipient=admin,
                        dedupe_key=f"channel-unusable:{channel}:{error}:{admin}",
                        payload={"channel": channel, "error": error},
                        urgent=True,
                    ),
                    at=now,
                )
        log.warning(
            "cannot post in %s (%s): %s notice sent to %s instead",
            channel,
            error,
            kind,
            ", ".join(people) or "nobody",
        )
        return people


def _team(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
