"""Which workspace a command-line operation acts on."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.doctor import UNREACHABLE
from bot.runtime import Runtime
from bot.settings import ConfigError
from bot.slack_client import web_client


async def resolve_workspace(rt: Runtime, given: str | None) -> str:
    """``--workspace`` if given, else the bot token's own workspace (``auth.test``)."""
    if given:
        if not (given[:1] in ("T", "E") and given.isalnum()):
            raise ConfigError(
                f"--workspace must be a Slack team ID such as T012ABCDEF, not {given!r}."
            )
        return given
    if not rt.settings.bot_token:
        raise ConfigError(
            "--workspace T… is needed when SLACK_BOT_TOKEN is not set "
            "(the team ID: the T… in Slack's address in a browser, app.slack.com/client/T…/)."
        )
    try:
        response = await web_client(rt.settings).auth_test()
    except UNREACHABLE as exc:
        raise ConfigError(
            f"Slack cannot be reached at {rt.settings.api_url} to tell the workspace "
            f"({exc.__class__.__name__}): pass --workspace T… or check the network."
        ) from exc
    except SlackApiError as exc:
        raise ConfigError(
            f"cannot tell the workspace from SLACK_BOT_TOKEN ({exc.response.get('error')}); "
            "pass --workspace."
        ) from exc
    return str(response["team_id"])
