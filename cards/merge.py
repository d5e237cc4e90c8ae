"""A customer merge: the preview with its confirmation, the answer, and the notice to the reps
and managers when both records were held."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject

from bot.i18n import Translator
from bot.ids import MergeAction
from bot.merge import Merge
from bot.notify.kinds import NoticeKind
from cards.blocks import clip, context, escape_mrkdwn, section
from cards.disputes import dispute_button
from cards.format import mention
from cards.registry import renders

Card = tuple[str, list[Block]]


def _name(text: object) -> str:
    return escape_mrkdwn(clip(str(text or ""), 120))


def _holders(merge: Merge, tr: Translator) -> str:
    if merge.ended_id and merge.keeper_id:
        return tr("merge.both_held", keeper=mention(merge.keeper_id), ended=mention(merge.ended_id))
    if merge.keeper_id:
        return tr("merge.one_held", keeper=mention(merge.keeper_id))
    return tr("merge.none_held")


def merge_text(merge: Merge, tr: Translator) -> str:
    """The preview's words, what was done, or why not."""
    if merge.refusal is not None:
        return tr(f"merge.refused.{merge.refusal.value}")
    key = "merge.done" if merge.done else "merge.preview"
    text = tr(
        key,
        survivor=_name(merge.survivor_name),
        duplicate=_name(merge.duplicate_name),
        claims=merge.claims,
    )
    return text + "\n" + _holders(merge, tr)


def preview_message(merge: Merge, tr: Translator) -> Card:
    """The preview, with **Merge** and **Cancel** when it may be done."""
    text = merge_text(merge, tr)
    if not merge.ok:
        return text, [section(text)]
    value = json.dumps({"survivor": merge.survivor_id, "duplicate": merge.duplicate_id})
    return text, [
        section(text),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=PlainTextObject(text=clip(tr("merge.confirm"), 75)),
                    action_id=MergeAction.CONFIRM.value,
                    value=value,
                    style="danger",
                ),
                ButtonElement(
                    text=PlainTextObject(text=clip(tr("handover.cancel"), 75)),
                    action_id=MergeAction.CANCEL.value,
                    value="cancel",
                ),
            ]
        ),
    ]


@renders(NoticeKind.CUSTOMERS_MERGED)
def merged_notice(payload: dict[str, Any], tr: Translator) -> Card:
    """To both reps and their managers: the earlier claim keeps the merged customer."""
    text = tr(
        "merge.notice",
        survivor=_name(payload.get("customer_name")),
        duplicate=_name(payload.get("merged_name")),
        keeper=mention(payload.get("keeper_id")),
        ended=mention(payload.get("ended_id")),
    )
    blocks: list[Block] = [section(text)]
    collision_id = payload.get("collision_id")
    if payload.get("disputable") and isinstance(collision_id, int):
        blocks.append(section(tr("merge.notice.dispute")))
        blocks.append(dispute_button(tr, collision_id))
    blocks.append(context(tr("verdict.reference", claim_id=payload.get("claim_id"))))
    return text, blocks
