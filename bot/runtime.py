"""The running bot's parts, assembled once per process and handed to every listener.

Handlers reach services through the :class:`Runtime` that a middleware puts into Bolt's
context, so there is no module-global app or database. With :mod:`bot.app` it is the composition
root: the only module of ``bot/`` that imports ``cards/``, to hand the outbox worker and the Home
their renderers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.service import ApprovalService
from bot.books import BookHandover
from bot.claims.service import ClaimService
from bot.clock import Clock, SystemClock
from bot.corrections import EditService, ResubmitService, WithdrawService
from bot.digest.service import TeamDigests
from bot.directory import Directory
from bot.disputes import DisputeService
from bot.duplicates import DuplicateChecker
from bot.export import Exporter
from bot.history import HistoryService
from bot.home.parts import Home
from bot.lifecycle.services import Lifecycle
from bot.lists import ClaimLists
from bot.merge import CustomerMerger
from bot.metrics.analytics import AnalyticsService
from bot.metrics.service import MetricsService
from bot.notify.fallback import ChannelFallback
from bot.notify.inplace import Refreshed, Render, update_everywhere
from bot.notify.worker import POST_TIMEOUT_SECONDS, OutboxWorker
from bot.oauth import WorkspaceClients, installation_store
from bot.people import PeopleDirectory
from bot.roles import RoleAdmin
from bot.rules import Rules
from bot.settings import Settings
from bot.slack_client import SlackSession, web_client
from bot.teams import TeamAdmin
from bot.transfers import TransferService
from bot.webhooks import WebhookWorker, attach
from bot.webhooks.status import webhook_status
from cards.home import home_view
from cards.registry import render_notice
from store.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)


class BackgroundService(Protocol):
    """Something that runs beside the request handlers (the scheduler, the outbox worker)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Role(Enum):
    """What a process does: everything, only answer Slack, or only the background work."""

    # ``claimbot`` alone: requests and background services in one process.
    ALL = "all"
    # ``claimbot`` with CLAIMBOT_BACKGROUND=off: requests only, beside a worker.
    WEB = "web"
    # ``claimbot worker``: the outbox, webhook deliveries and the sweep; no Slack requests.
    WORKER = "worker"


