"""Build the Bolt app from a :class:`Runtime` (a factory: there is no module-global app)."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import (
    warning_client_prioritized_and_token_skipped,
    warning_token_skipped,
)

import handlers
from bot.i18n import t
from bot.oauth import oauth_settings
from bot.runtime import Runtime


def build_app(rt: Runtime) -> AsyncApp:
    """A Bolt ``AsyncApp`` wired with every listener, talking to ``rt.settings.api_url``."""
    settings = rt.settings
    oauth = None
    if rt.installations is not None:
        # Several workspaces: Bolt finds each request's bot token in the installation store.
        oauth = oauth_settings(settings, rt.db, rt.installations)
    app = AsyncApp(
        name="claimbot",
        # Single workspace: the client carries the bot token; Bolt takes it from there.
        client=rt.slack,
        oauth_settings=oauth,
        # Without an installation there is no token to look up the user's language: say it in both.
        user_facing_authorize_error_message=f"{t('error.not_installed', 'en')}\n"
        f"{t('error.not_installed', 'zh')}",
        # Bolt would check each signature a second time: the HTTP server checks it on the raw
        # bytes before Bolt sees the request (bot/inbound.py), and Socket Mode requests come over
        # an authenticated WebSocket and carry none.
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        logger=bolt_logger(),
    )
    handlers.register_all(app, rt)
    return app


class _OurChoices(logging.Filter):
    """Drops Bolt's warnings about choices we make on purpose: Bolt also reads SLACK_BOT_TOKEN
    from the environment, so giving it our client (or an installation store) always "skips" it."""

    SILENCED = frozenset({warning_client_prioritized_and_token_skipped(), warning_token_skipped()})

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.SILENCED


def bolt_logger() -> logging.Logger:
    """Bolt's logger, without the warnings that are not the operator's to fix."""
    logger = logging.getLogger("claimbot.bolt")
    if not any(isinstance(f, _OurChoices) for f in logger.filters):
        logger.addFilter(_OurChoices())
    return logger
