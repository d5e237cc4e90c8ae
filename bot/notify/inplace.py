"""Update a card everywhere it was posted (every manager's DM, the approvals channel), each copy
in its recipient's language. The decision is already committed; a copy Slack would not update now
(a 5xx, a stall) goes into the outbox as a ``card_update`` row and is retried there until it lands,
so no card keeps live buttons for good. (A stale copy still answers correctly meanwhile, because
every click is checked against the store.)"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import Translator
from bot.people import PeopleDirectory
from bot.rules import Rules
from store import outbox, posted
from store.db import Database

log = logging.getLogger(__name__)

Render = Callable[[Translator], tuple[str, list[Block]]]

# The outbox kind of a card update that did not land at once (payload: channel, ts, text, blocks).
CARD_UPDATE = "card_update"

BLOCK_ID_MAX = 255  # Slack's limit on a block_id

# chat.update errors no retry will cure: the card is gone or can no longer be edited.
LOST_CARD_ERRORS = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


@dataclass(frozen=True, slots=True)
class Refreshed:
    """How many copies were updated now, and how many wait in the outbox to be retried."""

    updated: int = 0
    queued: int = 0


async def update_everywhere(
    db: Database,
    people: PeopleDirectory,
    rules: Rules,
    client: AsyncWebClient,
    workspace_id: str,
    *,
    subject: str,
    subject_id: int,
    render: Render,
    at: datetime,
) -> Refreshed:
    """Re-render every posted copy of the subject's card; a copy that fails is queued."""
    async with db.session() as session:
        copies = [
            (p.recipient, p.channel, p.ts)
            for p in await posted.find(session, workspace_id, subject, subject_id)
        ]
    updated = 0
    behind: list[dict[str, Any]] = []
    for recipient, channel, ts in copies:
        if recipient[:1] in ("U", "W"):
            lang = (await people.profile(workspace_id, recipient, client)).lang
        else:
            lang = rules.language
        text, rendered = render(Translator(lang))
        blocks = with_content_block_ids(rendered)
        try:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            updated += 1
            continue
        except SlackApiError as exc:
            error = str(_error(exc))
            if error in LOST_CARD_ERRORS:
                log.warning("%s %s card in %s is gone: %s", subject, subject_id, channel, error)
                continue
        except (ClientError, TimeoutError, OSError, SlackRequestError) as exc:
            error = f"{exc.__class__.__name__}: {exc}"
        log.warning(
            "could not update %s %s card in %s (%s): queued for retry",
            subject,
            subject_id,
            channel,
            error,
        )
        behind.append(card_update_row(recipient, channel, ts, text, blocks))
    if behind:
        async with db.session() as session:
            await outbox.enqueue_many(session, workspace_id, behind, at=at)
    return Refreshed(updated=updated, queued=len(behind))


def with_content_block_ids(blocks: list[Block]) -> list[Block]:
    """``blocks`` for updating a posted card in place: each block_id the card sets gets a suffix
    naming the block's content, so a block that changed gets a new block_id and one that did not
    keeps its own. Slack's clients match blocks across a message's versions by block_id and may
    keep a changed block's old state (a stale confirm dialog naming the old customer); Block
    Kit's reference: "If a message is updated, use a new block_id". Blocks without one get a
    fresh id from Slack anyway."""
    renewed: list[Block] = []
    for block in blocks:
        data = block.to_dict()
        base = data.pop("block_id", None)
        if base is None:
            renewed.append(block)
            continue
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]
        block_id = f"{base[: BLOCK_ID_MAX - len(digest) - 1]}#{digest}"
        renewed.append(Block.parse({**data, "block_id": block_id}) or block)
    return renewed


def card_update_row(
    recipient: str, channel: str, ts: str, text: str, blocks: list[Block]
) -> dict[str, Any]:
    """An outbox row that sets one posted card to ``text``/``blocks``."""
    payload = {
        "channel": channel,
        "ts": ts,
        "text": text,
        "blocks": [b.to_dict() if isinstance(b, Block) else b for b in blocks],
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]
    return {
        "dedupe_key": f"{CARD_UPDATE}:{channel}:{ts}:{digest}",
        "kind": CARD_UPDATE,
        "recipient": recipient,
        "payload": payload,
        "urgent": True,
    }


def _error(exc: SlackApiError) -> Any:
    return exc.response.get("error") if exc.response is not None else exc
