"""Build the Bolt app from a :class:`Runtime` (a factory: there is no module-global app)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

import handlers
from bot.runtime import Runtime


def build_app(rt: Runtime) -> AsyncApp:
    """A Bolt ``AsyncApp`` wired with every listener, talking to ``rt.settings.api_url``."""
    settings = rt.settings
    app = AsyncApp(
        name="claimbot",
        # The client carries the bot token; Bolt takes it from there.
        client=rt.slack,
        # Socket Mode requests come over an authenticated WebSocket and carry no signature.
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("claimbot.bolt"),
    )
    handlers.register_all(app, rt)
    return app
