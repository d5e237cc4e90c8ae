"""Did a notice whose send was cut short land after all?

A ``chat.postMessage`` that stalls past our timeout may still be completed by Slack. Sending again
blindly gives the reader the notice twice. So every notice carries Slack message ``metadata``
naming its outbox row, and before resending a row whose last try ended without an answer (a
timeout, a dropped connection), the worker reads the recipient's DM (``conversations.history``,
scope ``im:history``) for a message with that row's id. Channels are not checked (that would need
``channels:history``/``groups:history`` for every channel the bot posts to): a repeat there
stays possible, as the README's operations section says.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ServerDisconnectedError
from slack_sdk.web.async_client import AsyncWebClient

EVENT_TYPE = "claimbot_outbox"
# How ``last_error`` starts when a send ended without an answer, so it may have landed.
UNCERTAIN = "unanswered: "
# How many of the DM's newest messages are read: the ones sent since the cut-short try.
HISTORY_LIMIT = 100


def metadata(outbox_id: int) -> dict[str, Any]:
    """The message metadata that names the outbox row a message was sent for."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}


def unanswered(exc: BaseException) -> bool:
    """Whether the request may have reached Slack although we got no answer."""
    return isinstance(exc, (TimeoutError, ServerDisconnectedError))


def checkable(recipient: str) -> bool:
    """Whether the worker can look for a landed copy: DMs only (``im:history``)."""
    return recipient[:1] in ("U", "W", "D")


async def find_landed(
    client: AsyncWebClient, recipient: str, outbox_id: int
) -> tuple[str, str] | None:
    """The (channel, ts) of the message sent for ``outbox_id`` in the recipient's DM, if any.
    Slack's errors propagate (the caller decides whether to send anyway)."""
    if recipient[:1] == "D":
        channel = recipient
    else:
        opened = await client.conversations_open(users=recipient)
        channel = str(opened["channel"]["id"])
    reply = await client.conversations_history(
        channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
    )
    for message in reply.get("messages") or []:
        meta = message.get("metadata") or {}
        payload = meta.get("event_payload") or {}
        if meta.get("event_type") == EVENT_TYPE and payload.get("outbox_id") == outbox_id:
            return channel, str(message["ts"])
    return None
