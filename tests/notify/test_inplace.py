"""Cards updated in place: a changed block gets a new block_id, an unchanged one keeps its own."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    SectionBlock,
)

from bot.notify.inplace import with_content_block_ids


def buttons(value: str, block_id: str = "approval_actions") -> ActionsBlock:
    return ActionsBlock(
        block_id=block_id, elements=[ButtonElement(text="Approve", action_id="a", value=value)]
    )


def block_ids(blocks: list[Block]) -> list[str | None]:
    return [b.block_id for b in blocks]


def test_a_changed_block_gets_a_new_block_id_and_an_unchanged_one_keeps_its_own() -> None:
    first = with_content_block_ids([SectionBlock(text="v1"), buttons("1")])
    same = with_content_block_ids([SectionBlock(text="v2"), buttons("1")])
    changed = with_content_block_ids([SectionBlock(text="v2"), buttons("2")])

    assert block_ids(first)[1] == block_ids(same)[1] != block_ids(changed)[1]
    assert str(block_ids(first)[1]).startswith("approval_actions#")
    assert block_ids(first)[0] is None  # Slack gives those a fresh id on every update


def test_the_suffix_keeps_a_long_block_id_within_slacks_255_characters() -> None:
    [renewed, divider] = with_content_block_ids([buttons("1", block_id="x" * 255), DividerBlock()])

    assert len(str(renewed.block_id)) == 255 and renewed.to_dict()["elements"][0]["value"] == "1"
    assert divider.to_dict() == {"type": "divider"}
