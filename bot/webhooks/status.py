"""Where each webhook endpoint stands — what ``claimbot doctor`` and ``/healthz`` report.

An endpoint is *failing* when a delivery to it was given up on (``webhooks.max_attempts``) and
not requeued (``claimbot webhooks retry``), or when its oldest undelivered event has waited
longer than :data:`LATE_AFTER`. Nothing else waits on it either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.rules import Rules
from store import webhooks as store
from store.db import Database

# An event still undelivered after this long means the receiver has been down a while.
LATE_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class EndpointStatus:
    """One endpoint's line."""

    name: str
    url: str
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    last_delivered_at: datetime | None
    last_error: str | None
    configured: bool
    now: datetime

    @property
    def ok(self) -> bool:
        """No delivery given up on, none late."""
        late = self.oldest_pending_at is not None and self.now - self.oldest_pending_at > LATE_AFTER
        return self.failed == 0 and not late

    def line(self) -> str:
        """One line for ``claimbot doctor``."""
        state = "ok" if self.ok else "FAILING"
        parts = [f"webhook {self.name} ({self.url}): {state}", f"{self.pending} pending"]
        if self.failed:
            parts.append(f"{self.failed} failed (claimbot webhooks retry)")
        if self.oldest_pending_at is not None:
            waited = int((self.now - self.oldest_pending_at).total_seconds())
            parts.append(f"oldest waiting {waited}s")
        if not self.configured:
            parts.append("no longer in the rules")
        if self.last_error and not self.ok:
            parts.append(f"last error: {self.last_error}")
        return ", ".join(parts)

    def as_json(self) -> dict[str, object]:
        """For ``/healthz``."""
        return {
            "status": "ok" if self.ok else "failing",
            "pending": self.pending,
            "failed": self.failed,
            "last_error": None if self.ok else self.last_error,
        }


async def webhook_status(db: Database, rules: Rules, now: datetime) -> list[EndpointStatus]:
    """Every configured endpoint's status, and any unconfigured one that still has rows.

    This is the function ``claimbot doctor`` calls: print ``status.line()`` for each, and fail
    the run when any ``status.ok`` is false.
    """
    async with db.session() as session:
        counts = await store.counts(session)
    statuses = []
    names = [e.name for e in rules.webhooks.endpoints]
    for name in names + sorted(set(counts) - set(names)):
        endpoint = rules.webhooks.endpoint(name)
        found = counts.get(name)
        statuses.append(
            EndpointStatus(
                name=name,
                url=str(endpoint.url) if endpoint else "?",
                pending=found.pending if found else 0,
                failed=found.failed if found else 0,
                oldest_pending_at=found.oldest_pending_at if found else None,
                last_delivered_at=found.last_delivered_at if found else None,
                last_error=found.last_error if found else None,
                configured=endpoint is not None,
                now=now,
            )
        )
    return statuses
