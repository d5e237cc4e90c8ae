"""``claimbot doctor`` reports the webhooks: ✓ while every endpoint delivers, ✗ naming the
endpoint and its last error once a delivery was given up on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.fakeslack.server import FakeSlack
from store.db import Database
from store.models import AuditEvent, WebhookDelivery
from tests.e2e.test_doctor import database, doctor, slack

__all__ = ["database", "slack"]  # fixtures shared with test_doctor

RULES = """channels:
  pool: C0POOL
  approvals: C0APPROVALS
webhooks:
  endpoints:
    - name: crm
      url: http://127.0.0.1:9/hooks
      secret: whsec-0123456789abcdef
"""


async def test_doctor_reports_a_failing_webhook_endpoint(
    slack: FakeSlack, tmp_path: Path, database: str
) -> None:
    healthy = await doctor(tmp_path, slack, database, rules=RULES)
    assert (
        healthy.line("webhooks.crm") == "✓ webhooks.crm: ok, 0 pending (http://127.0.0.1:9/hooks)"
    )
    db = Database(database)
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with db.write() as session:
        event = AuditEvent(workspace_id="T1", at=at, actor_id="U1", action="claim.filed", data={})
        session.add(event)
        await session.flush()
        session.add(
            WebhookDelivery(
                workspace_id="T1",
                endpoint="crm",
                event_id="6f1c0000-0000-4000-8000-000000000000",
                audit_event_id=event.id,
                ordering_key="claim:1",
                kind="claim.filed",
                created_at=at,
                status="failed",
                attempts=12,
                next_attempt_at=at,
                last_error="gave up after 12 attempts: HTTP 500",
            )
        )
    await db.dispose()
    failing = await doctor(tmp_path, slack, database, rules=RULES)
    assert failing.code == 1
    line = failing.line("webhooks.crm")
    assert line.startswith("✗ webhooks.crm: FAILING") and "1 failed" in line and "HTTP 500" in line
