"""Environment variables: defaults, checks, and the one sentence when a credential is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, Settings


def test_defaults_match_the_contract() -> None:
    settings = Settings.from_env({})
    assert settings.api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite+aiosqlite:///claimbot.db"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert not settings.socket_mode


def test_values_are_read_and_tidied(tmp_path: Path) -> None:
    config = tmp_path / "rules.yaml"
    config.write_text("claim_cap: 3\n")
    settings = Settings.from_env(
        {
            "SLACK_API_URL": "http://127.0.0.1:9000/api",
            "CLAIMBOT_ADMINS": " U111AAA , U222BBB,",
            "CLAIMBOT_CONFIG": str(config),
            "PORT": "8080",
            "SLACK_APP_TOKEN": "xapp-1-abc",
        }
    )
    assert settings.api_url == "http://127.0.0.1:9000/api/"
    assert settings.admins == ("U111AAA", "U222BBB")
    assert settings.config_path == config
    assert settings.port == 8080
    assert settings.socket_mode


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "http"}, "PORT must be a number"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL must be an http(s) URL"),
        ({"CLAIMBOT_ADMINS": "alice"}, "CLAIMBOT_ADMINS must list Slack user IDs"),
        ({"CLAIMBOT_CONFIG": "/nonexistent/claimbot.yaml"}, "not a readable file"),
        ({"CLAIMBOT_SLACK_TIMEOUT": "forever"}, "CLAIMBOT_SLACK_TIMEOUT must be a number"),
        ({"CLAIMBOT_SLACK_TIMEOUT": "0"}, "CLAIMBOT_SLACK_TIMEOUT must be a number"),
        ({"CLAIMBOT_BACKGROUND": "worker"}, "CLAIMBOT_BACKGROUND must be on or off"),
    ],
)
def test_malformed_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_a_missing_credential_is_one_sentence_naming_it(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env).check_credentials()
    message = str(caught.value)
    assert message.startswith(f"{missing} is not set")
    assert "manifest.yaml" in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_background_services_are_on_unless_switched_off() -> None:
    assert Settings.from_env({}).background
    assert not Settings.from_env({"CLAIMBOT_BACKGROUND": "OFF"}).background


def test_a_worker_needs_the_bot_token_but_no_signing_secret() -> None:
    Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).check_credentials(serving=False)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        Settings.from_env({}).check_credentials(serving=False)


def test_socket_mode_needs_no_signing_secret() -> None:
    Settings.from_env(
        {"SLACK_APP_TOKEN": "xapp-1", "SLACK_BOT_TOKEN": "xoxb-1"}
    ).check_credentials()


def test_an_app_token_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ConfigError, match="xapp-"):
        Settings.from_env(
            {"SLACK_APP_TOKEN": "xoxb-wrong", "SLACK_BOT_TOKEN": "xoxb-1"}
        ).check_credentials()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/claims", "postgresql+asyncpg://u:p@db/claims"),
        ("postgresql://u:p@db/claims", "postgresql+asyncpg://u:p@db/claims"),
        ("postgresql+asyncpg://u@db/claims", "postgresql+asyncpg://u@db/claims"),
        ("sqlite:////data/claimbot.db", "sqlite+aiosqlite:////data/claimbot.db"),
    ],
)
def test_database_urls_as_providers_print_them_are_accepted(given: str, used: str) -> None:
    assert Settings.from_env({"DATABASE_URL": given}).database_url == used


def test_a_database_url_we_cannot_run_is_one_sentence() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"DATABASE_URL": "mysql://u@db/claims"})
    assert str(raised.value) == (
        "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
        "(postgres:// and postgresql:// are accepted too), not mysql://."
    )


def test_an_sqlite_file_this_user_cannot_write_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.common import check_sqlite_path

    monkeypatch.setattr("bot.cli.common.os.access", lambda _path, _mode: False)
    with pytest.raises(ConfigError, match=r"cannot be written by this user \(uid \d+\)"):
        check_sqlite_path(f"sqlite+aiosqlite:///{tmp_path}/claimbot.db", create=True)
    with pytest.raises(ConfigError, match=r"the folder .*/missing for the SQLite database"):
        check_sqlite_path(f"sqlite+aiosqlite:///{tmp_path}/missing/claimbot.db", create=True)
