"""The bot's link to Slack: is the Web API reachable, and (Socket Mode) is the WebSocket open?

At start the token is tried once: a refused token stops start-up (see :mod:`bot.cli.run`), an
unreachable Slack does not. The link then retries in the background with back-off (1 s doubling
to a minute) until Slack answers and, in Socket Mode, the WebSocket is open; ``/healthz`` shows
where it stands as ``"slack": "ok" | "unreachable" | "connecting"``. Cancelling the link (on
SIGTERM) stops it at once, whatever it is waiting for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Literal

from slack_sdk.errors import SlackApiError

from bot.doctor import UNREACHABLE, BadToken, identify
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SlackState = Literal["ok", "unreachable", "connecting"]
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


class SlackLink:
    """Checks the bot token and opens the Socket Mode connection, retrying until it works.

    ``socket_client`` is slack_sdk's Socket Mode client (``None`` in HTTP mode). ``on_refused``
    is called with one sentence when Slack refuses a token: no retry can cure that.
    """

    def __init__(
        self,
        rt: Runtime,
        *,
        socket_client: Any = None,
        on_refused: Callable[[str], None] = lambda _reason: None,
        reachable: bool | None = None,
    ) -> None:
        self.rt = rt
        self.socket_client = socket_client
        self.on_refused = on_refused
        # Start-up already asked Slack once; the link picks up from that answer.
        self._reachable = reachable
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="slack-link")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.socket_client is not None:
            await self.socket_client.close()

    async def state(self) -> SlackState:
        """What ``/healthz`` reports for Slack."""
        if self._reachable is False:
            return "unreachable"
        if self.socket_client is not None:
            return "ok" if await self.socket_client.is_connected() else "connecting"
        return "ok" if self._reachable else "connecting"

    async def _run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                await self._connect()
                return
            except BadToken as exc:
                self.on_refused(str(exc))
                return
            except SlackApiError as exc:
                self.on_refused(
                    f"Slack refuses SLACK_APP_TOKEN ({exc.response.get('error')}): create an "
                    "app-level token with connections:write under Basic Information."
                )
                return
            except UNREACHABLE as exc:
                if self._reachable is not False:
                    log.warning(
                        "Slack cannot be reached at %s (%s); retrying with back-off",
                        self.rt.settings.api_url,
                        exc.__class__.__name__,
                    )
                self._reachable = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)

    async def _connect(self) -> None:
        if self.rt.settings.bot_token and not self._reachable:
            identity = await identify(self.rt.slack)
            if self._reachable is False:
                log.info("Slack is reachable again: workspace %s", identity.team_id)
            self._reachable = True
        if self.socket_client is not None:
            # Asking for the WebSocket URL ourselves lets a refused app token stop the bot and a
            # network failure back off, where slack_sdk would log a traceback every few seconds.
            self.socket_client.wss_uri = await self.socket_client.issue_new_wss_url()
            await self.socket_client.connect()
            log.info("claimbot connected over Socket Mode")
        self._reachable = True
