"""The public pool: ``/claim pool`` (paged), and **Claim** — from the list or from the pool
channel's announcement. Claiming goes through the claim service, like any claim."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.claims.verdict import Outcome
from bot.ids import LifecycleAction
from bot.lifecycle import notices
from bot.lifecycle.pool import PoolClaim, PoolOutcome
from bot.lifecycle.pool_digest import DIGEST_SUBJECT
from cards.pool import page_of, pool_claim_reply, pool_digest, pool_list, pool_taken
from handlers import context as ctx
from handlers.claim_command import Invocation, subcommand
from handlers.followups import parse_ref

log = logging.getLogger(__name__)


@subcommand("pool", usage_key="help.usage.pool", about_key="help.about.pool", order=40)
async def claim_pool(invocation: Invocation) -> None:
    """``/claim pool``: the first page, ephemerally (through the response_url, so that its
    buttons come back with one of their own to turn the page in place)."""
    await invocation.ack()
    page = await invocation.rt.lifecycle.pool.page(invocation.workspace_id, 0)
    text, blocks = pool_list(invocation.tr, invocation.rt.rules, page)
    await invocation.respond(text=text, blocks=blocks, response_type="ephemeral")


async def on_page(
    ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    """**Next** / **Previous**: the other page in place of this one."""
    req = ctx.request(context)
    await ack()
    rt = req.rt
    page = await rt.lifecycle.pool.page(req.workspace_id, page_of(action.get("value")))
    text, blocks = pool_list(req.tr, rt.rules, page)
    await respond(text=text, blocks=blocks, replace_original=True)


async def on_claim(
    ack: AsyncAck,
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """**Claim**: file a claim on the pooled customer; tell the clicker the verdict, and turn
    the channel's announcement — or its row in a digest — into "claimed by …" once someone has
    it."""
    req = ctx.request(context)
    await ack()
    rt, tr = req.rt, req.tr
    workspace_id = req.workspace_id
    customer_id = parse_ref(action.get("value"))
    if customer_id is None:
        result = PoolClaim(PoolOutcome.NOT_FOUND)
    else:
        filer = await rt.directory.filer(workspace_id, req.profile)
        result = await rt.lifecycle.pool.claim(workspace_id, filer, customer_id)
    text, blocks = pool_claim_reply(result, tr)
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    rt.outbox.kick()
    verdict = result.verdict
    holder = None
    if verdict is not None and verdict.outcome in (Outcome.CLAIMED, Outcome.PENDING):
        holder = req.user_id
    elif result.outcome is PoolOutcome.TAKEN:
        holder = result.holder_id
    if holder is not None and customer_id is not None:
        name = result.customer_name
        await rt.update_cards(
            client,
            workspace_id,
            subject=notices.POOL_SUBJECT,
            subject_id=customer_id,
            render=lambda tr: pool_taken(name, holder, tr),
        )
        # The sweep's digests listing the customer: their row shows who has it now.
        for digest in await rt.lifecycle.pool.digests_listing(workspace_id, customer_id):
            await rt.update_cards(
                client,
                workspace_id,
                subject=DIGEST_SUBJECT,
                subject_id=digest.subject_id,
                render=partial(pool_digest, digest.payload),
            )


def register(app: AsyncApp) -> None:
    """Listen for the pool's buttons."""
    app.action(LifecycleAction.POOL_NEXT.value)(on_page)
    app.action(LifecycleAction.POOL_PREVIOUS.value)(on_page)
    app.action(LifecycleAction.CLAIM_FROM_POOL.value)(on_claim)
