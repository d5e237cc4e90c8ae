"""Request bodies shaped like Slack's, key for key, as pure functions.

Key sets follow the Java SDK samples in tests/data/slack/samples/payloads. Those samples are
the union of every context Slack can send; a builder leaves out only what Slack leaves out in
its context (listed in ``CONTEXT_ONLY_KEYS`` so the tests can check the rest is exact), and the
Enterprise Grid keys unless the workspace is on a grid.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.fakeslack.records import JSONDict
from bot.fakeslack.surfaces import normalize_blocks, short_id

# Sample keys Slack sends only in another context than the builder's (why in the comment).
CONTEXT_ONLY_KEYS: dict[str, frozenset[str]] = {
    # Workflow Builder custom steps only.
    "workflow": frozenset({"bot_access_token", "function_data", "interactivity"}),
    # block_actions on a message: no view; on a view: no channel/message/state/response_url.
    "block_actions.message": frozenset({"view", "app_unfurl"}),
    "block_actions.view": frozenset({"channel", "message", "state", "response_url", "app_unfurl"}),
    # view_submission never carries is_cleared (that is view_closed's).
    "view_submission": frozenset({"is_cleared"}),
    # A global shortcut has no message context.
    "shortcut": frozenset({"message", "message_ts", "response_url", "channel"}),
}
# The ``view`` object Slack sends back; the sample lists no "blocks" but Slack always sends them.
VIEW_KEYS = (
    "id", "team_id", "type", "blocks", "private_metadata", "callback_id", "state", "hash",
    "title", "clear_on_close", "notify_on_close", "close", "submit", "previous_view_id",
    "root_view_id", "app_id", "external_id", "app_installed_team_id", "bot_id", "submit_disabled",
)  # fmt: skip


@dataclass(frozen=True)
class Team:
    """The workspace and app a request comes from (defaults match FakeSlack's)."""

    team_id: str = "T1"
    team_domain: str = "acme"
    api_app_id: str = "A1"
    bot_user_id: str = "UBOT"
    bot_id: str = "B1"
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    verification_token: str = "legacy-verification-token"

    @property
    def team_object(self) -> JSONDict:
        """The ``team`` object (grid keys only on a grid)."""
        team: JSONDict = {"id": self.team_id, "domain": self.team_domain}
        if self.enterprise_id:
            team.update(enterprise_id=self.enterprise_id, enterprise_name=self.enterprise_name)
        return team

    @property
    def enterprise_object(self) -> JSONDict | None:
        """The ``enterprise`` object, null outside a grid as Slack sends it."""
        if not self.enterprise_id:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name}

    def user_object(self, user_id: str, name: str, *, keys: tuple[str, ...]) -> JSONDict:
        """A ``user`` object with the keys this payload type uses."""
        values = {"id": user_id, "username": name, "name": name, "team_id": self.team_id}
        return {k: values[k] for k in keys}


INTERACTIVE_USER_KEYS = ("id", "username", "name", "team_id")


