"""The Home's parts, wired over the runtime's services."""

from __future__ import annotations

from dataclasses import dataclass

from bot.approvals.service import ApprovalService
from bot.clock import Clock
from bot.directory import Directory
from bot.home.publisher import HomePublisher, HomeRenderer
from bot.home.refresher import HomeRefresher
from bot.home.service import HomeService
from bot.metrics.service import MetricsService
from bot.oauth import WorkspaceClients
from bot.people import PeopleDirectory
from bot.rules import Rules
from store.db import Database


@dataclass
class Home:
    """The Home's parts in one process (``rt.home``)."""

    service: HomeService
    publisher: HomePublisher
    refresher: HomeRefresher

    @classmethod
    def build(
        cls,
        *,
        db: Database,
        rules: Rules,
        clock: Clock,
        directory: Directory,
        approvals: ApprovalService,
        metrics: MetricsService,
        people: PeopleDirectory,
        clients: WorkspaceClients,
        render: HomeRenderer,
    ) -> Home:
        """Wire the Home over the runtime's services."""
        service = HomeService(db, rules, clock, directory, approvals, metrics)
        publisher = HomePublisher(service, people, rules, clients, render)
        return cls(service, publisher, HomeRefresher(db, directory, publisher))
