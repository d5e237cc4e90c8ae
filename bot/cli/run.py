"""``claimbot`` / ``claimbot run``: serve Slack until SIGTERM or SIGINT.

HTTP mode serves ``POST /slack/events`` and ``GET /healthz`` on HOST:PORT. With SLACK_APP_TOKEN set,
Slack's traffic comes over Socket Mode instead and only ``/healthz`` is served over HTTP.
Shutdown is graceful: the listener stops accepting, in-flight requests finish, background
services stop, the database closes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from aiohttp import web

from bot.app import build_app
from bot.cli.common import open_runtime
from bot.runtime import Runtime
from bot.server import build_web_app

log = logging.getLogger("claimbot")

SHUTDOWN_GRACE_SECONDS = 20.0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("run", help="run the bot (the default)")
    sub.set_defaults(handler=handle)


async def handle(_args: argparse.Namespace) -> int:
    rt = await open_runtime(need_credentials=True, migrate=True)
    try:
        await serve(rt, stop=_stop_on_signals())
    finally:
        await rt.close()
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(rt: Runtime, *, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set, then shut down gracefully."""
    server = BotServer(rt)
    await server.start()
    try:
        await stop.wait()
    finally:
        await server.stop()


class BotServer:
    """The bot serving Slack: HTTP (or Socket Mode), background services, graceful stop."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.bolt_app = build_app(rt)
        self._runner: web.AppRunner | None = None
        self._socket_handler: Any = None
        self.url: str | None = None

    async def start(self) -> str:
        """Start serving; returns the HTTP base URL actually bound (PORT=0 picks a free port)."""
        settings = self.rt.settings
        await self.rt.start_services()
        web_app = build_web_app(self.rt, None if settings.socket_mode else self.bolt_app)
        self._runner = web.AppRunner(
            web_app, shutdown_timeout=SHUTDOWN_GRACE_SECONDS, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.host, settings.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket_handler = AsyncSocketModeHandler(self.bolt_app, settings.app_token)
            await self._socket_handler.connect_async()
            log.info("claimbot connected over Socket Mode; health on %s/healthz", self.url)
        else:
            log.info("claimbot listening on %s/slack/events", self.url)
        return self.url

    async def stop(self) -> None:
        """Stop accepting, let requests in flight finish, stop background services."""
        log.info("claimbot shutting down")
        if self._socket_handler is not None:
            await self._socket_handler.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        for service in reversed(self.rt.services):
            await service.stop()
