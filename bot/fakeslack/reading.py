"""Reading what the app showed, as a person (or a test) would: the text of a message, view or
response, the buttons on it, and a card's blocks as the message Slack would store."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block

from bot.fakeslack.records import Message

Shown = Message | Mapping[str, Any]


def _blocks(shown: Shown) -> list[Any]:
    return shown.blocks if isinstance(shown, Message) else list(shown.get("blocks") or [])


def text_of(shown: Shown) -> str:
    """Everything a person reads on a message, view or response: its blocks (as JSON, so button
    ids and values can be searched too), then its fallback text."""
    text = shown.text if isinstance(shown, Message) else shown.get("text")
    blocks = json.dumps(_blocks(shown), ensure_ascii=False)
    return f"{blocks}\n{text}" if text else blocks


def action_ids(shown: Shown) -> list[str]:
    """The action ids of every element in the actions blocks, in order."""
    return [
        element["action_id"]
        for block in _blocks(shown)
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


def as_message(text: str, blocks: Sequence[Block], channel: str = "D1") -> dict[str, Any]:
    """A card's text and blocks as the chat.postMessage arguments that would carry them."""
    return {"channel": channel, "text": text, "blocks": [b.to_dict() for b in blocks]}
