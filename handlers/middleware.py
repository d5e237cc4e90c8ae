"""Global middleware: hand every listener the runtime and the acting user's profile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.runtime import Runtime
from handlers.context import PROFILE, RUNTIME

# Events Slack sends from a workspace that has just removed the app.
REMOVAL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


def register(app: AsyncApp, rt: Runtime) -> None:
    """Install the middleware on ``app``."""

    async def attach_runtime(
        context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        context[RUNTIME] = rt
        workspace = context.team_id or context.enterprise_id
        if workspace and (body.get("event") or {}).get("type") not in REMOVAL_EVENTS:
            rt.clients.heard_from(str(workspace))
        if context.user_id and workspace:
            context[PROFILE] = await rt.people.profile(
                str(workspace), str(context.user_id), context.client
            )
        await next()

    app.middleware(attach_runtime)
