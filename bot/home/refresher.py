"""Keeps open Homes current: after a change commits, the Homes it concerns are republished.

How it stays cheap:

- **After commit, off the request.** The store's change feed (:func:`store.home.watch_changes`)
  hands over the audit events of each committed transaction; taking note of them is all that
  happens inside the commit. Filing, deciding, following up, extending, transferring and the
  sweep's reclaims all write audit events, so all of them are seen, whoever wrote the service.
- **Debounced.** The first change wakes a task that waits until no change has come for
  :attr:`debounce` seconds (at most :attr:`max_wait` in all), then handles everything that arrived
  meanwhile in one round: a burst (a sweep committing thousands of reclaims batch after batch, a
  manager approving ten in a row) costs each concerned Home one refresh.
- **Only Homes someone is looking at.** A Home counts as *live* for :attr:`live_for` (30 minutes)
  after its owner opened it or clicked on it in this process. Slack sends ``app_home_opened``
  every time the tab is opened and the Home is rebuilt then anyway, so refreshing a Home nobody
  has open would only spend API calls: a sweep that touches thousands of claims refreshes only
  the few Homes open now. With no live Home in a workspace a round does not even ask the
  database who the change concerns.
- **Only the people it concerns.** A change concerns the claim's owner, whoever acted, anyone the
  event names (a transfer's other rep), the managers of the claim's team (or of the owner's
  teams), and the admins (who see every team).
- **Nothing published twice.** A refresh whose view is the one already published is skipped.

With several replicas each knows the Homes opened through it; a change handled by another replica
shows up at the person's next visit to the tab, when Slack asks again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError

from bot.directory import Directory
from bot.home.publisher import HomePublisher
from store import audit
from store import home as store
from store.db import Database, DatabaseUnavailable
from store.home import Change

log = logging.getLogger(__name__)

Key = tuple[str, str]


@dataclass
class HomeRefresher:
    """A background service (``rt.services``) that republishes the live Homes a change concerns."""

    db: Database
    directory: Directory
    publisher: HomePublisher
    debounce: float = 0.5
    max_wait: float = 3.0
    live_for: float = 30 * 60.0
    concurrency: int = 4
    monotonic: Callable[[], float] = time.monotonic
    _live: dict[Key, float] = field(default_factory=dict)
    _changes: list[Change] = field(default_factory=list)
    _asked: set[Key] = field(default_factory=set)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _unwatch: Callable[[], None] | None = None

    # -- what it is told -------------------------------------------------------------------------

    def touch(self, workspace_id: str, user_id: str) -> None:
        """``user_id`` opened or used their Home just now: it is live."""
        self._live[(workspace_id, user_id)] = self.monotonic()

    def note(self, changes: Sequence[Change]) -> None:
        """Committed changes (called inside the commit: only take note)."""
        self._changes.extend(changes)
        self._wake.set()

    def request(self, workspace_id: str, user_id: str) -> None:
        """Refresh this Home in the next round, live or not."""
        self._asked.add((workspace_id, user_id))
        self._wake.set()

    def live(self, workspace_id: str) -> set[str]:
        """The people of ``workspace_id`` whose Home is live (forgetting those that are not)."""
        cutoff = self.monotonic() - self.live_for
        for key in [k for k, at in self._live.items() if at < cutoff]:
            del self._live[key]
        return {user for (ws, user) in self._live if ws == workspace_id}

    # -- running ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self._wake = asyncio.Event()
        self._unwatch = store.watch_changes(self.db, self.note)
        self._task = asyncio.create_task(self._run(), name="claimbot-home-refresher")

    async def stop(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            # Wait until the changes stop coming for `debounce` seconds (a sweep commits batch
            # after batch), but not longer than `max_wait` in all.
            deadline = loop.time() + self.max_wait
            while True:
                self._wake.clear()
                await asyncio.sleep(self.debounce)
                if not self._wake.is_set() or loop.time() >= deadline:
                    break
            self._wake.clear()
            changes, self._changes = self._changes, []
            asked, self._asked = self._asked, set()
            try:
                await self.refresh(changes, asked)
            except Exception:  # the next change tries again; a Home is only a view
                log.exception("home refresh round failed")

    async def refresh(self, changes: Sequence[Change], asked: Collection[Key] = ()) -> int:
        """One round: republish the live Homes the changes concern, and those asked for."""
        targets = set(asked)
        by_workspace: dict[str, list[Change]] = {}
        for change in changes:
            by_workspace.setdefault(change.workspace_id, []).append(change)
        for workspace_id, found in by_workspace.items():
            live = self.live(workspace_id)
            if not live:
                continue
            concerned = await self.concerned(workspace_id, found, live)
            targets |= {(workspace_id, user) for user in concerned & live}
        if not targets:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(key: Key) -> bool:
            async with gate:
                try:
                    return await self.publisher.publish(*key, unchanged_ok=True)
                except (SlackApiError, DatabaseUnavailable, OSError, TimeoutError) as exc:
                    log.warning("home of %s not refreshed: %s", key[1], exc)
                    return False

        done = await asyncio.gather(*(one(key) for key in sorted(targets)))
        return sum(done)

    async def concerned(
        self, workspace_id: str, changes: Sequence[Change], live: set[str]
    ) -> set[str]:
        """Who the changes concern (see the module docstring)."""
        people = {c.actor_id for c in changes if c.actor_id != audit.SYSTEM}
        for change in changes:
            people.update(change.named)
        claim_ids = {c.claim_id for c in changes if c.claim_id is not None}
        async with self.db.session() as session:
            owners = await store.claim_people(session, workspace_id, claim_ids)
            people.update(owner for owner, _ in owners)
            people |= await store.managers_of(
                session,
                workspace_id,
                team_ids={team for _, team in owners if team is not None},
                members={owner for owner, _ in owners},
            )
            if claim_ids and live - people:
                people.update(await self.directory.admins(session, workspace_id))
        return people
