"""A stop asked for while the bot is still starting (building a million-name index, waiting for
Slack) ends ``claimbot run`` cleanly with 0: no traceback, and the half-started server stopped."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest

import bot.cli.run as run


class StartsForever:
    """A server whose start never finishes, the way a long index build looks from outside."""

    instances: ClassVar[list[StartsForever]] = []

    def __init__(self, _rt: Any, **_kwargs: Any) -> None:
        self.refused: str | None = None
        self.stopped = False
        self.start_cancelled = False
        StartsForever.instances.append(self)

    async def start(self) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.start_cancelled = True
            raise

    async def stop(self) -> None:
        self.stopped = True


async def test_a_stop_during_start_up_ends_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "BotServer", StartsForever)
    stop = asyncio.Event()
    serving = asyncio.create_task(run.serve(object(), stop=stop))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(serving, timeout=5) == 0
    [server] = StartsForever.instances
    assert server.start_cancelled and server.stopped
