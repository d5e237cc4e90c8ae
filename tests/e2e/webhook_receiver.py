"""A real webhook receiver on 127.0.0.1: records what arrives, answers as the test says."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """Answers each request with the next status of ``script`` (then 200), and keeps them all."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # The requests answered 2xx, in order: what the receiver's system actually took.
    accepted: list[Received] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        got = Received(dict(request.headers), body)
        status = self.script.pop(0) if self.script else 200
        async with self._changed:
            self.received.append(got)
            if status < 300:
                self.accepted.append(got)
            self._changed.notify_all()
        return web.json_response({"ok": status < 300}, status=status)

    async def wait_accepted(self, count: int) -> list[Received]:
        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(lambda: len(self.accepted) >= count)
        return list(self.accepted)

    async def wait_received(self, count: int) -> list[Received]:
        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(lambda: len(self.received) >= count)
        return list(self.received)


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver listening on an ephemeral port."""
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield found
    finally:
        await runner.cleanup()
