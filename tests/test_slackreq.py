"""SlackRequester: real signatures, payloads shaped key for key like Slack's, fill_view."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.fakeslack import FakeSlack, payloads, validate_ack_body, validate_view
from bot.fakeslack.payloads import CONTEXT_ONLY_KEYS
from bot.fakeslack.slackreq import SlackRequester, SlackResult, fill_view, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SAMPLES = Path(__file__).parent / "data" / "slack" / "samples" / "payloads"
GRID_KEYS = {"enterprise_id", "enterprise_name"}
WORKFLOW_KEYS = CONTEXT_ONLY_KEYS["workflow"]


@dataclass
class Echo:
    """A tiny app stand-in that records what it receives and answers 200 JSON."""

    url: str
    received: list[web.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@pytest_asyncio.fixture
async def echo() -> AsyncIterator[Echo]:
    app = web.Application()
    runner = web.AppRunner(app, access_log=None)
    holder: list[Echo] = []

    async def handle(request: web.Request) -> web.Response:
        holder[0].received.append(request)
        holder[0].bodies.append(await request.read())
        return web.json_response({"echoed": True}, headers={"X-Echo": "yes"})

    app.router.add_post("/slack/events", handle)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    holder.append(Echo(f"http://127.0.0.1:{runner.addresses[0][1]}"))
    yield holder[0]
    await runner.cleanup()


@pytest.fixture
def slack(echo: Echo, fake_slack: FakeSlack) -> SlackRequester:
    fake_slack.add_user("U1", name="wang.fang")
    return SlackRequester(echo.url, SECRET, fake=fake_slack, channel_names={"C1": "sales"})


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return data


def keys(node: Any) -> set[str]:
    return set(node[0] if isinstance(node, list) else node)


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": pt(value.upper()), "value": value}


# -- signatures --------------------------------------------------------------------------------


async def every_kind_of_request(slack: SlackRequester, fake: FakeSlack) -> list[SlackResult]:
    view = await open_claim_form(fake)
    return [
        await slack.command("字节跳动", user="U1"),
        await slack.shortcut("claim_new", user="U1"),
        await slack.block_action("customer_type", user="U1", view=view, value="company"),
        await slack.view_submission(view, {"customer_name": "字节跳动"}, user="U1"),
        await slack.view_closed(view, user="U1"),
        await slack.event({"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1"}),
        await slack.app_home_opened("U1"),
        await slack.url_verification("challenge-token"),
    ]


async def test_every_request_is_signed_the_way_slack_signs(
    slack: SlackRequester, echo: Echo, fake_slack: FakeSlack
) -> None:
    results = await every_kind_of_request(slack, fake_slack)

    verifier = SignatureVerifier(SECRET)
    for request, body, result in zip(echo.received, echo.bodies, results, strict=True):
        assert result.status == 200 and result.json() == {"echoed": True}
        assert verifier.is_valid_request(body, dict(request.headers))
        timestamp = request.headers["X-Slack-Request-Timestamp"]
        assert abs(int(timestamp) - time.time()) < 60
        assert request.headers["X-Slack-Signature"] == sign(SECRET, timestamp, body)
    content_types = [r.content_type for r in echo.received]
    assert content_types == ["application/x-www-form-urlencoded"] * 5 + ["application/json"] * 3


async def test_forged_requests_do_not_verify(slack: SlackRequester, echo: Echo) -> None:
    stale = int(time.time()) - 600
    await slack.command("x", user="U1", sign_with="not-the-secret")
    await slack.command("x", user="U1", signature="v0=" + "0" * 64)
    await slack.command("x", user="U1", timestamp=stale)

    verifier = SignatureVerifier(SECRET)
    verdicts = [
        verifier.is_valid_request(b, dict(r.headers))
        for r, b in zip(echo.received, echo.bodies, strict=True)
    ]
    assert verdicts == [False, False, False]

    class Then(Clock):
        def now(self) -> float:
            return float(stale)

    # The stale one is only stale: signed correctly for its own timestamp.
    assert SignatureVerifier(SECRET, Then()).is_valid_request(
        echo.bodies[2], dict(echo.received[2].headers)
    )


async def test_extra_headers_and_event_retries(slack: SlackRequester, echo: Echo) -> None:
    await slack.command("x", user="U1", headers={"X-Extra": "1"})
    await slack.event({"type": "app_mention", "user": "U1", "text": "hi"}, retry_num=2)

    assert echo.received[0].headers["X-Extra"] == "1"
    assert echo.received[1].headers["X-Slack-Retry-Num"] == "2"
    assert echo.received[1].headers["X-Slack-Retry-Reason"] == "http_timeout"


async def test_raw_post_signs_whatever_it_is_given(slack: SlackRequester, echo: Echo) -> None:
    result = await slack.post(b"ssl_check=1&token=x", "application/x-www-form-urlencoded")

    assert result.status == 200 and result.headers["x-echo"] == "yes"
    assert SignatureVerifier(SECRET).is_valid_request(
        echo.bodies[0], dict(echo.received[0].headers)
    )


# -- payload shapes ----------------------------------------------------------------------------

CLAIM_FORM = {
    "type": "modal",
    "callback_id": "claim_form",
    "private_metadata": '{"channel": "C1"}',
    "notify_on_close": True,
    "title": pt("报备客户"),
    "submit": pt("提交"),
    "blocks": [
        {
            "type": "input",
            "block_id": "customer",
            "label": pt("客户名称"),
            "element": {"type": "plain_text_input", "action_id": "customer_name"},
        },
        {
            "type": "actions",
            "block_id": "kind",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "customer_type",
                    "placeholder": pt("类型"),
                    "options": [option("company"), option("person")],
                }
            ],
        },
    ],
}


async def open_claim_form(fake: FakeSlack) -> dict[str, Any]:
    client = AsyncWebClient(base_url=fake.api_url, token="xoxb-test")
    await client.views_open(trigger_id="t-open", view=CLAIM_FORM)
    return fake.latest_view("claim_form")


async def test_slash_commands_have_the_sample_keys(echo: Echo, fake_slack: FakeSlack) -> None:
    plain = SlackRequester(echo.url, SECRET, fake=fake_slack)
    grid = SlackRequester(echo.url, SECRET, fake=fake_slack, enterprise_id="E1")

    await plain.command("字节跳动 北京", user="U1")
    await grid.command("x", user="U1")

    plain_fields, grid_fields = (dict(parse_qsl(b.decode())) for b in echo.bodies)
    assert set(grid_fields) == set(sample("SlashCommandPayload"))
    assert set(plain_fields) == set(sample("SlashCommandPayload")) - GRID_KEYS
    assert plain_fields["text"] == "字节跳动 北京" and plain_fields["command"] == "/claim"
    assert plain_fields["response_url"].startswith(fake_slack.base_url + "/commands/")


async def test_global_and_message_shortcuts_have_the_sample_keys(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test")
    await client.chat_postMessage(channel="C1", text="客户：字节跳动")
    [message] = fake_slack.messages_to("C1")

    shortcut = (await slack.shortcut("claim_new", user="U1")).sent
    message_shortcut = (await slack.message_shortcut("claim_this", user="U1", message=message)).sent

    expected = sample("MessageShortcutPayload")
    assert set(message_shortcut) == set(expected)
    assert set(message_shortcut["user"]) == set(expected["user"])
    assert set(message_shortcut["message"]) <= set(expected["message"])
    assert set(shortcut) == set(expected) - CONTEXT_ONLY_KEYS["shortcut"]
    # Java SDK GlobalShortcutPayload.User: id, username, team_id (no "name").
    assert set(shortcut["user"]) == {"id", "username", "team_id"}
    assert set(shortcut["team"]) == set(expected["team"]) - GRID_KEYS


async def test_block_actions_in_a_view_have_the_sample_keys(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    view = await open_claim_form(fake_slack)

    sent = (await slack.block_action("customer_type", user="U1", view=view, value="person")).sent

    expected = sample("BlockActionPayload")
    assert set(sent) == set(expected) - WORKFLOW_KEYS - CONTEXT_ONLY_KEYS["block_actions.view"]
    assert set(sent["user"]) == set(expected["user"])
    assert set(sent["container"]) <= set(expected["container"])
    assert set(sent["view"]) == set(expected["view"]) | {"blocks"}
    [action] = sent["actions"]
    assert set(action) <= keys(expected["actions"])
    assert action["selected_option"] == {"text": {**pt("PERSON"), "emoji": True}, "value": "person"}
    assert sent["container"] == {"type": "view", "view_id": view["id"]}


async def test_block_actions_on_a_message_have_the_sample_keys(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    button = {"type": "button", "action_id": "approve", "text": pt("批准"), "value": "claim-7"}
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test")
    await client.chat_postMessage(
        channel="C1", text="待审批", blocks=[{"type": "actions", "elements": [button]}]
    )
    [message] = fake_slack.messages_to("C1")

    sent = (await slack.block_action("approve", user="U1", message=message)).sent

    expected = sample("BlockActionPayload")
    assert set(sent) == set(expected) - WORKFLOW_KEYS - CONTEXT_ONLY_KEYS["block_actions.message"]
    assert set(sent["message"]) <= set(expected["message"])
    assert set(sent["channel"]) == set(expected["channel"])
    assert sent["channel"] == {"id": "C1", "name": "sales"}
    assert sent["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    [action] = sent["actions"]
    assert action["value"] == "claim-7" and action["text"]["text"] == "批准"
    assert sent["response_url"].startswith(fake_slack.base_url + "/actions/")


async def test_view_submission_and_closed_have_the_sample_keys(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    view = await open_claim_form(fake_slack)

    submitted = (await slack.view_submission(view, {"customer_name": "字节跳动"}, user="U1")).sent
    closed = (await slack.view_closed(view, user="U1")).sent

    expected = sample("ViewSubmissionPayload")
    assert set(submitted) == set(expected) - WORKFLOW_KEYS - CONTEXT_ONLY_KEYS["view_submission"]
    assert set(submitted["user"]) == set(expected["user"])
    assert set(submitted["view"]) == set(expected["view"]) | {"blocks"}
    assert set(closed) == set(sample("ViewClosedPayload")) - WORKFLOW_KEYS
    full = submitted["view"]
    assert (full["id"], full["hash"], full["callback_id"]) == (
        view["id"],
        view["hash"],
        "claim_form",
    )
    assert full["private_metadata"] == '{"channel": "C1"}'
    assert full["state"]["values"]["customer"]["customer_name"] == {
        "type": "plain_text_input",
        "value": "字节跳动",
    }
    assert submitted["user"]["name"] == "wang.fang"


async def test_events_have_the_sample_envelope(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test")
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "首页"}}],
    }
    await client.views_publish(user_id="U1", view=home)

    sent = (await slack.app_home_opened("U1")).sent
    handshake = (await slack.url_verification("abc")).sent

    expected = sample("AppHomeOpenedPayload")
    assert set(sent) == set(expected) - {"enterprise_id"}
    assert set(sent["event"]) == set(expected["event"])
    assert set(sent["event"]["view"]) == set(expected["event"]["view"]) | {"blocks"}
    assert set(sent["authorizations"][0]) == keys(expected["authorizations"])
    assert sent["event"]["channel"] == fake_slack.dm_channel("U1")
    assert sent["type"] == "event_callback" and sent["event_id"].startswith("Ev")
    assert handshake == {
        "token": handshake["token"],
        "challenge": "abc",
        "type": "url_verification",
    }


async def test_grid_workspaces_send_the_grid_keys(echo: Echo, fake_slack: FakeSlack) -> None:
    grid = SlackRequester(echo.url, SECRET, fake=fake_slack, enterprise_id="E1")
    view = await open_claim_form(fake_slack)

    submitted = (await grid.view_submission(view, user="U1")).sent
    event = (await grid.event({"type": "app_mention", "user": "U1", "text": "x"})).sent

    assert set(submitted["team"]) == set(sample("ViewSubmissionPayload")["team"])
    assert submitted["enterprise"] == {"id": "E1", "name": "Acme Grid"}
    assert set(event) == set(sample("AppHomeOpenedPayload"))


async def test_an_action_the_app_never_rendered_is_refused_before_sending(
    slack: SlackRequester, echo: Echo, fake_slack: FakeSlack
) -> None:
    view = await open_claim_form(fake_slack)

    with pytest.raises(ValueError, match="no element with action_id 'customer_typ'"):
        await slack.block_action("customer_typ", user="U1", view=view)
    with pytest.raises(ValueError, match="has no option 'robot'"):
        await slack.block_action("customer_type", user="U1", view=view, value="robot")
    assert echo.received == []


# -- fill_view ---------------------------------------------------------------------------------


def every_element_view() -> dict[str, Any]:
    """One input per element type, plus stateful and stateless elements outside inputs."""
    elements: dict[str, dict[str, Any]] = {
        "name": {"type": "plain_text_input"},
        "email": {"type": "email_text_input"},
        "seats": {"type": "number_input", "is_decimal_allowed": False},
        "site": {"type": "url_text_input"},
        "kind": {"type": "static_select", "options": [option("company"), option("person")]},
        "tags": {
            "type": "multi_static_select",
            "option_groups": [{"label": pt("G"), "options": [option("a"), option("b")]}],
        },
        "lookup": {"type": "external_select"},
        "due": {"type": "datepicker"},
        "at": {"type": "timepicker"},
        "when": {"type": "datetimepicker"},
        "owner": {"type": "users_select"},
        "team": {"type": "multi_users_select"},
        "where": {"type": "conversations_select"},
        "room": {"type": "channels_select"},
        "level": {"type": "radio_buttons", "options": [option("hot"), option("cold")]},
        "flags": {"type": "checkboxes", "options": [option("vip"), option("gov")]},
        "notes": {"type": "rich_text_input"},
        "prefilled": {"type": "plain_text_input", "initial_value": "已填"},
    }
    inputs = [
        {"type": "input", "block_id": f"b_{a}", "label": pt(a), "element": {**e, "action_id": a}}
        for a, e in elements.items()
    ]
    actions = {
        "type": "actions",
        "block_id": "bar",
        "elements": [
            {"type": "button", "action_id": "go", "text": pt("Go")},
            {"type": "datepicker", "action_id": "filter_date", "initial_date": "2026-01-01"},
        ],
    }
    accessory = {
        "type": "section",
        "block_id": "pick",
        "text": {"type": "mrkdwn", "text": "x"},
        "accessory": {"type": "users_select", "action_id": "reviewer"},
    }
    return {
        "type": "modal",
        "title": pt("T"),
        "submit": pt("S"),
        "blocks": [*inputs, actions, accessory],
    }


def test_fill_view_uses_slacks_shape_for_each_element_type() -> None:
    answers = {
        "name": "字节跳动",
        "email": "bd@bytedance.com",
        "seats": 42,
        "site": "https://bytedance.com",
        "kind": "company",
        "tags": ["a", "b"],
        "lookup": "91110000MA001",
        "due": dt.date(2026, 12, 1),
        "at": "09:30",
        "when": dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        "owner": "U1",
        "team": ["U1", "U2"],
        "where": "C1",
        "room": "C2",
        "level": "hot",
        "flags": ["gov"],
        "notes": "first call went well",
        "reviewer": "U3",
    }

    values = fill_view(every_element_view(), answers)

    state = {a: values[f"b_{a}"][a] for a in answers if a != "reviewer"}
    assert state["name"] == {"type": "plain_text_input", "value": "字节跳动"}
    assert state["email"] == {"type": "email_text_input", "value": "bd@bytedance.com"}
    assert state["seats"] == {"type": "number_input", "value": "42"}
    assert state["site"] == {"type": "url_text_input", "value": "https://bytedance.com"}
    assert state["kind"] == {"type": "static_select", "selected_option": option("company")}
    assert state["tags"] == {
        "type": "multi_static_select",
        "selected_options": [option("a"), option("b")],
    }
    assert state["lookup"]["selected_option"]["value"] == "91110000MA001"
    assert state["due"] == {"type": "datepicker", "selected_date": "2026-12-01"}
    assert state["at"] == {"type": "timepicker", "selected_time": "09:30"}
    assert state["when"] == {"type": "datetimepicker", "selected_date_time": 1796117400}
    assert state["owner"] == {"type": "users_select", "selected_user": "U1"}
    assert state["team"] == {"type": "multi_users_select", "selected_users": ["U1", "U2"]}
    assert state["where"] == {"type": "conversations_select", "selected_conversation": "C1"}
    assert state["room"] == {"type": "channels_select", "selected_channel": "C2"}
    assert state["level"] == {"type": "radio_buttons", "selected_option": option("hot")}
    assert state["flags"] == {"type": "checkboxes", "selected_options": [option("gov")]}
    assert (
        state["notes"]["rich_text_value"]["elements"][0]["elements"][0]["text"]
        == "first call went well"
    )
    assert values["pick"]["reviewer"] == {"type": "users_select", "selected_user": "U3"}
    assert "go" not in values["bar"]  # buttons keep no state


def test_unanswered_elements_send_their_initial_or_empty_shape() -> None:
    values = fill_view(every_element_view(), {})

    assert values["b_name"]["name"] == {"type": "plain_text_input", "value": None}
    assert values["b_kind"]["kind"] == {"type": "static_select", "selected_option": None}
    assert values["b_tags"]["tags"] == {"type": "multi_static_select", "selected_options": []}
    assert values["b_owner"]["owner"] == {"type": "users_select", "selected_user": None}
    assert values["b_due"]["due"] == {"type": "datepicker", "selected_date": None}
    assert values["b_flags"]["flags"] == {"type": "checkboxes", "selected_options": []}
    assert values["b_prefilled"]["prefilled"] == {"type": "plain_text_input", "value": "已填"}
    assert values["bar"]["filter_date"] == {"type": "datepicker", "selected_date": "2026-01-01"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"nmae": "typo"}, "no element with action_id 'nmae'"),
        ({"kind": "robot"}, "no option 'robot'"),
        ({"tags": "a"}, "takes a list"),
        ({"due": "01/12/2026"}, "does not match"),
        ({"go": "clicked"}, "is a button: no state"),
        ({"name": ["a list"]}, "takes text"),
    ],
)
def test_fill_view_refuses_answers_that_cannot_be(answers: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fill_view(every_element_view(), answers)


def test_a_repeated_action_id_is_answered_by_block() -> None:
    twice = {
        "type": "modal",
        "blocks": [
            {
                "type": "input",
                "block_id": b,
                "label": pt(b),
                "element": {"type": "plain_text_input", "action_id": "v"},
            }
            for b in ("first", "second")
        ],
    }

    with pytest.raises(ValueError, match="answer as 'block_id/v'"):
        fill_view(twice, {"v": "x"})
    values = fill_view(twice, {"second/v": "y"})
    assert values == {
        "first": {"v": {"type": "plain_text_input", "value": None}},
        "second": {"v": {"type": "plain_text_input", "value": "y"}},
    }


# -- against the real Bolt ---------------------------------------------------------------------


async def test_bolt_accepts_the_requests_and_reads_the_state(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test")
    app = AsyncApp(signing_secret=SECRET, client=client)
    seen: dict[str, Any] = {}

    @app.command("/claim")
    async def open_form(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=CLAIM_FORM)

    @app.view("claim_form")
    async def submitted(ack: Any, view: dict[str, Any], body: dict[str, Any]) -> None:
        seen["name"] = view["state"]["values"]["customer"]["customer_name"]["value"]
        seen["user"] = body["user"]["id"]
        await ack(response_action="errors", errors={"customer": "已被报备"})

    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        slack = SlackRequester(
            f"http://127.0.0.1:{runner.addresses[0][1]}", SECRET, fake=fake_slack
        )
        command = await slack.command("", user="U1")
        await fake_slack.wait_for("views.open")
        answer = await slack.view_submission(
            fake_slack.latest_view(), {"customer_name": "字节跳动"}, user="U1"
        )
        forged = await slack.command("", user="U1", sign_with="wrong")
    finally:
        await runner.cleanup()

    assert command.status == 200 and forged.status == 401
    assert seen == {"name": "字节跳动", "user": "U1"}
    assert answer.json() == {"response_action": "errors", "errors": {"customer": "已被报备"}}
    assert validate_ack_body(answer.text, submitted_view=fake_slack.latest_view()) == []


def test_a_submitted_view_handed_back_still_validates() -> None:
    view = payloads.complete_view(payloads.Team(), every_element_view())
    view["state"] = {
        "values": fill_view(view, {"when": 1_700_000_000, "tags": ["a"], "notes": "x"})
    }

    assert validate_view(view, surface="modal") == []


async def test_buttons_on_a_response_url_message_can_be_clicked(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    url = fake_slack.response_url("claim command")
    button = {"type": "button", "action_id": "undo", "text": pt("撤销"), "value": "claim-7"}
    await AsyncWebhookClient(url).send(
        text="已报备", blocks=[{"type": "actions", "elements": [button]}]
    )
    [post] = await fake_slack.wait_for_responses()

    sent = (await slack.block_action("undo", user="U1", message=post, channel="C1")).sent

    # respond() defaults to ephemeral, and Slack sends no message object for those.
    assert sent["container"]["is_ephemeral"] is True and "message" not in sent
    assert sent["actions"][0]["value"] == "claim-7"
    assert sent["actions"][0]["block_id"]  # Slack assigned one on storing


async def test_buttons_in_app_home_are_clicked_through_the_home_view(
    slack: SlackRequester, fake_slack: FakeSlack
) -> None:
    button = {"type": "button", "action_id": "new_claim", "text": pt("新报备")}
    client = AsyncWebClient(base_url=fake_slack.api_url, token="xoxb-test")
    await client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [{"type": "actions", "elements": [button]}]}
    )
    home = fake_slack.home_view("U1")
    assert home is not None

    sent = (await slack.block_action("new_claim", user="U1", view=home)).sent

    assert sent["container"] == {"type": "view", "view_id": home["id"]}
    assert sent["view"]["type"] == "home" and sent["view"]["hash"] == home["hash"]
