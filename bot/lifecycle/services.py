"""The lifecycle services of one process, wired together (kept out of the package's
``__init__`` so that importing one lifecycle module, such as the timeline, imports no others)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.claims.service import ClaimService
from bot.clock import Clock
from bot.directory import Directory
from bot.lifecycle.extensions import ExtensionService
from bot.lifecycle.followups import FollowUpService
from bot.lifecycle.pool import PoolService
from bot.lifecycle.scheduler import SweepScheduler
from bot.lifecycle.sweep import Sweeper
from bot.rules import Rules
from store.db import Database


@dataclass
class Lifecycle:
    """The lifecycle services of one process (``rt.lifecycle``)."""

    followups: FollowUpService
    extensions: ExtensionService
    pool: PoolService
    sweeper: Sweeper
    scheduler: SweepScheduler

    @classmethod
    def build(
        cls,
        *,
        db: Database,
        rules: Rules,
        clock: Clock,
        directory: Directory,
        claims: ClaimService,
        on_notices: Callable[[], None],
    ) -> Lifecycle:
        """Wire the services over the runtime's database, rules, clock and directory."""
        sweeper = Sweeper(db, rules, directory)
        return cls(
            followups=FollowUpService(db, rules, clock),
            extensions=ExtensionService(db, rules, clock, directory),
            pool=PoolService(db, rules, claims),
            sweeper=sweeper,
            scheduler=SweepScheduler(sweeper, rules, clock, db, on_notices=on_notices),
        )
