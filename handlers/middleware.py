"""Global middleware: hand every listener the runtime and the acting user's profile, and give
the request its time budget and an acknowledgement that stands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.inbound import scrub
from bot.runtime import Runtime
from handlers.context import PROFILE, RUNTIME
from handlers.respond import LastingRespond
from store.db import set_deadline

# Seconds the database may take, in total (queueing for the workspace's lock included), before
# a request is acknowledged: Slack gives the whole answer 3 s and the apology needs the rest.
REQUEST_DATABASE_BUDGET_SECONDS = 2.0


class StandingAck(AsyncAck):
    """An acknowledgement that, once given, is the HTTP answer whatever happens next.

    Bolt's runner, when a listener raises after ``ack()``, resets ``ack.response`` to ``None``
    before calling the error handler; if that happens within its 10 ms polling interval, it
    never sees the ack, waits out its 3 s timeout and answers 404 "unhandled request", and Slack
    shows its own error beside ours. Refusing to unset the response closes that window.
    """

    _given: BoltResponse | None = None

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._given

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and self._given is not None:
            return  # the acknowledgement stands
        self._given = value

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        # Acknowledged: what follows runs on its own time, under the statement timeouts.
        set_deadline(None)
        return await super().__call__(*args, **kwargs)


# Events Slack sends from a workspace that has just removed the app.
REMOVAL_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


def register(app: AsyncApp, rt: Runtime) -> None:
    """Install the middleware on ``app``."""

    async def attach_runtime(
        context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        set_deadline(REQUEST_DATABASE_BUDGET_SECONDS)
        if not isinstance(context.get("ack"), StandingAck):
            context["ack"] = StandingAck()
        context[RUNTIME] = rt
        workspace = context.team_id or context.enterprise_id
        if workspace and (body.get("event") or {}).get("type") not in REMOVAL_EVENTS:
            rt.clients.heard_from(str(workspace))
        if context.user_id and workspace:
            context[PROFILE] = await rt.people.profile(
                str(workspace), str(context.user_id), context.client
            )
        if context.response_url and context.user_id:
            context["respond"] = LastingRespond(
                response_url=context.response_url,
                client=context.client,
                user_id=str(context.user_id),
                channel_id=context.channel_id,
            )
        await next()

    async def scrub_input(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        # Every input at once (button values, metadata, command text, admin commands), before
        # any listener can store or audit it.
        scrub(body)
        await next()

    app.middleware(scrub_input)
    app.middleware(attach_runtime)
