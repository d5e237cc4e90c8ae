"""The fake Slack refuses what Slack refuses: updates addressed to a user instead of the DM,
payloads past Slack's size limits, and input state kept across a changed card."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.fakeslack import FakeSlack


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test", retry_handlers=[])


async def test_a_dm_is_updated_and_deleted_by_its_channel_id_not_the_users(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="U0REP00001", text="v1")
    assert posted["channel"] == "D0REP00001"  # posting to a user lands in the DM

    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_update(channel="U0REP00001", ts=posted["ts"], text="v2")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_delete(channel="W0REP00001", ts=posted["ts"])
    assert len(fake_slack.take_violations()) == 2

    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="v2")
    await client.chat_delete(channel=posted["channel"], ts=posted["ts"])


def button(action_id: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": action_id}


TOO_BIG_MESSAGES: dict[str, tuple[dict[str, Any], str]] = {
    "51 blocks": (
        {"text": "t", "blocks": [section(str(i)) for i in range(51)]},
        "has 51 blocks (max 50)",
    ),
    "text of 40,001 characters": ({"text": "字" * 40_001}, "text exceeds 40000 characters"),
    "section text of 3,001 characters": (
        {"text": "t", "blocks": [section("x" * 3001)]},
        "text is 3001 characters (max 3000)",
    ),
    "block_id of 256 characters": (
        {"text": "t", "blocks": [section("x", block_id="b" * 256)]},
        "block_id is 256 characters (max 255)",
    ),
    "action_id of 256 characters": (
        {"text": "t", "blocks": [{"type": "actions", "elements": [button("a" * 256)]}]},
        "action_id is 256 characters (max 255)",
    ),
}


@pytest.mark.parametrize(("message", "expected"), TOO_BIG_MESSAGES.values(), ids=TOO_BIG_MESSAGES)
async def test_messages_past_slacks_size_limits_are_refused(
    fake_slack: FakeSlack, client: AsyncWebClient, message: dict[str, Any], expected: str
) -> None:
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", **message)
    violations = fake_slack.take_violations()
    assert any(expected in v for v in violations), violations


async def test_messages_at_slacks_size_limits_are_taken(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="字" * 40_000)
    await client.chat_postMessage(
        channel="C1",
        text="t",
        blocks=[
            section("x" * 3000, block_id="b" * 255),
            {"type": "actions", "elements": [button("a" * 255)]},
            *(section(str(i)) for i in range(48)),
        ],
    )


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    title = {"type": "plain_text", "text": "报备客户"}
    return {"type": "modal", "title": title, "blocks": blocks, **extra}


async def test_views_past_slacks_size_limits_are_refused(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    at_limit = modal([section(str(i)) for i in range(100)], private_metadata="m" * 3000)
    await client.views_open(trigger_id=fake_slack.trigger_id(), view=at_limit)
    await client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [section(str(i)) for i in range(100)]}
    )

    with pytest.raises(SlackApiError):
        await client.views_open(
            trigger_id=fake_slack.trigger_id(), view=modal([section("x")] * 101)
        )
    with pytest.raises(SlackApiError):
        await client.views_publish(
            user_id="U1", view={"type": "home", "blocks": [section(str(i)) for i in range(101)]}
        )
    with pytest.raises(SlackApiError):
        await client.views_open(
            trigger_id=fake_slack.trigger_id(),
            view=modal([section("x")], private_metadata="m" * 3001),
        )
    violations = fake_slack.take_violations()
    assert sum("101 blocks (max 100)" in v for v in violations) == 2, violations
    assert any("private_metadata exceeds 3000 characters" in v for v in violations), violations


async def test_an_update_that_changes_a_block_under_the_same_block_id_is_flagged(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    def card(value: str, block_id: str = "approval_actions") -> list[dict[str, Any]]:
        go = {**button("approve"), "value": value}
        return [
            section(f"v{value}", block_id="status"),
            {"type": "actions", "block_id": block_id, "elements": [go]},
        ]

    posted = await client.chat_postMessage(channel="C1", text="t", blocks=card("1"))
    ts = posted["ts"]
    # The text block changed (no state to keep), the buttons did not: nothing to flag.
    await client.chat_update(channel="C1", ts=ts, text="t", blocks=card("1"))
    assert fake_slack.take_violations() == []

    await client.chat_update(channel="C1", ts=ts, text="t", blocks=card("2"))
    [flagged] = fake_slack.take_violations()
    assert "block_id 'approval_actions' kept for an actions/input block" in flagged

    await client.chat_update(channel="C1", ts=ts, text="t", blocks=card("3", "approval_actions#3"))
    assert fake_slack.take_violations() == []