def slash_command(
    ws: Team,
    *,
    command: str,
    text: str,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """Form fields of a slash command (SlashCommandPayload)."""
    fields = {"token": ws.verification_token, "team_id": ws.team_id, "team_domain": ws.team_domain}
    if ws.enterprise_id:
        fields.update(enterprise_id=ws.enterprise_id, enterprise_name=ws.enterprise_name or "")
    fields.update(
        channel_id=channel_id,
        channel_name=channel_name,
        user_id=user_id,
        user_name=user_name,
        command=command,
        text=text,
        api_app_id=ws.api_app_id,
        is_enterprise_install="false",
        response_url=response_url,
        trigger_id=trigger_id,
    )
    return fields


def global_shortcut(
    ws: Team, *, callback_id: str, user_id: str, user_name: str, trigger_id: str, action_ts: str
) -> JSONDict:
    """A global shortcut; its user has no "name" (Java SDK GlobalShortcutPayload.User)."""
    return {
        "type": "shortcut",
        "token": ws.verification_token,
        "action_ts": action_ts,
        "team": ws.team_object,
        "user": ws.user_object(user_id, user_name, keys=("id", "username", "team_id")),
        "is_enterprise_install": False,
        "enterprise": ws.enterprise_object,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }


def message_shortcut(
    ws: Team,
    *,
    callback_id: str,
    user_id: str,
    user_name: str,
    channel: tuple[str, str],
    message: JSONDict,
    trigger_id: str,
    response_url: str,
    action_ts: str,
) -> JSONDict:
    """A message shortcut (MessageShortcutPayload); its user has no "username"."""
    return {
        "type": "message_action",
        "token": ws.verification_token,
        "action_ts": action_ts,
        "team": ws.team_object,
        "user": ws.user_object(user_id, user_name, keys=("id", "name", "team_id")),
        "channel": {"id": channel[0], "name": channel[1]},
        "is_enterprise_install": False,
        "enterprise": ws.enterprise_object,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "message_ts": message["ts"],
        "message": copy.deepcopy(message),
        "response_url": response_url,
    }


def block_actions(
    ws: Team,
    *,
    user_id: str,
    user_name: str,
    actions: list[JSONDict],
    trigger_id: str,
    container: JSONDict,
    view: JSONDict | None = None,
    message: JSONDict | None = None,
    channel: tuple[str, str] | None = None,
    state_values: JSONDict | None = None,
    response_url: str | None = None,
) -> JSONDict:
    """A block_actions payload from a view (pass ``view``) or a message (pass ``channel``)."""
    payload: JSONDict = {
        "type": "block_actions",
        "user": ws.user_object(user_id, user_name, keys=INTERACTIVE_USER_KEYS),
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "container": container,
        "trigger_id": trigger_id,
        "team": ws.team_object,
        "enterprise": ws.enterprise_object,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["view"] = view
    else:
        assert channel is not None, "a message action needs its channel"
        payload["channel"] = {"id": channel[0], "name": channel[1]}
        if message is not None:  # Slack omits it for ephemeral messages
            payload["message"] = message
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = response_url
    payload["actions"] = actions
    return payload


def view_submission(
    ws: Team, *, user_id: str, user_name: str, view: JSONDict, trigger_id: str
) -> JSONDict:
    """A view_submission payload (ViewSubmissionPayload)."""
    return {
        "type": "view_submission",
        "team": ws.team_object,
        "user": ws.user_object(user_id, user_name, keys=INTERACTIVE_USER_KEYS),
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "trigger_id": trigger_id,
        "view": view,
        "enterprise": ws.enterprise_object,
        "is_enterprise_install": False,
    }


def view_closed(
    ws: Team, *, user_id: str, user_name: str, view: JSONDict, is_cleared: bool
) -> JSONDict:
    """A view_closed payload (ViewClosedPayload; only sent for notify_on_close views)."""
    return {
        "type": "view_closed",
        "team": ws.team_object,
        "user": ws.user_object(user_id, user_name, keys=INTERACTIVE_USER_KEYS),
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "view": view,
        "is_cleared": is_cleared,
        "enterprise": ws.enterprise_object,
        "is_enterprise_install": False,
    }


def event_callback(
    ws: Team, *, event: Mapping[str, Any], event_id: str, event_time: int
) -> JSONDict:
    """The Events API envelope around ``event`` (AppHomeOpenedPayload's outer keys)."""
    context = {"et": event.get("type"), "tid": ws.team_id, "aid": ws.api_app_id}
    if "channel" in event:
        context["cid"] = event["channel"]
    envelope: JSONDict = {"token": ws.verification_token, "team_id": ws.team_id}
    if ws.enterprise_id:
        envelope["enterprise_id"] = ws.enterprise_id
    envelope.update(
        api_app_id=ws.api_app_id,
        event=dict(event),
        type="event_callback",
        event_id=event_id,
        event_time=event_time,
        authorizations=[
            {
                "enterprise_id": ws.enterprise_id,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        is_ext_shared_channel=False,
        event_context="4-" + base64.urlsafe_b64encode(json.dumps(context).encode()).decode(),
        # Deprecated, still in Slack's envelope and in the sample.
        authed_users=[ws.bot_user_id],
        authed_teams=[ws.team_id],
    )
    return envelope


def url_verification(ws: Team, challenge: str) -> JSONDict:
    """The handshake Slack sends when the Request URL is saved."""
    return {"token": ws.verification_token, "challenge": challenge, "type": "url_verification"}


def complete_view(ws: Team, view: Mapping[str, Any]) -> JSONDict:
    """``view`` with every key Slack sends back, for views that did not come from the fake."""
    view_id = str(view.get("id") or "V" + short_id(json.dumps(view, sort_keys=True), 8).upper())
    defaults: JSONDict = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": f"1700000000.{short_id(view_id, 8)}",
        "title": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": ws.api_app_id,
        "external_id": "",
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
        "submit_disabled": False,
    }
    full = {key: copy.deepcopy(view.get(key, defaults[key])) for key in VIEW_KEYS}
    full["blocks"] = normalize_blocks(full["blocks"], view_id)
    return full
