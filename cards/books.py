"""A book handover: the preview with its confirmation, the answer, and the two summary DMs."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject

from bot.books import NAMED, Book
from bot.i18n import Translator
from bot.ids import BookAction
from bot.notify.kinds import NoticeKind
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.format import mention
from cards.registry import renders

Card = tuple[str, list[Block]]
# Button values are at most 2000 characters; the reason is cut to fit with the two user ids.
REASON_IN_BUTTON = 1500


def _names(names: list[str], count: int, tr: Translator) -> str:
    lines = [f"• {escape_mrkdwn(clip(n, 120))}" for n in names[:NAMED]]
    if count > len(lines):
        lines.append(tr("handover.more", count=count - len(lines)))
    return "\n".join(lines)


def refusal_text(book: Book, tr: Translator) -> str:
    assert book.refusal is not None
    return tr(
        f"handover.refused.{book.refusal.value}",
        source=mention(book.from_id),
        target=mention(book.to_id),
    )


def preview_message(book: Book, reason: str, tr: Translator) -> Card:
    """What a handover would move, with **Hand over** and **Cancel**."""
    if book.refusal is not None:
        text = refusal_text(book, tr)
        return text, [section(text)]
    text = tr(
        "handover.preview",
        count=len(book.entries),
        active=book.active,
        pending=book.pending,
        source=mention(book.from_id),
        target=mention(book.to_id),
    )
    value = json.dumps(
        {"from": book.from_id, "to": book.to_id, "reason": reason[:REASON_IN_BUTTON]},
        ensure_ascii=False,
    )
    buttons = ActionsBlock(
        elements=[
            ButtonElement(
                text=PlainTextObject(text=clip(tr("handover.confirm"), 75)),
                action_id=BookAction.CONFIRM.value,
                value=value,
                style="danger",
            ),
            ButtonElement(
                text=PlainTextObject(text=clip(tr("handover.cancel"), 75)),
                action_id=BookAction.CANCEL.value,
                value="cancel",
            ),
        ]
    )
    names = [e.customer_name for e in book.entries]
    return text, [
        section(text),
        section(_names(names, len(names), tr)),
        section(tr("transfer.notice.reason", reason=escape_mrkdwn(clip(reason, 1000)))),
        buttons,
    ]


def result_text(book: Book, tr: Translator) -> str:
    """What the manager reads once the book is handed over (or why not)."""
    if book.refusal is not None:
        return refusal_text(book, tr)
    text = tr(
        "handover.done",
        count=len(book.entries),
        source=mention(book.from_id),
        target=mention(book.to_id),
    )
    if book.cap and book.holding > book.cap:
        text += "\n" + tr(
            "transfer.over_cap", target=mention(book.to_id), count=book.holding, cap=book.cap
        )
    return text


def _summary(key: str, payload: dict[str, Any], tr: Translator) -> Card:
    count = int(payload.get("count") or 0)
    text = tr(
        key,
        actor=mention(payload.get("actor_id")),
        count=count,
        source=mention(payload.get("from_id")),
        target=mention(payload.get("to_id")),
    )
    names = [str(n) for n in payload.get("customers") or []]
    return text, [
        section(text),
        section(_names(names, count, tr)),
        section(
            tr(
                "transfer.notice.reason",
                reason=escape_mrkdwn(clip(str(payload.get("reason")), 1000)),
            )
        ),
        context(tr("handover.footer")),
    ]


@renders(NoticeKind.BOOK_HANDED_AWAY)
def handed_away_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep whose book was handed over."""
    return _summary("handover.notice.from", payload, tr)


@renders(NoticeKind.BOOK_HANDED_TO)
def handed_to_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To the rep who received the book."""
    return _summary("handover.notice.to", payload, tr)
