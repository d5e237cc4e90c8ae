"""Hostile and odd input through the real HTTP path: every answer is a clear field error or a
safe, escaped echo — never a 500, never a ping, never a card Slack would reject."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ALICE, Bot

pytestmark = pytest.mark.slow  # hypothesis: many generated examples per test

# What people paste, what attackers type, what the unicode tables hold.
NASTY = [
    "<!channel>",
    "<!here|here>",
    "<@UEVIL0001>",
    "<#C0SECRET|secret>",
    "<https://evil.example|click>",
    "*bold* _it_ ~s~ `code`",
    "'; DROP TABLE claims; --",
    '" OR 1=1 --',
    "北京字节跳动\u200b科技",
    "\u202eevil",
    "\x00\x07\x1b[31m",
    "👨‍👩‍👧 🏢",
    "Ⅻ　全角　ＡＢＣ",
    "字节跳动 ByteDance Ltd. 有限公司",
    "",
    "   ",
    "a" * 5000,
]
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=200),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
)
FIELDS = [
    "customer_name", "other_name", "contact_name", "phone", "email", "credit_code",
    "need_summary", "deal_size",
]  # fmt: skip
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_inert(shown: str) -> None:
    """Nothing the user typed may reach Slack as a live mention, link or channel ping."""
    assert "<!channel" not in shown and "<!here" not in shown
    assert "<@UEVIL" not in shown and "<#C0SECRET" not in shown
    assert "<https://evil" not in shown


@HOSTILE
@given(answers=st.fixed_dictionaries({}, optional={f: text for f in FIELDS}))
async def test_any_form_input_gets_field_errors_or_a_safe_verdict(
    bot: Bot, answers: dict[str, str]
) -> None:
    view = await bot.open_form(user=ALICE)
    result = await bot.submit(view, dict(answers), user=ALICE)  # checks 200 and Slack's rules
    body = result.json()
    assert body["response_action"] in ("errors", "update")
    if body["response_action"] == "errors":
        assert all(isinstance(m, str) and m for m in body["errors"].values())
    else:
        assert_inert(json.dumps(body["view"], ensure_ascii=False))
    for message in bot.fake.messages_to(ALICE):
        assert_inert(json.dumps(message.blocks, ensure_ascii=False) + message.text)


@HOSTILE
@given(words=text)
async def test_any_command_text_gets_a_helpful_ephemeral_answer(bot: Bot, words: str) -> None:
    for command in (words, f"check {words}", f"new {words}"):
        result = await bot.slack.command(command, user=ALICE)
        assert result.status == 200, result.text
        bot.checked(result)
        if result.text:
            assert_inert(result.text)


async def test_a_name_with_mentions_is_echoed_escaped_in_the_verdict_and_the_dm(bot: Bot) -> None:
    answer = await bot.file_claim(
        {
            "customer_name": "<!channel> <@UEVIL0001> 飞鸿科技有限公司",
            "contact_name": "张三",
            "phone": "138 0013 8000",
            "need_summary": "<!here> call me",
        },
        user=ALICE,
    )
    shown = json.dumps(answer["view"], ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown
    assert_inert(shown)
    dm = await bot.fake.wait_for("chat.postMessage")
    assert_inert(json.dumps(dm[0].params, ensure_ascii=False))


async def test_formatting_marks_in_a_name_are_shown_as_typed_not_as_formatting(bot: Bot) -> None:
    answer = await bot.file_claim(
        {
            "customer_name": "*Acme* _x_ ~y~ `z` 有限公司",
            "contact_name": "*张*三",
            "phone": "138 0013 8001",
            "need_summary": "_urgent_",
        },
        user=ALICE,
    )
    dm = await bot.fake.wait_for("chat.postMessage")
    for shown in (
        json.dumps(answer["view"], ensure_ascii=False),
        json.dumps(dm[0].params, ensure_ascii=False),
    ):
        for marked in ("*Acme*", "_x_", "~y~", "`z`", "*张*", "_urgent_"):
            assert marked not in shown, (marked, shown)
        assert "∗Acme∗" in shown
