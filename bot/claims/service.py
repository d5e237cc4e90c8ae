"""Filing a claim: first come, first served (先报备先得).

Check and insert happen in one transaction under the workspace's claim lock, so of two claims
racing for one customer — from any process or replica — the first to take the lock wins and the
second sees it and becomes a collision. The store's clock (microseconds, UTC) and insertion order
record who came first; a partial unique index keeps one holder per customer beneath it all.

Group commit: submissions of one workspace that arrive while a transaction is running wait for
the next one and are then decided together, in arrival order, each seeing the decisions before it
(:mod:`bot.claims.batch`), and written together (:mod:`bot.claims.writing`). A busy hour costs one
lock, one commit and a dozen statements per batch instead of per claim, and the order of
decisions is still the order of arrival.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims.approval import Filer
from bot.claims.batch import BatchDecider, Resubmission, Submission, probe_for
from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Verdict
from bot.claims.writing import BatchWriter, replay_of, verdict_payload
from bot.clock import Clock
from bot.duplicates import DuplicateChecker, Holder, Match, Probe
from bot.rules import Rules
from store import claims as claim_store
from store import customers as customer_store
from store.db import Database
from store.models import Via

if TYPE_CHECKING:
    from bot.approvals.routing import ApprovalRouter

log = logging.getLogger(__name__)

__all__ = ["ClaimService", "probe_for", "verdict_payload"]

# Most submissions one transaction decides; more wait for the next.
MAX_BATCH = 64


@dataclass
class ClaimService:
    """Files claims and answers with a :class:`Verdict`."""

    db: Database
    rules: Rules
    clock: Clock
    checker: DuplicateChecker
    # Sends the approval card of a pending claim to whoever decides it (None: nobody is told).
    approvals: ApprovalRouter | None = None
    _queues: dict[str, deque[tuple[Submission, asyncio.Future[Verdict]]]] = field(
        default_factory=dict
    )
    _draining: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    async def lookup(self, workspace_id: str, probe: Probe) -> list[Match]:
        """Existing customers resembling ``probe`` (the live hint and ``/claim check``)."""
        async with self.db.session() as session:
            return await self.checker.find(session, workspace_id, probe)

    async def submit(
        self,
        *,
        workspace_id: str,
        filer: Filer,
        draft: ClaimDraft,
        submission_key: str,
        origin_channel: str | None = None,
        via: Via = Via.FORM,
        resubmits: Resubmission | None = None,
    ) -> Verdict:
        """File ``draft`` for ``filer``; the same ``submission_key`` twice files it once.
        ``resubmits`` links a correction to the rejected claim it corrects."""
        submission = Submission(filer, draft, submission_key, origin_channel, via, resubmits)
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(workspace_id, deque()).append((submission, future))
        if workspace_id not in self._draining:
            task = asyncio.create_task(self._drain(workspace_id), name=f"claims-{workspace_id}")
            self._draining[workspace_id] = task
        return await future

    async def _drain(self, workspace_id: str) -> None:
        """Decide queued submissions, a batch per transaction, until none are left."""
        queue = self._queues[workspace_id]
        try:
            while queue:
                batch = [queue.popleft() for _ in range(min(MAX_BATCH, len(queue)))]
                await self._decide(workspace_id, batch)
        finally:
            del self._draining[workspace_id]

    async def _decide(
        self, workspace_id: str, batch: list[tuple[Submission, asyncio.Future[Verdict]]]
    ) -> None:
        submissions = [submission for submission, _ in batch]
        try:
            verdicts = await self._decide_batch(workspace_id, submissions)
        except IntegrityError as exc:
            if len(batch) == 1:
                async with self.db.session() as session:
                    replay = await replay_of(session, workspace_id, submissions[0].submission_key)
                if replay is None:
                    batch[0][1].set_exception(exc)
                    return
                verdicts = [replay]
            else:
                # Something the batch could not foresee (a row another process wrote between
                # our reads and writes cannot exist under the lock, but a bug could): decide
                # each alone, so one bad submission cannot fail the others.
                for item in batch:
                    await self._decide(workspace_id, [item])
                return
        except BaseException as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), verdict in zip(batch, verdicts, strict=True):
            if not future.done():
                future.set_result(verdict)

    async def _decide_batch(
        self, workspace_id: str, submissions: list[Submission]
    ) -> list[Verdict]:
        async with self.db.locked(workspace_id) as session:
            await self.checker.catch_up(session, workspace_id)
            decider = await self._read_facts(session, workspace_id, submissions)
            decisions = [decider.decide(s, self.clock.now()) for s in submissions]
            return await self._writer().write(session, workspace_id, decider, decisions)

    async def _read_facts(
        self, session: AsyncSession, workspace_id: str, submissions: list[Submission]
    ) -> BatchDecider:
        """Everything the batch's decisions need, in a few queries."""
        keys = {key for s in submissions for key in s.probe.exact}
        exact = await customer_store.key_owners(session, workspace_id, keys)
        decider = BatchDecider(self.rules, self.checker.index(workspace_id), exact)
        candidates = decider.candidate_ids(submissions)
        rows = await customer_store.customers_and_holders(session, workspace_id, list(candidates))
        owners = {s.filer.user_id for s in submissions}
        decider.learn(
            customers={customer.id: customer for customer, _ in rows},
            holders={c.id: None if h is None else Holder.of(h) for c, h in rows},
            holding_counts=await claim_store.holding_counts(session, workspace_id, owners),
            releases=await claim_store.last_releases(session, workspace_id, candidates, owners)
            if self.rules.protection.cooldown_days
            else {},
            replays=await claim_store.seen_submissions(
                session, workspace_id, [s.submission_key for s in submissions]
            ),
        )
        return decider

    def _writer(self) -> BatchWriter:
        # Cheap: two references, read as they are when the batch is written.
        return BatchWriter(self.rules, self.approvals)
