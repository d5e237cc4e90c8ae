"""``user_change``: a person changed their Slack profile (language, time zone); use it at once
rather than after the cached copy expires."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from handlers import context as ctx


async def on_user_change(event: dict[str, Any], context: AsyncBoltContext) -> None:
    req = ctx.request(context)
    user = event.get("user")
    if isinstance(user, dict):
        await req.rt.people.changed(req.workspace_id, user)


def register(app: AsyncApp) -> None:
    app.event("user_change")(on_user_change)
