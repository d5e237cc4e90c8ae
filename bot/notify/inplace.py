"""Update a card everywhere it was posted (every manager's DM, the approvals channel), each copy
in its recipient's language. Best effort: the decision is already committed, and a copy left
stale still answers correctly, because every click is checked against the store."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import Translator
from bot.people import PeopleDirectory
from bot.rules import Rules
from store import posted
from store.db import Database

log = logging.getLogger(__name__)

Render = Callable[[Translator], tuple[str, list[Block]]]


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
) -> int:
    """Re-render every posted copy of the subject's card; returns how many were updated."""
    async with db.session() as session:
        copies = [
            (p.recipient, p.channel, p.ts)
            for p in await posted.find(session, workspace_id, subject, subject_id)
        ]
    updated = 0
    for recipient, channel, ts in copies:
        if recipient[:1] in ("U", "W"):
            lang = (await people.profile(workspace_id, recipient, client)).lang
        else:
            lang = rules.language
        text, blocks = render(Translator(lang))
        try:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            updated += 1
        except SlackApiError as exc:
            log.warning(
                "could not update %s %s card in %s: %s", subject, subject_id, channel, _error(exc)
            )
    return updated


def _error(exc: SlackApiError) -> Any:
    return exc.response.get("error") if exc.response is not None else exc
