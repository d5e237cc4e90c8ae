"""The loop both outboxes (Slack notices, webhook deliveries) run in: drain on a timer, and at
once when a commit that queued something kicks it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from store.db import DatabaseUnavailable

log = logging.getLogger(__name__)


class DrainLoop:
    """A background service calling :meth:`drain` every ``interval`` seconds or when kicked."""

    def __init__(self, label: str, interval: float) -> None:
        self.label = label
        self.interval = interval
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def drain(self) -> object:
        """Deliver everything due now."""
        raise NotImplementedError

    def kick(self) -> None:
        """Ask for a drain now (after a commit that enqueued something)."""
        self._wake.set()

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=f"claimbot-{self.label}")

    async def stop(self) -> None:
        """Stop after the item in hand; leased rows not yet sent simply expire and go again."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=15)
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await self.drain()
            except DatabaseUnavailable as exc:
                log.warning("%s paused: database unavailable (%s)", self.label, exc)
            except Exception:
                log.exception("%s drain failed; will try again", self.label)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