@dataclass
class Runtime:
    """Settings, rules, the database and the services built on them."""

    settings: Settings
    rules: Rules
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    people: PeopleDirectory = field(init=False)
    checker: DuplicateChecker = field(init=False)
    directory: Directory = field(init=False)
    claims: ClaimService = field(init=False)
    approvals: ApprovalService = field(init=False)
    roles: RoleAdmin = field(init=False)
    teams: TeamAdmin = field(init=False)
    outbox: OutboxWorker = field(init=False)
    # Audit events to the webhook endpoints of the rules, through their own outbox.
    webhooks: WebhookWorker = field(init=False)
    # Follow-ups, extensions, the public pool and the reminder/reclaim sweep.
    lifecycle: Lifecycle = field(init=False)
    # Lists and history, disputes, a manager's transfers and releases, the export.
    lists: ClaimLists = field(init=False)
    history: HistoryService = field(init=False)
    disputes: DisputeService = field(init=False)
    transfers: TransferService = field(init=False)
    # Corrections after filing: the owner's withdrawal, edits.
    withdrawals: WithdrawService = field(init=False)
    edits: EditService = field(init=False)
    resubmissions: ResubmitService = field(init=False)
    # A leaving rep's whole book to another rep.
    books: BookHandover = field(init=False)
    # An admin's merge of two customer records.
    merger: CustomerMerger = field(init=False)
    exporter: Exporter = field(init=False)
    # The dashboard: metrics, and the App Home with its refresher.
    metrics: MetricsService = field(init=False)
    analytics: AnalyticsService = field(init=False)
    home: Home = field(init=False)
    # The Web API client for this process's own calls (Bolt copies it per request).
    slack: AsyncWebClient = field(init=False)
    # Multi-workspace mode: installed workspaces' tokens (None with a single bot token).
    installations: AsyncInstallationStore | None = field(init=False)
    # A client with the right token for a workspace, for work done outside a Slack request.
    clients: WorkspaceClients = field(init=False)
    # Extra lines for /healthz from background services (e.g. the scheduler's leadership).
    health_parts: dict[str, Callable[[], Awaitable[Any]]] = field(default_factory=dict)
    services: list[BackgroundService] = field(default_factory=list)
    # The services a worker takes over from the web processes (see :meth:`services_for`).
    background: list[BackgroundService] = field(init=False)

    def __post_init__(self) -> None:
        self.people = PeopleDirectory(self.db, self.rules, self.clock)
        self.checker = DuplicateChecker(self.rules)
        self.directory = Directory(self.db, self.rules, self.clock, env_admins=self.settings.admins)
        self.approvals = ApprovalService(
            self.db, self.rules, self.clock, self.checker, self.directory
        )
        self.claims = ClaimService(
            self.db, self.rules, self.clock, self.checker, approvals=self.approvals.router
        )
        self.roles = RoleAdmin(self.db, self.rules, self.clock, self.directory)
        self.teams = TeamAdmin(self.db, self.rules, self.clock, self.directory, self.roles)
        self.slack = web_client(self.settings)
        self.installations = (
            installation_store(self.settings, self.db) if self.settings.oauth else None
        )
        self.clients = WorkspaceClients(self.slack, self.clock, self.installations)
        self.outbox = OutboxWorker(
            self.db,
            self.rules,
            self.clock,
            self.people,
            self.clients,
            render=render_notice,
            fallback=ChannelFallback(self.db, self.directory, self.clock),
            post_timeout=max(POST_TIMEOUT_SECONDS, self.settings.slack_timeout),
        )
        self.webhooks = WebhookWorker(self.db, self.rules, self.clock)
        attach(self.db, self.rules, self.webhooks)
        self.services = [
            SlackSession(self.slack, timeout=self.settings.slack_timeout),
            IndexWarmer(self),
            self.outbox,
            self.webhooks,
            *self.services,
        ]
        self.metrics = MetricsService(self.db, self.rules, self.clock, self.directory)
        self.analytics = AnalyticsService(self.metrics)
        self.lifecycle = Lifecycle.build(
            db=self.db,
            rules=self.rules,
            clock=self.clock,
            directory=self.directory,
            claims=self.claims,
            on_notices=self.outbox.kick,
        )
        self.lifecycle.sweeper.steps.append(
            TeamDigests(self.db, self.rules, self.directory, self.metrics)
        )
        self.services.append(self.lifecycle.scheduler)
        self.lists = ClaimLists(self.db, self.rules, self.clock, self.directory, self.checker)
        self.history = HistoryService(self.db, self.directory, self.checker)
        self.disputes = DisputeService(self.db, self.rules, self.clock, self.directory)
        self.transfers = TransferService(
            self.db, self.rules, self.clock, self.directory, self.checker
        )
        self.withdrawals = WithdrawService(
            self.db, self.clock, self.directory, self.approvals.router
        )
        self.edits = EditService(
            self.db, self.clock, self.directory, self.checker, self.approvals.router
        )
        self.resubmissions = ResubmitService(self.db, self.clock, self.directory)
        self.books = BookHandover(self.db, self.rules, self.clock, self.directory)
        self.merger = CustomerMerger(self.db, self.clock, self.directory)
        self.exporter = Exporter(self.db, self.clock, self.directory)
        self.home = Home.build(
            db=self.db,
            rules=self.rules,
            clock=self.clock,
            directory=self.directory,
            approvals=self.approvals,
            metrics=self.metrics,
            people=self.people,
            clients=self.clients,
            render=home_view,
        )
        self.services.append(self.home.refresher)
        self.background = [self.outbox, self.webhooks, self.lifecycle.scheduler]
        self.health_parts["scheduler"] = self.lifecycle.scheduler.health
        if self.rules.webhooks.endpoints:
            self.health_parts["webhooks"] = self._webhook_health

    async def _webhook_health(self) -> dict[str, object]:
        try:
            statuses = await webhook_status(self.db, self.rules, self.clock.now())
        except DatabaseUnavailable:
            return {"status": "unknown"}
        return {status.name: status.as_json() for status in statuses}

    @classmethod
    def create(cls, settings: Settings, rules: Rules, clock: Clock | None = None) -> Runtime:
        """Open the database named by the settings, pooled as the rules say."""
        db = Database(
            settings.database_url,
            pool_size=rules.database.pool_size,
            max_overflow=rules.database.max_overflow,
            pool_timeout=rules.database.pool_timeout_seconds,
        )
        return cls(settings=settings, rules=rules, db=db, clock=clock or SystemClock())

    async def update_cards(
        self,
        client: AsyncWebClient,
        workspace_id: str,
        *,
        subject: str,
        subject_id: int,
        render: Render,
    ) -> Refreshed:
        """Re-render every posted copy of a subject's card, each in its reader's language; a copy
        Slack would not update now is retried by the outbox until it lands."""
        refreshed = await update_everywhere(
            self.db,
            self.people,
            self.rules,
            client,
            workspace_id,
            subject=subject,
            subject_id=subject_id,
            render=render,
            at=self.clock.now(),
        )
        if refreshed.queued:
            self.outbox.kick()
        return refreshed

    def services_for(self, role: Role) -> list[BackgroundService]:
        """The services a process in ``role`` starts, in order.

        A web process keeps the Slack session, the index warmer and the Home refresher (it
        refreshes only Homes opened through this process, on changes this process commits); a
        worker has the Slack session and the outbox, webhook deliveries and the sweep, which
        take their work from the database whichever process queued it.
        """
        if role is Role.ALL:
            return list(self.services)
        if role is Role.WEB:
            return [s for s in self.services if s not in self.background]
        return [s for s in self.services if s in self.background or isinstance(s, SlackSession)]

    def health_for(self, role: Role) -> None:
        """Drop the ``/healthz`` lines of services this process does not run."""
        if role is Role.WEB:
            self.health_parts.pop("scheduler", None)
            self.health_parts.pop("webhooks", None)

    async def start_services(self) -> None:
        """Start the background services, in order."""
        for service in self.services:
            await service.start()

    async def close(self) -> None:
        """Release the database (background services are stopped by their server)."""
        await self.db.dispose()


@dataclass
class IndexWarmer:
    """Builds the duplicate check's name indexes before the bot answers its first request."""

    rt: Runtime

    async def start(self) -> None:
        try:
            async with self.rt.db.session() as session:
                await self.rt.checker.warm(session)
        except DatabaseUnavailable as exc:
            # Every check catches its index up anyway; starting cold only costs the first one.
            log.warning("name indexes not built at start (database unavailable: %s)", exc)

    async def stop(self) -> None:
        return None
