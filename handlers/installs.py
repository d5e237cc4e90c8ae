"""``app_uninstalled`` and ``tokens_revoked``: the workspace removed Claimbot (or its bot token).

Slack retries an event that gets no 200, so both are answered; the installation is forgotten,
background sends to the workspace stop, and the removal is audited. A reinstall works as a
first install: the next request from the workspace resumes sending (see handlers/middleware.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.installs import remove_installation
from handlers import context as ctx


async def on_app_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    req = ctx.request(context)
    await remove_installation(req.rt, str(body.get("team_id")), "app_uninstalled")


async def on_tokens_revoked(
    event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
) -> None:
    req = ctx.request(context)
    # User tokens (``oauth``) are none of ours; only a revoked bot token stops the bot.
    if (event.get("tokens") or {}).get("bot"):
        await remove_installation(req.rt, str(body.get("team_id")), "tokens_revoked")


def register(app: AsyncApp) -> None:
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
