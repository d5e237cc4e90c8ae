"""Our parse of a signed body gives listeners exactly what Bolt's own parse would."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from slack_bolt.request.internals import parse_body as bolt_parse_body

from bot.inbound import parse_body, scrub

FORM = "application/x-www-form-urlencoded"
VIEW = {
    "type": "view_submission",
    "view": {"id": "V1", "state": {"values": {"b": {"a": {"value": "北京字节跳动 AT&T 100%+"}}}}},
}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (urlencode({"payload": json.dumps(VIEW)}), FORM),
        (urlencode({"payload": json.dumps(VIEW, ensure_ascii=False)}), FORM),
        ("command=%2Fclaim&text=new+AT%26amp%3BT&user_id=U1&team_id=T1", FORM),
        ("command=%2Fclaim&text=&text=second&bad=%zz%41&a==b&&c", FORM),
        ("payload=%7B%22text%22%3A%22%5Cu0000%5Cud800x%22%7D", FORM),  # NUL, lone surrogate
        (json.dumps({"type": "event_callback", "event": {"text": "你好"}}), "application/json"),
        ('{"type": "url_verification", "challenge": "c"}', None),
        ("", FORM),
    ],
)
def test_a_body_parses_as_bolt_parses_it(body: str, content_type: str | None) -> None:
    assert parse_body(body, content_type) == bolt_parse_body(body, content_type)


def test_broken_json_is_refused_like_bolt_refuses_it() -> None:
    with pytest.raises(json.JSONDecodeError):
        parse_body("payload=%7Bnot+json", FORM)


@pytest.mark.parametrize(
    ("payload", "cleaned"),
    [
        ({"a": "x\x00y", "b": [{"c": "\ud800z"}]}, {"a": "xy", "b": [{"c": "z"}]}),
        ({"text": "typed \\u0000 as text"}, {"text": "typed \\u0000 as text"}),
        (
            {"view": {"state": "北京", "n": [1, None, True]}},
            {"view": {"state": "北京", "n": [1, None, True]}},
        ),
    ],
)
def test_scrub_drops_what_the_database_refuses_and_nothing_else(
    payload: dict[str, object], cleaned: dict[str, object]
) -> None:
    assert scrub(payload) == cleaned
