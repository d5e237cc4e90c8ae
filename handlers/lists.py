"""``/claim mine``, ``/claim team`` (the team's claims), ``/claim search`` and ``/claim history``,
and their buttons (the page buttons, **History**).

Each list is sent through the response_url (not the acknowledgement) so that its buttons come
back with a response_url of their own: a page button replaces the list in place. Every click is
answered for the clicking user's own rights, whatever list it came from.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.ids import ListAction
from bot.lists import ListScope
from cards.history import history_card
from cards.lists import choice_reply, claims_page, parse_page, search_reply
from handlers import context as ctx
from handlers.claim_command import Invocation, subcommand
from handlers.followups import parse_ref, tell


@subcommand("mine", usage_key="help.usage.mine", about_key="help.about.mine", order=12)
async def claim_mine(invocation: Invocation) -> None:
    """``/claim mine``: the caller's claims, a page at a time."""
    await invocation.ack()
    page = await invocation.rt.lists.mine(invocation.workspace_id, invocation.user_id)
    text, blocks = claims_page(page, invocation.tr, invocation.rt.rules)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def team_claims(invocation: Invocation) -> None:
    """``/claim team`` alone: the claims held in the caller's teams (see handlers/admin.py)."""
    await invocation.ack()
    page = await invocation.rt.lists.team(invocation.workspace_id, invocation.user_id)
    text, blocks = claims_page(page, invocation.tr, invocation.rt.rules)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


@subcommand("search", usage_key="help.usage.search", about_key="help.about.search", order=14)
async def claim_search(invocation: Invocation) -> None:
    """``/claim search <text>``: customers like it, with details where the caller may see them."""
    result = await invocation.rt.lists.search(
        invocation.workspace_id, invocation.user_id, invocation.args
    )
    text, blocks = search_reply(result, invocation.tr, invocation.rt.rules)
    if not result.found:
        await invocation.reply(text, blocks)
        return
    await invocation.ack()
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


@subcommand("history", usage_key="help.usage.history", about_key="help.about.history", order=16)
async def claim_history(invocation: Invocation) -> None:
    """``/claim history <customer>``: its timeline, or the candidates when unclear."""
    tr = invocation.tr
    if not invocation.args.strip():
        await invocation.reply(tr("lists.history.usage"))
        return
    answer = await invocation.rt.history.find(
        invocation.workspace_id, invocation.user_id, invocation.args
    )
    await invocation.ack()
    if answer.history is not None:
        text, blocks = history_card(answer.history, tr, invocation.rt.rules)
    else:
        choice = answer.choice
        candidates = choice.candidates if choice is not None else ()
        if choice is not None and not choice.usable:
            text = tr("lists.history.usage")
            blocks = None
        else:
            text, blocks = choice_reply(
                invocation.args, candidates, tr, usage_key="lists.history.usage"
            )
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def on_page(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """**Next** / **Previous** on a list: that page, for the clicker, in place of this one."""
    req = ctx.request(context)
    await ack()
    rt = req.rt
    scope, number = parse_page(action.get("value"))
    workspace, user = req.workspace_id, req.user_id
    if scope is ListScope.TEAM:
        page = await rt.lists.team(workspace, user, number)
    else:
        page = await rt.lists.mine(workspace, user, number)
    text, blocks = claims_page(page, req.tr, rt.rules)
    await respond(text=text, blocks=blocks, replace_original=True)


async def on_history(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """**History** on a search match or a candidate: that customer's timeline."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    customer_id = parse_ref(action.get("value"))
    history = (
        await rt.history.of_customer(req.workspace_id, req.user_id, customer_id)
        if customer_id is not None
        else None
    )
    if history is None:
        await tell(respond, tr("pool.claim.not_found"))
        return
    text, blocks = history_card(history, tr, rt.rules)
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp) -> None:
    """Listen for the lists' buttons."""
    app.action(ListAction.NEXT.value)(on_page)
    app.action(ListAction.PREVIOUS.value)(on_page)
    app.action(ListAction.HISTORY.value)(on_history)
