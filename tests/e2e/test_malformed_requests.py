"""Whatever arrives at the Request URL, the answer is never a 5xx: unsigned is 401 whatever the
body holds (the signature is checked before anything is parsed), signed but malformed is 400, and
a client's error is one log line, never a traceback."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fakeslack import payloads
from bot.fakeslack.slackreq import sign
from tests.e2e.conftest import ALICE, SIGNING_SECRET, Bot

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


def slack_shaped() -> list[dict[str, Any]]:
    """Genuine payload shapes whose fields the strategy below replaces with anything."""
    ws = payloads.Team()
    user: dict[str, Any] = {"user_id": ALICE, "user_name": "alice"}
    view = {
        "id": "V1",
        "callback_id": "claim_form",
        "state": {"values": {}},
        "private_metadata": "",
    }
    return [
        payloads.block_actions(
            ws, **user, actions=[{"action_id": "claim_from_pool", "value": "1"}],
            trigger_id="1.2.3", container={"type": "view", "view_id": "V1"}, view=view,
        ),
        payloads.view_submission(ws, **user, view=view, trigger_id="1.2.3"),
        payloads.view_closed(ws, **user, view=view, is_cleared=False),
        payloads.event_callback(
            ws, event={"type": "app_home_opened", "user": ALICE, "tab": "home"},
            event_id="Ev1", event_time=1,
        ),
        payloads.global_shortcut(
            ws, callback_id="claim_shortcut", user_id=ALICE, user_name="alice",
            trigger_id="1.2.3", action_ts="1.2",
        ),
    ]  # fmt: skip


@st.composite
def mutated_payload(draw: st.DrawFn) -> Any:
    payload = draw(st.sampled_from(slack_shaped()))
    key = draw(st.sampled_from(sorted(payload)))
    payload[key] = draw(json_values)
    view = payload.get("view")
    # The view may itself have been replaced by an empty object: nothing left to take out.
    if isinstance(view, dict) and view and draw(st.booleans()):
        view.pop(draw(st.sampled_from(sorted(view))), None)
    return payload


@st.composite
def request_body(draw: st.DrawFn) -> tuple[bytes, str | None]:
    content_type = draw(
        st.sampled_from([FORM, JSON, f"{JSON}; charset=utf-8", "text/plain", "", None])
    )
    value = draw(st.one_of(json_values, mutated_payload()))
    shape = draw(st.sampled_from(["payload-form", "raw-json", "bytes", "bad-json", "command"]))
    if shape == "payload-form":
        body = urlencode({"payload": json.dumps(value)}).encode()
    elif shape == "raw-json":
        body = json.dumps(value).encode()
    elif shape == "bad-json":
        body = urlencode({"payload": json.dumps(value)[:-1] or "{"}).encode()
    elif shape == "command":
        fields = draw(st.dictionaries(st.sampled_from(["command", "user_id", "team_id", "text"]),
                                      st.text(max_size=10)))  # fmt: skip
        body = urlencode(fields).encode()
    else:
        body = draw(st.binary(max_size=200))
    return body, content_type


HEADER_VARIANTS = ["signed", "unsigned", "no-signature", "no-timestamp", "stale", "wrong-secret",
                   "lowercase-names", "garbage-timestamp"]  # fmt: skip


def headers_for(variant: str, body: bytes, content_type: str | None) -> dict[str, str]:
    now = int(time.time())
    headers = {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SIGNING_SECRET, now, body),
    }
    if content_type is not None:
        headers["Content-Type"] = content_type
    if variant == "unsigned":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif variant == "no-signature":
        del headers["X-Slack-Signature"]
    elif variant == "no-timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif variant == "stale":
        headers["X-Slack-Request-Timestamp"] = str(now - 600)
        headers["X-Slack-Signature"] = sign(SIGNING_SECRET, now - 600, body)
    elif variant == "wrong-secret":
        headers["X-Slack-Signature"] = sign("another-apps-secret", now, body)
    elif variant == "garbage-timestamp":
        headers["X-Slack-Request-Timestamp"] = "１２３"  # digits, but not ASCII ones
    elif variant == "lowercase-names":
        headers = {name.lower(): value for name, value in headers.items()}
    return headers


async def post_raw(bot: Bot, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(skip_auto_headers=["Content-Type"]) as session,
        session.post(f"{bot.url}/slack/events", data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info is not None]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.slow
@given(sent=request_body(), variant=st.sampled_from(HEADER_VARIANTS))
async def test_unsigned_is_401_malformed_is_4xx_never_5xx(
    bot: Bot, caplog: pytest.LogCaptureFixture, sent: tuple[bytes, str | None], variant: str
) -> None:
    body, content_type = sent
    caplog.clear()
    status, text = await post_raw(bot, body, headers_for(variant, body, content_type))
    if variant in ("signed", "lowercase-names"):
        assert status < 500, text
    else:
        assert status == 401, text
    assert tracebacks(caplog) == []


BROKEN = {
    "not JSON": urlencode({"payload": "{not json"}).encode(),
    "JSON sent as a form": b'{"type": "block_actions"}',
    "a JSON array": urlencode({"payload": "[1, 2]"}).encode(),
    "null": urlencode({"payload": "null"}).encode(),
    "binary bytes": b"\xff\xfe\x00\x81payload=",
    "empty actions": urlencode(
        {"payload": json.dumps({"type": "block_actions", "user": {"id": ALICE}, "actions": []})}
    ).encode(),
    "a view without state": urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "view_submission",
                    "user": {"id": ALICE},
                    "view": {"id": "V1", "callback_id": "claim_form"},
                }
            )
        }
    ).encode(),
    "an event that is not an object": json.dumps(
        {"type": "event_callback", "team_id": "T1", "event": [1]}
    ).encode(),
}


@pytest.mark.parametrize("body", list(BROKEN.values()), ids=list(BROKEN))
async def test_a_broken_body_is_401_unsigned_and_400_signed_with_one_log_line(
    bot: Bot, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    unsigned, _ = await post_raw(bot, body, headers_for("unsigned", body, FORM))
    assert unsigned == 401
    signed, text = await post_raw(bot, body, headers_for("signed", body, FORM))
    assert signed == 400, text
    assert tracebacks(caplog) == []
    refusals = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(refusals) == 1 and "\n" not in refusals[0].getMessage()
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []
