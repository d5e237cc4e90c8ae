"""What one pass of the sweep did, for the operator (``claimbot sweep``) and ``/healthz``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.notify import Notice

MAX_REPORT_LINES = 500


@dataclass
class SweepReport:
    """What one pass did (or, in a dry run, would do)."""

    at: datetime
    dry_run: bool = False
    workspaces: int = 0
    candidates: int = 0
    repaired: int = 0
    reclaimed: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    lines: list[str] = field(default_factory=list)
    omitted_lines: int = 0

    def say(self, line: str) -> None:
        """Keep a line for the operator (the first few hundred; the counts are always whole)."""
        if len(self.lines) < MAX_REPORT_LINES:
            self.lines.append(line)
        else:
            self.omitted_lines += 1

    @property
    def notices_written(self) -> int:
        return sum(self.notices.values())

    def summary(self) -> str:
        """One paragraph: what was found and done."""
        verb = "would" if self.dry_run else "did"
        reclaimed = ", ".join(f"{n} {why}" for why, n in sorted(self.reclaimed.items())) or "none"
        written = ", ".join(f"{n} {kind}" for kind, n in sorted(self.notices.items())) or "none"
        return (
            f"sweep at {self.at.isoformat()} ({'dry run' if self.dry_run else 'done'}): "
            f"{self.workspaces} workspace(s), {self.candidates} claim(s) looked at; "
            f"{verb} reclaim: {reclaimed}; {verb} notify: {written}; "
            f"{self.already_sent} notice(s) already sent before"
            + (f"; repaired {self.repaired} claim(s) without clocks" if self.repaired else "")
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "candidates": self.candidates,
            "reclaimed": dict(self.reclaimed),
            "notices": dict(self.notices),
            "already_sent": self.already_sent,
        }


def notice_line(workspace_id: str, notice: Notice, now: datetime) -> str:
    claim_id = notice.payload.get("claim_id")
    when = (
        f" (held until {notice.not_before:%Y-%m-%d %H:%M} UTC, working hours)"
        if notice.not_before and notice.not_before > now
        else ""
    )
    return f"notify  {workspace_id} claim #{claim_id} {notice.kind} → {notice.recipient}{when}"
