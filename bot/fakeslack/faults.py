"""Injected misbehaviour: rate limits, server errors, error replies, resets and stalls."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from aiohttp import web


@dataclass
class Fault:
    """A misbehaviour to apply to the next ``times`` calls of one method."""

    status: int | None = None
    retry_after: int | None = None
    error: str | None = None
    reset: bool = False
    stall: float | None = None
    times: int = 1

    @classmethod
    def make(
        cls,
        *,
        status: int | None,
        retry_after: int | None,
        error: str | None,
        reset: bool,
        stall: float | None,
        times: int,
    ) -> Fault:
        """Check a combination from ``FakeSlack.inject`` and fill in Slack's defaults."""
        if retry_after is not None and status is None:
            status = 429
        if status == 429 and retry_after is None:
            retry_after = 1  # Slack always tells how long to back off
        outcomes = [status is not None, error is not None and status is None, reset]
        if sum(outcomes) > 1 or (sum(outcomes) == 0 and stall is None) or times < 1:
            raise ValueError("inject one of status/retry_after, error or reset (stall may join)")
        return cls(status, retry_after, error, reset, stall, times)

    @property
    def label(self) -> str:
        """Short name recorded on each faulted call."""
        if self.reset:
            return "reset"
        if self.status is not None:
            return str(self.status)
        if self.error is not None:
            return f"error:{self.error}"
        return "stall"


class FaultQueue:
    """Faults waiting per method, consumed one call at a time."""

    def __init__(self, stopping: asyncio.Event) -> None:
        self._stopping = stopping
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, key: str, fault: Fault) -> None:
        """Queue ``fault`` after any already waiting for ``key``."""
        self._queues.setdefault(key, deque()).append(fault)

    def clear(self) -> None:
        """Drop every waiting fault."""
        self._queues.clear()

    def take(self, key: str) -> Fault | None:
        """The fault for this call of ``key``, if one is waiting."""
        queue = self._queues.get(key)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.popleft()
        return fault

    async def apply(self, fault: Fault, request: web.Request) -> web.StreamResponse | None:
        """Run ``fault``; return the response to send, or None to handle the call normally."""
        if fault.stall:
            try:
                # Waiting on the stop event, not a bare sleep, lets FakeSlack.stop() end it.
                await asyncio.wait_for(self._stopping.wait(), fault.stall)
            except TimeoutError:
                pass
            else:
                fault = Fault(reset=True)
        if fault.reset:
            if request.transport is not None:
                request.transport.abort()
            # Nothing may be written after abort; aiohttp treats this as a client disconnect.
            raise asyncio.CancelledError
        if fault.status is not None:
            body = {"ok": False, "error": fault.error or _status_error(fault.status)}
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            return web.json_response(body, status=fault.status, headers=headers)
        if fault.error is not None:
            return web.json_response({"ok": False, "error": fault.error})
        return None


def _status_error(status: int) -> str:
    return {429: "ratelimited", 503: "service_unavailable"}.get(status, "internal_error")
