"""Answering a form submission inside Slack's 3 seconds, whatever the database does.

Every modal's submission goes the same way: field checks (no database) answer at once with
``response_action="errors"``; the work that needs the database starts at once, and the
acknowledgement waits for it only up to :data:`ACK_BUDGET_SECONDS`. Done by then, the answer
is the outcome itself (a field error, the next view, or closing the modal). Not done, the modal
turns into a "working…" view in time, and the outcome follows through ``views.update`` — or,
if the user closed the modal meanwhile, by DM. Nobody is left with silence or Slack's own
"We had some trouble connecting".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import ClientError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from handlers import context as ctx
from store.db import SILENCE_SECONDS, DatabaseUnavailable, answer_within, seconds_left

log = logging.getLogger(__name__)

# Seconds a submission's work may take before the modal says "working…" instead (Slack allows 3
# for the whole round trip, and the answer still has to travel back).
ACK_BUDGET_SECONDS = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """How the outcome of a submission is shown.

    ``text`` says it in a sentence: the DM when the modal is gone, and the modal's text when
    the outcome comes too late to close it or to put errors on its fields. ``view`` is the
    modal's next view (``None``: close it). ``errors`` puts messages on fields instead, and only
    while the answer is still the acknowledgement. ``blocks`` dress the DM, if given.
    """

    text: str
    view: View | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    blocks: Sequence[Block] = ()


async def answer_in_time(
    ack: AsyncAck,
    context: AsyncBoltContext,
    client: AsyncWebClient,
    submitted: Mapping[str, object],
    work: Awaitable[T],
    answer: Callable[[T], Answer],
    notice: Callable[[str], View],
    *,
    working: View | None = None,
) -> T:
    """Run ``work`` and show its outcome (``answer``) in the submitted modal, acknowledging
    within :data:`ACK_BUDGET_SECONDS` either way; return the work's result for what follows
    (cards to refresh, the outbox to kick).

    ``notice`` turns a sentence into a view of the modal's kind; ``working`` is the view while
    the work goes on (by default ``notice`` of "working…").
    """
    req = ctx.request(context)
    rt, tr = req.rt, req.tr
    # The work may outlive the request's database budget: a busy database gets the "working"
    # modal below, and the outcome when it comes.
    with answer_within(None):
        task = asyncio.ensure_future(work)
    # Counted from the request's start: the look-ups before the work spent the budget too.
    budget = min(ACK_BUDGET_SECONDS, seconds_left(ACK_BUDGET_SECONDS))
    try:
        result = await asyncio.wait_for(asyncio.shield(task), timeout=budget)
    except TimeoutError:
        if not rt.db.answered_within(SILENCE_SECONDS):
            # The database has said nothing to anyone for a while: it hangs, it is not busy.
            # Cancelled before its COMMIT, the work rolls back; the user is told to try again.
            task.cancel()
            raise DatabaseUnavailable("no answer from the database within the ack budget") from None
        await ack(response_action="update", view=working or notice(tr("submission.working")))
        result = await task
        await show_late(client, str(submitted["id"]), answer(result), notice, req.user_id)
        return result
    shown = answer(result)
    if shown.errors:
        await ack(response_action="errors", errors=dict(shown.errors))
    elif shown.view is not None:
        await ack(response_action="update", view=shown.view)
    else:
        await ack()
    return result


async def show_late(
    client: AsyncWebClient,
    view_id: str,
    shown: Answer,
    notice: Callable[[str], View],
    user_id: str,
) -> None:
    """Turn the waiting modal into the outcome; if the user closed it, tell them by DM."""
    try:
        await client.views_update(view_id=view_id, view=shown.view or notice(shown.text))
    except (SlackApiError, ClientError, OSError, TimeoutError) as exc:
        log.info("modal %s gone before its outcome (%s); sending it by DM", view_id, exc)
        await client.chat_postMessage(
            channel=user_id, text=shown.text, blocks=list(shown.blocks) or None
        )
