"""What the fake Slack lets expire like Slack: trigger_ids after 3 s, response_urls after 30 min."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.fakeslack import FakeSlack
from bot.fakeslack.clock import ManualClock

MODAL = {
    "type": "modal",
    "callback_id": "claim_form",
    "title": {"type": "plain_text", "text": "报备客户"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
}


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test", retry_handlers=[])


@pytest.fixture
def clock(fake_slack: FakeSlack) -> ManualClock:
    assert isinstance(fake_slack.clock, ManualClock)
    return fake_slack.clock


async def test_a_trigger_id_opens_a_modal_within_three_seconds(
    fake_slack: FakeSlack, client: AsyncWebClient, clock: ManualClock
) -> None:
    in_time, late = fake_slack.trigger_id(), fake_slack.trigger_id()
    clock.advance(2.9)
    await client.views_open(trigger_id=in_time, view=MODAL)
    clock.advance(0.2)

    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        await client.views_open(trigger_id=late, view=MODAL)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        await client.views_push(trigger_id=late, view=MODAL)
    assert fake_slack.take_violations() == []  # a slow network is not the app's mistake


async def test_a_trigger_id_is_exchanged_once_for_open_or_push(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    trigger_id = fake_slack.trigger_id()
    await client.views_open(trigger_id=trigger_id, view=MODAL)

    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_push(trigger_id=trigger_id, view=MODAL)


async def test_a_refused_view_does_not_use_up_its_trigger_id(
    fake_slack: FakeSlack, client: AsyncWebClient
) -> None:
    trigger_id = fake_slack.trigger_id()
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(trigger_id=trigger_id, view={**MODAL, "title": None})
    fake_slack.take_violations()

    assert (await client.views_open(trigger_id=trigger_id, view=MODAL))["ok"]


async def test_a_response_url_expires_after_thirty_minutes(
    fake_slack: FakeSlack, clock: ManualClock
) -> None:
    early, late = fake_slack.response_url("early"), fake_slack.response_url("late")
    clock.advance(29 * 60)
    assert (await AsyncWebhookClient(early).send(text="in time")).status_code == 200
    clock.advance(2 * 60)

    answer = await AsyncWebhookClient(late).send(text="too late")

    assert (answer.status_code, answer.body) == (404, '{"ok": false, "error": "expired_url"}')
    assert [r.name for r in fake_slack.responses if r.delivered] == ["early"]
    assert fake_slack.take_violations() == []  # a kept URL expiring is the world, not a bug
