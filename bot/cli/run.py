"""``claimbot`` / ``claimbot run``: serve Slack until SIGTERM or SIGINT.

HTTP mode serves ``POST /slack/events`` and ``GET /healthz`` on HOST:PORT. With SLACK_APP_TOKEN set,
Slack's traffic comes over Socket Mode instead and only ``/healthz`` is served over HTTP.
Start-up runs the doctor's checks and logs them in one block; a token Slack refuses stops it,
an unreachable Slack does not (the link retries with back-off). A signal stops the bot in every
state, start-up and Socket Mode's connecting included; shutdown is graceful: the listener stops
accepting, in-flight requests finish, background services stop, the database closes.
With CLAIMBOT_BACKGROUND=off it answers Slack only and ``claimbot worker`` (:mod:`bot.cli.worker`)
runs the outbox, webhook deliveries and the sweep.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import logging
import signal
from typing import Any

from aiohttp import web

from bot.app import build_app
from bot.cli.common import open_runtime
from bot.clock import SystemClock
from bot.doctor import Doctor, Report
from bot.runtime import Role, Runtime
from bot.server import build_web_app
from bot.settings import ConfigError
from bot.slack_link import SlackLink
from store.db import describe_url

log = logging.getLogger("claimbot")

SHUTDOWN_GRACE_SECONDS = 20.0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub = commands.add_parser("run", help="run the bot (the default)")
    sub.set_defaults(handler=handle)


async def handle(_args: argparse.Namespace) -> int:
    stop = stop_on_signals()
    rt = await open_runtime(need_credentials=True, migrate=True, announce=False)
    try:
        return await serve(rt, stop=stop, role=Role.ALL if rt.settings.background else Role.WEB)
    finally:
        await rt.close()


def stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(rt: Runtime, *, stop: asyncio.Event, role: Role = Role.ALL) -> int:
    """Check, start, run until ``stop`` is set (or Slack refuses a token), then shut down."""
    server = BotServer(rt, on_refused=lambda _reason: stop.set(), role=role)
    try:
        # Start-up may wait on Slack or the database; a signal meanwhile must still stop it.
        starting = asyncio.create_task(server.start())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            # A cancelled task is done only once it has run again: wait for that, or its
            # result below is read too early (InvalidStateError instead of a clean stop).
            await asyncio.wait({starting})
        stopping.cancel()
        if starting.cancelled():
            return 0
        starting.result()
        await stop.wait()
    finally:
        await server.stop()
    if server.refused:
        raise ConfigError(server.refused)
    return 0


def freeze_heap() -> None:
    """Leave what start-up built out of every later garbage collection.

    The name indexes are hundreds of thousands of long-lived objects (the log says how many),
    and each full collection walked them all again, in the middle of whichever request happened
    to allocate; frozen, a collection walks only what requests create.
    """
    gc.collect()
    gc.freeze()
    log.info(
        "start-up heap frozen: %d objects left out of garbage collection", gc.get_freeze_count()
    )


class BotServer:
    """The bot serving Slack: HTTP (or Socket Mode), background services, graceful stop."""

    def __init__(self, rt: Runtime, *, on_refused: Any = None, role: Role = Role.ALL) -> None:
        self.rt = rt
        self.role = role
        # A worker answers no Slack requests: no Bolt app, no Socket Mode, only /healthz.
        self.bolt_app = build_app(rt) if role is not Role.WORKER else None
        self._runner: web.AppRunner | None = None
        self._socket_handler: Any = None
        self._on_refused = on_refused
        self.link: SlackLink | None = None
        self._started: list[Any] = []
        self.refused: str | None = None
        self.url: str | None = None

    async def start(self) -> str:
        """Start serving; returns the HTTP base URL actually bound (PORT=0 picks a free port).

        Raises :class:`ConfigError` when Slack refuses the bot token or the port is taken.
        """
        settings = self.rt.settings
        report = await self.check()
        web_app = build_web_app(
            self.rt,
            None if settings.socket_mode else self.bolt_app,
            api=self.role is not Role.WORKER,
        )
        self._runner = web.AppRunner(
            web_app, shutdown_timeout=SHUTDOWN_GRACE_SECONDS, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {settings.port} on {settings.host} is already in use: stop the "
                    "program using it or set PORT to another number."
                ) from exc
            raise ConfigError(
                f"cannot listen on {settings.host}:{settings.port} ({exc.strerror}): "
                "check HOST and PORT."
            ) from exc
        # Bound before the services start: a taken port stops start-up before any work begins.
        self.rt.health_for(self.role)
        for service in self.rt.services_for(self.role):
            await service.start()
            self._started.append(service)
        freeze_heap()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        socket_client = None
        if settings.socket_mode and self.bolt_app is not None:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket_handler = AsyncSocketModeHandler(self.bolt_app, settings.app_token)
            socket_client = self._socket_handler.client
        self.link = SlackLink(
            self.rt,
            socket_client=socket_client,
            on_refused=self._refused,
            reachable=report.identity is not None if settings.bot_token else None,
        )
        self.rt.health_parts["slack"] = self.link.state
        await self.link.start()
        log.info("%s", self.banner(report))
        return self.url

    async def check(self) -> Report:
        """The doctor's checks; a token Slack refuses stops start-up with one sentence."""
        doctor = Doctor(
            settings=self.rt.settings,
            db=self.rt.db,
            client=self.rt.slack,
            # Slack's own clock decides whether a scheduled test message is in the future.
            clock=SystemClock(),
            rules=self.rt.rules,
        )
        report = await doctor.run()
        if report.refused:
            raise ConfigError(report.refused)
        return report

    def banner(self, report: Report) -> str:
        """One block: mode, workspace, database and schema revision, the checks."""
        settings = self.rt.settings
        if self.role is Role.WORKER:
            mode = f"worker: outbox, webhooks, sweep (health on {self.url}/healthz)"
        elif settings.socket_mode:
            mode = f"Socket Mode (health on {self.url}/healthz)"
        else:
            mode = f"HTTP on {self.url}/slack/events"
        if self.role is Role.WEB:
            mode += "; background services in claimbot worker (CLAIMBOT_BACKGROUND=off)"
        if report.identity is not None:
            who = report.identity
            workspace = f"{who.team} ({who.team_id}), bot user @{who.bot_name}"
        elif settings.oauth:
            workspace = "several (OAuth installations)"
        else:
            workspace = "unknown until Slack answers"
        lines = [
            "claimbot worker starting" if self.role is Role.WORKER else "claimbot starting",
            f"  mode:      {mode}",
            f"  workspace: {workspace}",
            f"  database:  {describe_url(settings.database_url)} "
            f"(schema revision {report.revision or 'unknown'})",
            *(f"  {line}" for line in report.lines()),
        ]
        return "\n".join(lines)

    def _refused(self, reason: str) -> None:
        log.error("%s", reason)
        self.refused = reason
        if self._on_refused is not None:
            self._on_refused(reason)

    async def stop(self) -> None:
        """Stop accepting, let requests in flight finish, stop background services."""
        log.info("claimbot shutting down")
        if self.link is not None:
            await self.link.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        for service in reversed(self._started):
            await service.stop()
        self._started.clear()
