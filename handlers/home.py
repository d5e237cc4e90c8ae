"""The App Home: published on ``app_home_opened``; the period select, the pagers, **Refresh** and
**New claim** on it.

The approval and follow-up buttons on the Home are the very ones of the approval card and claim
messages, handled by their own listeners. A click on the Home has no response_url, so a middleware
gives those listeners a ``respond`` that shows their answer (why nothing changed, say) as a notice
on top of the refreshed Home, and marks the Home as live for the refresher.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.home.state import HomeState
from bot.ids import HomeAction, HomeSection
from bot.metrics.periods import parse_period
from bot.runtime import Runtime
from cards.claim_form import FormContext, new_claim_form
from handlers import context as ctx

log = logging.getLogger(__name__)


def _state(body: dict[str, Any]) -> HomeState:
    return HomeState.load((body.get("view") or {}).get("private_metadata"))


def from_home(body: dict[str, Any]) -> bool:
    """Whether a block action was clicked on someone's App Home."""
    view = body.get("view")
    return (
        body.get("type") == "block_actions"
        and (body.get("container") or {}).get("type") == "view"
        and isinstance(view, dict)
        and view.get("type") == "home"
    )


class HomeNotice:
    """``respond()`` for a click on the Home: the answer becomes a notice on top of it."""

    def __init__(self, rt: Runtime, client: AsyncWebClient, workspace_id: str, user_id: str):
        self.rt, self.client = rt, client
        self.workspace_id, self.user_id = workspace_id, user_id
        self.response_url = None

    async def __call__(self, text: str | dict[str, Any] = "", **_: Any) -> None:
        notice = text.get("text") if isinstance(text, dict) else text
        try:
            await self.rt.home.publisher.publish(
                self.workspace_id,
                self.user_id,
                notice=str(notice or "") or None,
                client=self.client,
            )
        except SlackApiError as exc:
            log.warning("home notice for %s not shown: %s", self.user_id, exc.response.get("error"))


async def on_home_opened(
    event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """The Home tab was opened: publish it afresh (the Messages tab needs nothing)."""
    req = ctx.request(context)
    if event.get("tab", "home") != "home":
        return
    rt, workspace, user = req.rt, req.workspace_id, req.user_id
    rt.home.refresher.touch(workspace, user)
    rt.home.publisher.forget_notice(workspace, user)
    state = HomeState.load((event.get("view") or {}).get("private_metadata"))
    await rt.home.publisher.publish(workspace, user, state=state, client=client)


async def on_period(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """A period chosen for the numbers."""
    await ack()
    period = parse_period(str((action.get("selected_option") or {}).get("value") or ""))
    state = _state(body)
    if period is not None:
        state = state.with_period(period)
    await _publish(context, client, state)


async def on_page(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Previous / Show more on one of the lists."""
    await ack()
    state = _state(body)
    section, _, offset = str(action.get("value") or "").partition(":")
    if section in {s.value for s in HomeSection} and offset.isdigit() and len(offset) < 7:
        state = state.paged(HomeSection(section), int(offset))
    await _publish(context, client, state)


async def on_refresh(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """**Refresh**."""
    await ack()
    await _publish(context, client, _state(body))


async def on_open_link(ack: AsyncAck) -> None:
    """**Open in Home** on a digest: Slack follows the link (and, for a deep link, may not send
    the click at all); a click that does arrive needs only an ack — the Home is published afresh
    when it opens."""
    await ack()


async def on_new_claim(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    """**New claim**: the claim form, as ``/claim`` opens it."""
    req = ctx.request(context)
    await ack()
    view = new_claim_form(req.tr, req.rt.rules, context=FormContext())
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def _publish(context: AsyncBoltContext, client: AsyncWebClient, state: HomeState) -> None:
    req = ctx.request(context)
    await req.rt.home.publisher.publish(req.workspace_id, req.user_id, state=state, client=client)


def register(app: AsyncApp) -> None:
    """Listen for the Home's event and elements; answer clicks on it through the Home."""

    async def clicks_on_home(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[None]],
    ) -> None:
        if from_home(body) and ctx.RUNTIME in context and context.user_id:
            req = ctx.request(context)
            rt, workspace = req.rt, req.workspace_id
            rt.home.refresher.touch(workspace, str(context.user_id))
            context["respond"] = HomeNotice(rt, context.client, workspace, str(context.user_id))
        await next()

    app.middleware(clicks_on_home)
    app.event("app_home_opened")(on_home_opened)
    app.action(HomeAction.PERIOD.value)(on_period)
    app.action(HomeAction.PAGE_NEXT.value)(on_page)
    app.action(HomeAction.PAGE_BACK.value)(on_page)
    app.action(HomeAction.REFRESH.value)(on_refresh)
    app.action(HomeAction.OPEN.value)(on_open_link)
    app.action(HomeAction.NEW_CLAIM.value)(on_new_claim)
