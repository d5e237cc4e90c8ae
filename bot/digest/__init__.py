"""What a team hears together, in its own channel: the daily digest and the weekly summary.

Posted by the sweep (:class:`~bot.digest.service.TeamDigests` is one of its steps) once per team
per working day at ``digest.time``; rendered by ``cards/digest.py``; the weekly chart is shared
as a file by the outbox worker (:mod:`bot.digest.weekly`).
"""

from __future__ import annotations

from enum import StrEnum


class DigestKind(StrEnum):
    """The outbox notice kinds of a team's channel."""

    DAILY = "team.digest"
    WEEKLY = "team.weekly"
    WEEKLY_CHART = "team.weekly_chart"


def digest_key(team_id: int, kind: DigestKind, day: str) -> str:
    """``team:<id>:<kind>:<local day>`` — one of each per team and day, however many passes."""
    return f"team:{team_id}:{kind.value}:{day}"
