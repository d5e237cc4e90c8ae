"""manifest.yaml is what operators paste into Slack: valid for Slack, and in step with our code.

The schema is Slack's own (github.com/slackapi/manifest-schema, MIT), copied into tests/data/slack
so that a fresh clone runs this test with neither ../shared nor network access.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.ids import SLASH_COMMAND, Shortcut

REPO = Path(__file__).resolve().parent.parent
MANIFEST_PATH = REPO / "manifest.yaml"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "slack" / "manifest.schema.json"

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # The draft the schema declares ($schema: draft-07), not whatever jsonschema defaults to.
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def schema_errors(validator: jsonschema.protocols.Validator, manifest: Manifest) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def test_manifest_is_valid_for_slack(
    validator: jsonschema.protocols.Validator, manifest: Manifest
) -> None:
    assert schema_errors(validator, manifest) == []


def test_background_color_is_a_hex_colour(manifest: Manifest) -> None:
    # Slack's schema states this with a non-standard "regex" keyword that validators ignore.
    assert re.fullmatch(
        r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", manifest["display_information"]["background_color"]
    )


def test_long_description_has_english_and_a_chinese_line(manifest: Manifest) -> None:
    lines = manifest["display_information"]["long_description"].splitlines()
    assert any(re.search(r"[\u4e00-\u9fff]", line) for line in lines)
    assert any(re.fullmatch(r"[\x20-\x7e]+", line) for line in lines)


def test_slash_command_is_the_one_the_code_listens_for(manifest: Manifest) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [command["command"] for command in commands] == [SLASH_COMMAND]
    # Mentions must arrive as <@U123|name> for `/claim role @user` to resolve a user ID.
    assert commands[0]["should_escape"] is True


def test_global_shortcut_callback_id_is_new_claim(manifest: Manifest) -> None:
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("global", Shortcut.NEW_CLAIM)]


def test_every_request_url_is_the_single_events_endpoint(manifest: Manifest) -> None:
    urls = [
        *(command["url"] for command in manifest["features"]["slash_commands"]),
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith("/slack/events") for url in urls), urls
    assert len(set(urls)) == 1, "one Request URL for everything, as the HTTP server serves it"


def test_app_home_and_its_event(manifest: Manifest) -> None:
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_oauth_redirect_is_bolts_default_path(manifest: Manifest) -> None:
    assert [url.rsplit("/", 2)[-2:] for url in manifest["oauth_config"]["redirect_urls"]] == [
        ["slack", "oauth_redirect"]
    ]


def test_bot_scopes_are_exactly_the_ones_we_justified(manifest: Manifest) -> None:
    # Each scope is explained in manifest.yaml; adding one forces every workspace to reinstall, so a
    # change here must be deliberate and come with its reason in the manifest.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(
        [
            "commands",
            "chat:write",
            "chat:write.public",
            "im:write",
            "users:read",
            "files:write",
            "im:history",  # issue #12: look for a timed-out notice before sending it again
        ]
    )


def test_http_mode_is_the_default(manifest: Manifest) -> None:
    settings = manifest["settings"]
    assert (settings["socket_mode_enabled"], settings["token_rotation_enabled"]) == (False, False)
    assert settings["org_deploy_enabled"] is False


def _drop_name(m: Manifest) -> None:
    del m["display_information"]["name"]


def _long_shortcut_name(m: Manifest) -> None:
    m["features"]["shortcuts"][0]["name"] = "Register a brand new customer claim"


def _command_without_slash(m: Manifest) -> None:
    m["features"]["slash_commands"][0]["command"] = "claim"


def _short_long_description(m: Manifest) -> None:
    m["display_information"]["long_description"] = "Too short for Slack."


def _misspelt_key(m: Manifest) -> None:
    m["features"]["shortcut"] = m["features"].pop("shortcuts")


def _escape_as_string(m: Manifest) -> None:
    m["features"]["slash_commands"][0]["should_escape"] = "true"


@pytest.mark.parametrize(
    "break_manifest",
    [
        pytest.param(_drop_name, id="missing-display-name"),
        pytest.param(_long_shortcut_name, id="shortcut-name-over-24-chars"),
        pytest.param(_command_without_slash, id="command-without-slash"),
        pytest.param(_short_long_description, id="long-description-under-175-chars"),
        pytest.param(_misspelt_key, id="misspelt-key"),
        pytest.param(_escape_as_string, id="boolean-as-string"),
    ],
)
def test_schema_catches_a_broken_manifest(
    validator: jsonschema.protocols.Validator,
    manifest: Manifest,
    break_manifest: Callable[[Manifest], None],
) -> None:
    broken = copy.deepcopy(manifest)
    break_manifest(broken)
    assert schema_errors(validator, broken) != []
