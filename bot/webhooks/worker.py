"""The webhook worker: posts each owed event to its endpoint, signed, until the receiver takes it.

At least once: a delivery is leased, posted, then marked; a worker that dies in between leaves a
lease that expires, and the event is posted again with the same event ID (receivers drop repeats
by it). Any answer but a 2xx is retried with back-off — 5 s, 10 s, 20 s … capped at an hour,
jittered — or after the receiver's Retry-After on a 429; after ``webhooks.max_attempts`` the
delivery is marked failed, logged at ERROR and counted by ``claimbot doctor``. Only the later
events of the same claim wait behind a failing one; other claims and other endpoints go on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.integration_rules import WebhookEndpoint
from bot.notify.loop import DrainLoop
from bot.rules import Rules
from bot.webhooks.signing import Header, sign
from store import webhooks as store
from store.db import Database
from store.models import AuditEvent

log = logging.getLogger(__name__)

USER_AGENT = "Claimbot-Webhooks/1"


@dataclass(frozen=True, slots=True)
class Owed:
    """A leased delivery and its event, detached from the session."""

    id: int
    endpoint: str
    event_id: str
    kind: str
    attempts: int
    body: bytes


@dataclass
class WebhookReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def event_body(event_id: str, audit_event: AuditEvent) -> bytes:
    """The JSON a receiver gets: the same bytes on every attempt."""
    document: dict[str, Any] = {
        "id": event_id,
        "type": audit_event.action,
        "created_at": audit_event.at.isoformat(),
        "workspace_id": audit_event.workspace_id,
        "actor_id": audit_event.actor_id,
        "claim_id": audit_event.claim_id,
        "customer_id": audit_event.customer_id,
        "data": audit_event.data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class WebhookWorker(DrainLoop):
    """Drains the webhooks' outbox on a timer and whenever :meth:`kick` says there is more."""

    def __init__(
        self,
        db: Database,
        rules: Rules,
        clock: Clock,
        *,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        interval_seconds: float = 5.0,
    ) -> None:
        super().__init__("webhooks", interval_seconds)
        self.db = db
        self.rules = rules
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self.rules.webhooks.endpoints:  # else nothing to deliver to: no task, no HTTP session
            await super().start()

    async def stop(self) -> None:
        """Stop after the deliveries in hand; leased ones not yet posted expire and go again."""
        await super().stop()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def drain(self) -> WebhookReport:
        """Deliver everything due now; each round takes the next event of every sequence."""
        report = WebhookReport()
        while not self._stopping.is_set():
            owed = await self._lease()
            if not owed:
                break
            await asyncio.gather(*(self._deliver(row, report) for row in owed))
        return report

    async def _lease(self) -> list[Owed]:
        async with self.db.write() as session:
            leased = await store.lease_due(
                session, now=self.clock.now(), lease=self.lease, limit=self.batch
            )
            return [
                Owed(
                    id=delivery.id,
                    endpoint=delivery.endpoint,
                    event_id=delivery.event_id,
                    kind=delivery.kind,
                    attempts=delivery.attempts,
                    body=event_body(delivery.event_id, audit_event),
                )
                for delivery, audit_event in leased
            ]

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.rules.webhooks.timeout_seconds),
                headers={"User-Agent": USER_AGENT},
            )
        return self._http

    async def _deliver(self, row: Owed, report: WebhookReport) -> None:
        endpoint = self.rules.webhooks.endpoint(row.endpoint)
        if endpoint is None:
            await self._fail(row, "the endpoint is no longer in the rules", None, report)
            return
        try:
            status, retry_after = await self._post(endpoint, row)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            await self._retry(row, f"{exc.__class__.__name__}: {exc}", None, None, report)
            return
        if 200 <= status < 300:
            async with self.db.session() as session:
                await store.mark_sent(session, row.id, at=self.clock.now(), status=status)
            report.sent += 1
            return
        await self._retry(row, f"HTTP {status}", status, retry_after, report)

    async def _post(self, endpoint: WebhookEndpoint, row: Owed) -> tuple[int, float | None]:
        timestamp = int(self.clock.now().timestamp())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            Header.TIMESTAMP: str(timestamp),
            Header.SIGNATURE: sign(endpoint.signing_secret, timestamp, row.body),
            Header.EVENT_ID: row.event_id,
            Header.EVENT_TYPE: row.kind,
            Header.ATTEMPT: str(row.attempts),
        }
        async with self._client().post(
            str(endpoint.url), data=row.body, headers=headers, allow_redirects=False
        ) as response:
            await response.read()
            return response.status, _retry_after(response.headers.get("Retry-After"))

    async def _retry(
        self,
        row: Owed,
        error: str,
        status: int | None,
        wait_seconds: float | None,
        report: WebhookReport,
    ) -> None:
        if row.attempts >= self.rules.webhooks.max_attempts:
            await self._fail(row, f"gave up after {row.attempts} attempts: {error}", status, report)
            return
        if wait_seconds is None:
            wait_seconds = min(5 * 2 ** (row.attempts - 1), 3600) * random.uniform(0.8, 1.2)
        retry_at = self.clock.now() + timedelta(seconds=wait_seconds)
        log.warning(
            "webhook %s to %s (%s) will retry at %s: %s",
            row.event_id,
            row.endpoint,
            row.kind,
            retry_at.isoformat(),
            error,
        )
        async with self.db.session() as session:
            await store.mark_retry(session, row.id, error=error, status=status, retry_at=retry_at)
        report.retried += 1

    async def _fail(self, row: Owed, error: str, status: int | None, report: WebhookReport) -> None:
        log.error(
            "webhook %s to %s (%s) failed for good: %s", row.event_id, row.endpoint, row.kind, error
        )
        async with self.db.session() as session:
            await store.mark_failed(session, row.id, error=error, status=status)
        report.failed += 1


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return min(max(1.0, float(value)), 3600.0)
    except ValueError:
        return None
