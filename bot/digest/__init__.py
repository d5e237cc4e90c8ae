"""What a team hears together, in its own channel: the daily digest and the weekly summary.

Posted by the sweep (:class:`~bot.digest.service.TeamDigests` is one of its steps) once per team
per working day at ``digest.time``; rendered by ``cards/digest.py``; the weekly chart is shared
as a file by the outbox worker (:mod:`bot.digest.weekly`).
"""

from __future__ import annotations

from bot.notify.kinds import NoticeKind


def digest_key(team_id: int, kind: NoticeKind, day: str) -> str:
    """``team:<id>:<kind>:<local day>`` — one of each per team and day, however many passes."""
    return f"team:{team_id}:{kind.value}:{day}"
