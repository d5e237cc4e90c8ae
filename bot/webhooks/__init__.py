"""Outbound webhooks: every audited change, signed, delivered through an outbox.

- :mod:`bot.webhooks.signing` — the headers and the signature (Slack's ``v0`` scheme).
- :mod:`bot.webhooks.worker` — leases due deliveries, posts them, retries with back-off.
- :mod:`bot.webhooks.status` — where each endpoint stands, for ``claimbot doctor`` and ``/healthz``.

The rows are written by the hook in :mod:`store.webhooks`, attached by :func:`attach` below.
"""

from __future__ import annotations

from bot.rules import Rules
from bot.webhooks.worker import WebhookWorker
from store import webhooks as store
from store.db import Database

__all__ = ["WebhookWorker", "attach"]


def attach(db: Database, rules: Rules, worker: WebhookWorker) -> None:
    """Make every audit event written through ``db`` owe a delivery to each endpoint that wants
    it, and wake ``worker`` when such a transaction commits."""
    endpoints = rules.webhooks.endpoints

    def subscribers(workspace_id: str, action: str) -> list[str]:
        return [e.name for e in endpoints if e.wants(workspace_id, action)]

    if endpoints:
        store.attach(db, subscribers, worker.kick)
