"""The fake Slack, driven by the real slack_sdk AsyncWebClient the app uses."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.fakeslack import FakeSlack, validate_ack_body, validate_message, validate_view
from tests.fakeslack.pytest_plugin import assert_no_violations

SAMPLES = Path(__file__).parent / "data" / "slack" / "samples"
TOKEN = "xoxb-test"
NO_WAIT = FixedValueRetryIntervalCalculator(0)  # keep slack_sdk's own back-off out of test time


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "claim_form",
        "title": pt("报备客户"),
        "submit": pt("提交"),
        "close": pt("取消"),
        "blocks": blocks or [section("hello")],
        **extra,
    }


def sample_keys(name: str, *path: str) -> set[str]:
    node = json.loads((SAMPLES / name).read_text())
    for key in path:
        node = node[key][0] if isinstance(node[key], list) else node[key]
    return set(node)


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(base_url=fake_slack.api_url, token=TOKEN, retry_handlers=[])


# -- messages ----------------------------------------------------------------------------------


async def test_post_message_stores_and_answers_like_slack(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    blocks = [section("*字节跳动* 已报备")]
    first = await client.chat_postMessage(channel="C1", text="已报备", blocks=blocks)
    second = await client.chat_postMessage(channel="C1", text="again")

    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100" and second["ts"] == "1700000000.000200"
    assert first["message"]["blocks"][0]["block_id"]  # Slack assigns one
    [call, _] = fake_slack.calls_to("chat.postMessage")
    assert call.token == TOKEN and call.delivered
    assert call.params["blocks"] == blocks  # decoded from the JSON body, as sent
    assert [m.text for m in fake_slack.messages_to("C1")] == ["已报备", "again"]


async def test_posting_to_a_user_lands_in_their_dm(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    by_user = await client.chat_postMessage(channel="U7", text="to the user")
    opened = await client.conversations_open(users="U7")
    await client.chat_postMessage(channel=opened["channel"]["id"], text="to the dm")

    assert by_user["channel"] == opened["channel"]["id"] == fake_slack.dm_channel("U7")
    assert (await client.conversations_open(users=["U7"]))["already_open"] is True
    texts = ["to the user", "to the dm"]
    assert [m.text for m in fake_slack.messages_to("U7")] == texts
    assert [m.text for m in fake_slack.messages_to(fake_slack.dm_channel("U7"))] == texts


async def test_ephemeral_messages_reach_only_their_user(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    reply = await client.chat_postEphemeral(channel="C1", user="U1", text="只有你能看到")

    assert set(reply.data) <= sample_keys("api/chat.postEphemeral.json")
    assert fake_slack.messages_to("C1") == []
    [message] = fake_slack.messages_to("U1")
    assert message.ephemeral and message.ts == reply["message_ts"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C1", ts=reply["message_ts"], text="edited")


async def test_update_delete_and_permalink(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[section("v1")])
    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    link = await client.chat_getPermalink(channel="C1", message_ts=posted["ts"])
    await client.chat_delete(channel="C1", ts=posted["ts"])

    assert updated["message"]["blocks"][0]["text"]["text"] == "v1"  # omitted blocks are kept
    assert link["permalink"] == "https://acme.slack.com/archives/C1/p1700000000000100"
    [message] = fake_slack.messages_to("C1", include_deleted=True)
    assert message.deleted and message.text == "v2" and len(message.history) == 1
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C1", ts=posted["ts"], text="v3")
    assert fake_slack.violations == []  # a vanished message is the world, not a bug


# -- requests Slack refuses ---------------------------------------------------------------------


async def test_form_and_json_bodies_and_both_token_places(fake_slack: FakeSlack) -> None:
    view = json.dumps(modal())
    async with aiohttp.ClientSession() as session:
        form = {"token": TOKEN, "trigger_id": "t1", "view": view}
        async with session.post(fake_slack.api_url + "views.open", data=form) as resp:
            by_form = await resp.json()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"trigger_id": "t2", "view": modal()}
        async with session.post(
            fake_slack.api_url + "views.open", json=body, headers=headers
        ) as resp:
            by_json = await resp.json()
        async with session.post(fake_slack.api_url + "auth.test") as resp:
            anonymous = await resp.json()

    assert by_form["ok"] and by_json["ok"]
    assert [c.token for c in fake_slack.calls[:2]] == [TOKEN, TOKEN]
    assert "token" not in fake_slack.calls[0].params
    assert anonymous == {
        "ok": False,
        "error": "not_authed",
        "response_metadata": anonymous["response_metadata"],
    }
    assert fake_slack.take_violations() == ["auth.test: no token (Authorization or token=)"]


async def test_unknown_methods_are_violations(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("chat.postMessag", json={"channel": "C1", "text": "typo"})
    assert fake_slack.take_violations() == ["chat.postMessag: not a method the fake implements"]


BAD_MESSAGES = {
    "unknown block type": ({"text": "t", "blocks": [{"type": "sektion"}]}, "unknown block type"),
    "blocks without text": ({"blocks": [section("x")]}, "fallback text"),
    "51 blocks": ({"text": "t", "blocks": [section(str(i)) for i in range(51)]}, "max 50"),
    "input in a message": (
        {
            "text": "t",
            "blocks": [
                {"type": "input", "label": pt("L"), "element": {"type": "plain_text_input"}}
            ],
        },
        "input blocks are not allowed",
    ),
    "section over 3000": ({"text": "t", "blocks": [section("x" * 3001)]}, "3000"),
    "bare string text": (
        {"text": "t", "blocks": [{"type": "section", "text": "x"}]},
        "bare string",
    ),
    "misspelt attribute": (
        {"text": "t", "blocks": [section("x", acessory={"type": "button"})]},
        "acessory",
    ),
    "duplicate block_id": (
        {"text": "t", "blocks": [section("a", block_id="b"), section("b", block_id="b")]},
        "duplicate block_id",
    ),
    "duplicate action_id": (
        {
            "text": "t",
            "blocks": [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "go", "text": pt("A")},
                        {"type": "button", "action_id": "go", "text": pt("B")},
                    ],
                }
            ],
        },
        "duplicate action_id",
    ),
    "text over 40000": ({"text": "字" * 40_001}, "40000"),
}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(("params", "expected"), BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
async def test_messages_slack_would_reject_are_refused_and_recorded(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
    params: dict[str, Any],
    expected: str,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", **params)

    assert raised.value.response["error"] in ("invalid_blocks", "no_text", "msg_too_long")
    violations = fake_slack.take_violations()
    assert any(expected in v for v in violations), violations
    assert fake_slack.messages_to("C1") == []
    assert fake_slack.calls_to("chat.postMessage", delivered=False)


BAD_VIEWS = {
    "101 blocks": (modal([section(str(i)) for i in range(101)]), "max 100"),
    "title over 24": (
        modal(title=pt("这是一个非常非常非常非常非常非常长的模态框标题啊啊")),
        "title",
    ),
    "submit over 24": (modal(submit=pt("s" * 25)), "submit"),
    "close over 24": (modal(close=pt("c" * 25)), "close"),
    "private_metadata over 3000": (modal(private_metadata="m" * 3001), "private_metadata"),
    "callback_id over 255": (modal(callback_id="c" * 256), "callback_id"),
    "external_id over 255": (modal(external_id="e" * 256), "external_id"),
    "input without submit": (
        {
            "type": "modal",
            "title": pt("T"),
            "blocks": [
                {"type": "input", "label": pt("L"), "element": {"type": "plain_text_input"}}
            ],
        },
        "needs submit",
    ),
    "unknown view key": (modal(colour="red"), "colour"),
}


@pytest.mark.parametrize(("view", "expected"), BAD_VIEWS.values(), ids=BAD_VIEWS.keys())
async def test_views_slack_would_reject_are_refused_and_recorded(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
    view: dict[str, Any],
    expected: str,
) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(trigger_id="t1", view=view)
    violations = fake_slack.take_violations()
    assert any(expected in v for v in violations), violations


async def test_views_open_needs_a_fresh_trigger_id(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.api_call("views.open", json={"view": modal()})
    assert fake_slack.take_violations() == ["views.open: trigger_id is required"]
    await client.views_open(trigger_id="t1", view=modal())
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id="t1", view=modal())


# -- views -------------------------------------------------------------------------------------


async def test_views_open_push_update_and_publish_round_trip(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    opened = (await client.views_open(trigger_id="t1", view=modal(external_id="claim-1")))["view"]
    pushed = (await client.views_push(trigger_id="t2", view=modal(callback_id="confirm")))["view"]
    by_id = (await client.views_update(view_id=opened["id"], view=modal([section("v2")])))["view"]
    by_external = await client.views_update(
        external_id="claim-1", hash=by_id["hash"], view=modal([section("v3")])
    )
    home = await client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [section("首页")]}
    )

    assert (
        opened["id"].startswith("V") and opened["hash"] and opened["root_view_id"] == opened["id"]
    )
    assert set(opened) == sample_keys("api/views.open.json", "view") - WORK_OBJECT_VIEW_KEYS | {
        "blocks"
    }
    assert opened["title"] == {"type": "plain_text", "text": "报备客户", "emoji": True}
    assert pushed["id"] != opened["id"]
    assert by_id["id"] == opened["id"] and by_id["hash"] != opened["hash"]
    assert by_external["view"]["blocks"][0]["text"]["text"] == "v3"
    assert fake_slack.view(opened["id"])["hash"] == by_external["view"]["hash"]
    assert fake_slack.latest_view()["id"] == opened["id"]  # the last one touched
    assert fake_slack.latest_view("confirm")["id"] == pushed["id"]
    assert fake_slack.home_view("U1") == home["view"]


# Sample view keys of Slack's newer work-object views, which the app does not use.
WORK_OBJECT_VIEW_KEYS = {
    "entity_url",
    "external_ref",
    "app_unfurl_url",
    "message_ts",
    "thread_ts",
    "channel",
}


async def test_stale_hash_and_unknown_views_are_errors_not_violations(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    opened = (await client.views_open(trigger_id="t1", view=modal()))["view"]
    await client.views_update(view_id=opened["id"], view=modal([section("someone else")]))

    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=modal())
    home = {"type": "home", "blocks": [section("x")]}
    published = (await client.views_publish(user_id="U1", view=home))["view"]
    await client.views_publish(user_id="U1", view=home)
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_publish(user_id="U1", view=home, hash=published["hash"])
    assert fake_slack.violations == []


async def test_home_tabs_are_checked_as_home_tabs(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    too_long = {"type": "home", "blocks": [section(str(i)) for i in range(101)]}
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=too_long)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=modal())
    violations = fake_slack.take_violations()
    assert any("max 100" in v for v in violations)
    assert any("type must be 'home'" in v for v in violations)


# -- users -------------------------------------------------------------------------------------


async def test_users_info_has_locale_only_when_asked(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    fake_slack.add_user("U1", name="wang.fang", locale="zh-CN", real_name="王芳")

    plain = (await client.users_info(user="U1"))["user"]
    with_locale = (await client.users_info(user="U1", include_locale=True))["user"]

    assert "locale" not in plain
    assert with_locale["locale"] == "zh-CN" and with_locale["tz"] == "Asia/Shanghai"
    assert with_locale["tz_offset"] == 28800 and with_locale["real_name"] == "王芳"
    assert set(with_locale) <= sample_keys("api/users.info.json", "user")
    assert set(with_locale["profile"]) <= sample_keys("api/users.info.json", "user", "profile")
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U404")
    assert fake_slack.violations == []


async def test_auth_test_answers_with_the_sample_fields(client: AsyncWebClient) -> None:
    reply = await client.auth_test()

    assert reply["user_id"] == "UBOT" and reply["team_id"] == "T1" and reply["bot_id"] == "B1"
    assert set(reply.data) <= sample_keys("api/auth.test.json")


# -- faults ------------------------------------------------------------------------------------


async def test_a_rate_limited_call_is_retried_and_delivered_once(fake_slack: FakeSlack) -> None:
    # Retry-After 0 keeps the client's own back-off under a second.
    fake_slack.inject("chat.postMessage", retry_after=0)
    client = AsyncWebClient(
        base_url=fake_slack.api_url,
        token=TOKEN,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )

    await client.chat_postMessage(channel="C1", text="hello")

    attempts = fake_slack.calls_to("chat.postMessage")
    assert [(c.fault, c.status) for c in attempts] == [("429", 429), (None, 200)]
    assert attempts[0].reply == {"ok": False, "error": "ratelimited"}
    assert len(fake_slack.calls_to("chat.postMessage", delivered=True)) == 1
    assert len(fake_slack.messages_to("C1")) == 1


async def test_a_rate_limit_answer_carries_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.inject("auth.test", status=429)  # Slack's default back-off: Retry-After 1
    fake_slack.inject("auth.test", retry_after=30)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:
        for expected in ("1", "30"):
            async with session.post(fake_slack.api_url + "auth.test") as resp:
                assert (resp.status, resp.headers["Retry-After"]) == (429, expected)
                assert await resp.json() == {"ok": False, "error": "ratelimited"}


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_fail_the_call_then_clear(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
    status: int,
) -> None:
    fake_slack.inject("chat.postMessage", status=status)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="first")
    await client.chat_postMessage(channel="C1", text="second")

    assert raised.value.response.status_code == status
    assert [m.text for m in fake_slack.messages_to("C1")] == ["second"]


async def test_server_errors_are_retried_by_the_server_error_handler(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.inject("views.publish", status=503, times=2)
    client = AsyncWebClient(
        base_url=fake_slack.api_url,
        token=TOKEN,
        retry_handlers=[
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=NO_WAIT)
        ],
    )

    await client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("x")]})

    assert [c.fault for c in fake_slack.calls_to("views.publish")] == ["503", "503", None]


async def test_an_error_reply_is_ok_false_with_http_200(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    fake_slack.inject("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="x")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "channel_not_found"
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.fault == "error:channel_not_found" and not call.delivered


async def test_a_reset_connection_fails_the_call_or_is_retried(fake_slack: FakeSlack) -> None:
    fake_slack.inject("chat.postMessage", reset=True)
    no_retries = AsyncWebClient(base_url=fake_slack.api_url, token=TOKEN, retry_handlers=[])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await no_retries.chat_postMessage(channel="C1", text="lost")

    fake_slack.inject("chat.postMessage", reset=True)
    retrying = AsyncWebClient(
        base_url=fake_slack.api_url,
        token=TOKEN,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=NO_WAIT)
        ],
    )
    await retrying.chat_postMessage(channel="C1", text="kept")

    calls = fake_slack.calls_to("chat.postMessage")
    assert [(c.fault, c.answered, c.delivered) for c in calls] == [
        ("reset", False, False),
        ("reset", False, False),
        (None, True, True),
    ]
    assert [m.text for m in fake_slack.messages_to("C1")] == ["kept"]


async def test_a_stalled_call_times_out_the_client_but_still_happens(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.inject("chat.postMessage", stall=0.5)
    impatient = AsyncWebClient(
        base_url=fake_slack.api_url,
        token=TOKEN,
        timeout=0.1,  # type: ignore[arg-type]  # aiohttp takes fractions of a second
        retry_handlers=[],
    )

    with pytest.raises(TimeoutError):
        await impatient.chat_postMessage(channel="C1", text="slow")
    [call] = await fake_slack.wait_for("chat.postMessage", timeout=2.0)

    # Like Slack, the fake finishes the work the client gave up on: retries must be idempotent.
    assert call.fault == "stall" and call.delivered
    assert [m.text for m in fake_slack.messages_to("C1")] == ["slow"]


async def test_inject_refuses_typos_and_contradictions(fake_slack: FakeSlack) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        fake_slack.inject("chat.postMesage", status=500)
    with pytest.raises(ValueError, match="one of"):
        fake_slack.inject("chat.postMessage", status=500, reset=True)
    with pytest.raises(ValueError, match="one of"):
        fake_slack.inject("chat.postMessage")


# -- waiting -----------------------------------------------------------------------------------


async def test_wait_for_wakes_when_the_call_is_answered(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    fake_slack.inject("chat.postMessage", stall=0.05)
    posting = asyncio.create_task(client.chat_postMessage(channel="C1", text="later"))

    [call] = await fake_slack.wait_for("chat.postMessage", timeout=2.0)

    assert call.delivered and fake_slack.messages_to("C1")
    await posting


async def test_wait_for_names_what_it_saw_when_it_times_out(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    await client.auth_test()
    with pytest.raises(AssertionError, match=r"2 delivered chat.postMessage.*auth.test\(ok\)"):
        await fake_slack.wait_for("chat.postMessage", count=2, timeout=0.05)


async def test_reset_forgets_traffic_but_not_users_or_violations(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    fake_slack.add_user("U1", name="li.lei")
    await client.chat_postMessage(channel="C1", text="x")
    fake_slack.violations.append("kept on purpose")

    fake_slack.reset()

    assert fake_slack.calls == [] and fake_slack.messages_to("C1") == []
    assert (await client.users_info(user="U1"))["ok"]
    assert fake_slack.take_violations() == ["kept on purpose"]


# -- response_url and uploads ------------------------------------------------------------------


async def test_response_url_posts_are_recorded_and_checked(fake_slack: FakeSlack) -> None:
    url = fake_slack.response_url("claim command")
    webhook = AsyncWebhookClient(url)

    await webhook.send(text="已提交", response_type="ephemeral")
    await webhook.send(text="更新", blocks=[section("更新")], replace_original=True)
    await webhook.send(delete_original=True)
    bad = await webhook.send(blocks=[section("no fallback text")])

    posts = await fake_slack.wait_for_responses(3, name="claim command")
    assert url.startswith(fake_slack.base_url + "/commands/T1/")
    assert [p.text for p in posts] == ["已提交", "更新", None]
    assert posts[1].body["replace_original"] is True and posts[2].body["delete_original"] is True
    assert bad.status_code == 400 and not fake_slack.responses[-1].delivered
    assert fake_slack.take_violations() == [
        "response_url 'claim command': message with blocks needs a non-empty fallback text"
    ]


async def test_response_url_faults_are_recorded_as_attempts(fake_slack: FakeSlack) -> None:
    fake_slack.inject("response_url", status=500)
    webhook = AsyncWebhookClient(fake_slack.response_url())

    failed = await webhook.send(text="first")
    await webhook.send(text="second")

    assert failed.status_code == 500
    assert [(r.fault, r.status) for r in fake_slack.responses] == [("500", 500), (None, 200)]
    assert [r.text for r in await fake_slack.wait_for_responses()] == ["second"]


async def test_a_response_url_works_five_times(fake_slack: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake_slack.response_url())
    statuses = [(await webhook.send(text=str(i))).status_code for i in range(6)]
    unknown = await AsyncWebhookClient(fake_slack.base_url + "/commands/T1/9/nope").send(text="x")

    assert statuses == [200] * 5 + [404] and unknown.status_code == 404
    assert len(fake_slack.take_violations()) == 2


async def test_the_upload_flow_records_bytes_title_and_destination(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    content = "客户,状态\n字节跳动,已报备\n".encode()

    reply = await client.files_upload_v2(
        content=content,
        filename="claims.csv",
        title="报备导出",
        channel="C1",
        initial_comment="导出",
    )

    [upload] = fake_slack.uploads.values()
    assert upload.data == content and upload.completed and upload.title == "报备导出"
    assert (upload.channel_id, upload.initial_comment) == ("C1", "导出")
    [get_url] = fake_slack.calls_to("files.getUploadURLExternal")
    assert set(get_url.reply or {}) <= sample_keys("api/files.getUploadURLExternal.json")
    assert set(reply["files"][0]) <= sample_keys("api/files.completeUploadExternal.json", "files")


async def test_completing_an_upload_that_never_happened_is_a_violation(
    fake_slack: FakeSlack,
    client: AsyncWebClient,
) -> None:
    url = await client.files_getUploadURLExternal(filename="a.csv", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(files=[{"id": url["file_id"]}])
    assert len(fake_slack.take_violations()) == 1


# -- the pytest plugin -------------------------------------------------------------------------


def test_the_teardown_check_lists_every_violation() -> None:
    fake = FakeSlack()
    fake.violations += ["chat.postMessage: one", "views.open: two"]

    with pytest.raises(pytest.fail.Exception, match=r"(?s)2 request.*one.*two"):
        assert_no_violations(fake)
    assert_no_violations(FakeSlack())


# -- the validation functions ------------------------------------------------------------------


def kitchen_sink_blocks() -> list[dict[str, Any]]:
    """Every element the app may plausibly render, valid: none may be reported."""
    option = {"text": pt("A"), "value": "a"}
    elements = [
        {"type": "button", "action_id": "b", "text": pt("Go"), "value": "1", "style": "primary"},
        {
            "type": "static_select",
            "action_id": "s",
            "option_groups": [{"label": pt("G"), "options": [option]}],
        },
        {"type": "users_select", "action_id": "u", "initial_user": "U1"},
        {"type": "conversations_select", "action_id": "c", "default_to_current_conversation": True},
        {"type": "datepicker", "action_id": "d", "initial_date": "2026-11-23"},
        {"type": "timepicker", "action_id": "t", "initial_time": "09:30"},
        {"type": "checkboxes", "action_id": "x", "options": [option]},
        {"type": "radio_buttons", "action_id": "r", "options": [option], "initial_option": option},
        {
            "type": "overflow",
            "action_id": "o",
            "options": [option, {"text": pt("B"), "value": "b"}],
        },
    ]
    inputs = [
        {"type": "plain_text_input", "action_id": "p", "multiline": True, "max_length": 200},
        {"type": "email_text_input", "action_id": "e"},
        {"type": "number_input", "action_id": "n", "is_decimal_allowed": False, "min_value": "1"},
        {"type": "url_text_input", "action_id": "w"},
        {"type": "multi_users_select", "action_id": "mu"},
        {"type": "rich_text_input", "action_id": "rt"},
    ]
    return [
        {"type": "header", "text": pt("客户报备")},
        section("*字节跳动*", fields=[{"type": "mrkdwn", "text": "a"}], accessory=elements[0]),
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ctx"}]},
        {"type": "actions", "elements": elements},
        *[
            {"type": "input", "block_id": f"i{i}", "label": pt("L"), "element": e}
            for i, e in enumerate(inputs)
        ],
    ]


def test_a_kitchen_sink_modal_passes() -> None:
    view = modal(kitchen_sink_blocks())

    assert validate_view(view, surface="modal") == []
    assert validate_view({"type": "home", "blocks": kitchen_sink_blocks()}, surface="home") == []


def test_blocks_are_checked_inside_attachments_too() -> None:
    params = {"text": "t", "attachments": [{"color": "#f00", "blocks": [{"type": "nope"}]}]}

    assert validate_message(params) == [
        "attachments[0].blocks[0] (nope): unknown block type 'nope'"
    ]


def test_message_only_blocks_are_refused_in_views() -> None:
    view = modal([{"type": "markdown", "text": "**x**"}])

    assert validate_view(view, surface="modal") == [
        "view.blocks[0] (markdown): markdown blocks are only allowed in messages"
    ]


SUBMITTED = modal(
    [
        {
            "type": "input",
            "block_id": "customer",
            "label": pt("客户"),
            "element": {"type": "plain_text_input"},
        }
    ]
)
ACK_BODIES: dict[str, tuple[Any, list[str]]] = {
    "plain ack": ("", []),
    "errors on an input": ({"response_action": "errors", "errors": {"customer": "已被报备"}}, []),
    "errors on a missing block": (
        {"response_action": "errors", "errors": {"custmer": "typo"}},
        ["errors key 'custmer' is not the block_id of an input block in the view"],
    ),
    "empty errors": (
        {"response_action": "errors", "errors": {}},
        ['response_action "errors" needs a non-empty errors object'],
    ),
    "update": ({"response_action": "update", "view": modal()}, []),
    "update with a bad view": (
        {"response_action": "update", "view": modal(title=pt("t" * 25))},
        ["title text must be 1-24 chars", "view: title must be between 1 and 24 characters"],
    ),
    "push without view": ({"response_action": "push"}, ["response_action 'push' needs a view"]),
    "clear": ({"response_action": "clear"}, []),
    "unknown action": (
        {"response_action": "close"},
        ["response_action must be one of ['clear', 'errors', 'push', 'update'], got 'close'"],
    ),
    "command text": ('{"response_type": "ephemeral", "text": "已提交"}', []),
    "command blocks without text": (
        {"blocks": [section("x")]},
        ["message with blocks needs a non-empty fallback text"],
    ),
    "command unknown key": ({"text": "x", "replace": True}, ["ack body has unknown key 'replace'"]),
    "command bad response_type": (
        {"text": "x", "response_type": "public"},
        ["response_type must be one of ['ephemeral', 'in_channel']"],
    ),
}


@pytest.mark.parametrize(("body", "expected"), ACK_BODIES.values(), ids=ACK_BODIES.keys())
def test_ack_bodies(body: Any, expected: list[str]) -> None:
    assert validate_ack_body(body, submitted_view=SUBMITTED) == expected


def _button(text: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [{"type": "button", "action_id": "a", "text": text, **extra}],
    }


PLAIN = {"type": "plain_text", "text": "OK"}
MRKDWN = {"type": "mrkdwn", "text": "*OK*"}
OPTIONS = [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}]


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ({"type": "header", "text": MRKDWN}, "text must be plain_text"),
        (_button(MRKDWN), "text must be plain_text"),
        (
            _button(PLAIN, confirm={"title": PLAIN, "text": MRKDWN, "confirm": PLAIN, "deny": PLAIN}),
            "confirm.text must be plain_text",
        ),
        ({"type": "section", "text": {**MRKDWN, "emoji": True}}, "cannot have an emoji flag"),
        ({"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}, "max 2000"),
        (
            {"type": "section", "text": MRKDWN, "accessory": {
                "type": "static_select", "action_id": "s", "placeholder": MRKDWN, "options": OPTIONS}},
            "placeholder must be plain_text",
        ),
        (
            {"type": "section", "text": MRKDWN, "accessory": {
                "type": "static_select", "action_id": "s",
                "options": [{"text": PLAIN, "value": "v" * 151}]}},
            "max 150",
        ),
        (
            {"type": "section", "text": MRKDWN, "accessory": {
                "type": "static_select", "action_id": "s", "options": OPTIONS,
                "initial_option": {"text": PLAIN, "value": "b"}}},
            "initial_option is not one of the options",
        ),
    ],
)  # fmt: skip
def test_block_kit_rules_slack_enforces_beyond_slack_sdk(
    block: dict[str, Any], problem: str
) -> None:
    problems = validate_message({"channel": "C1", "text": "t", "blocks": [block]})
    assert any(problem in p for p in problems), problems


async def test_missing_scopes_and_channels_answer_like_slack(fake_slack: FakeSlack) -> None:
    fake_slack.grant("xoxb-narrow", ["chat:write"])
    fake_slack.add_channel("C0PRIVATE", name="secret", private=True, bot_member=False)
    fake_slack.add_channel("C0PUBLIC", name="general", bot_member=False)
    narrow = AsyncWebClient(token="xoxb-narrow", base_url=fake_slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        await narrow.users_info(user="U1")
    assert refused.value.response["error"] == "missing_scope"
    assert refused.value.response["needed"] == "users:read"
    assert fake_slack.take_violations()  # calling outside one's scopes is the app's mistake
    for channel, error in (("C0PRIVATE", "channel_not_found"), ("C0PUBLIC", "not_in_channel")):
        with pytest.raises(SlackApiError) as refused:
            await narrow.chat_postMessage(channel=channel, text="hi")
        assert refused.value.response["error"] == error
    answer = await narrow.auth_test()
    assert answer.headers["X-OAuth-Scopes"] == "chat:write"
