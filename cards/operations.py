"""Notices to the admins about the deployment itself (a channel the bot cannot post in)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.i18n import Translator
from bot.notify.kinds import NoticeKind
from cards.blocks import section
from cards.registry import renders


@renders(NoticeKind.CHANNEL_UNUSABLE)
def channel_unusable_notice(payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """To each admin, once per channel and error: what is wrong and how to fix it."""
    channel = str(payload.get("channel") or "")
    error = str(payload.get("error") or "")
    fix = tr(
        "ops.channel_unusable.invite" if error != "is_archived" else "ops.channel_unusable.archived"
    )
    body = tr("ops.channel_unusable.body", channel=f"<#{channel}>", error=error, fix=fix)
    return body, [section(body)]
