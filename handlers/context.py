"""Typed access to what the middleware puts into Bolt's context for every request."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.i18n import Translator
from bot.people import Profile
from bot.runtime import Runtime

RUNTIME = "claimbot_runtime"
PROFILE = "claimbot_profile"


class Request:
    """What a listener needs of one request, read from Bolt's context when first asked for:
    ``req = ctx.request(context)`` at the top of a listener, then ``req.rt``, ``req.tr``,
    ``req.workspace_id``, ``req.user_id``. Nothing is read until used, so a listener for a
    request without a user (an event) may still make one. It is the only way listeners read
    what the middleware attached."""

    __slots__ = ("context",)

    def __init__(self, context: AsyncBoltContext) -> None:
        self.context = context

    @property
    def rt(self) -> Runtime:
        """The process's :class:`Runtime`."""
        rt = self.context.get(RUNTIME)
        assert isinstance(rt, Runtime), "the runtime middleware did not run"
        return rt

    @property
    def profile(self) -> Profile:
        """The acting user's profile (language, time zone); the workspace default if unknown."""
        found = self.context.get(PROFILE)
        if isinstance(found, Profile):
            return found
        return self.rt.people.default_profile(self.context.user_id or "")

    @property
    def tr(self) -> Translator:
        """Translations in the acting user's language."""
        return Translator(self.profile.lang)

    @property
    def workspace_id(self) -> str:
        """The Slack workspace (team) the request belongs to; an org ID for org-wide installs."""
        found = self.context.team_id or self.context.enterprise_id
        assert found, "request without a workspace"
        return str(found)

    @property
    def user_id(self) -> str:
        """The acting user."""
        assert self.context.user_id, "request without a user"
        return str(self.context.user_id)


def request(context: AsyncBoltContext) -> Request:
    """The request's :class:`Request`."""
    return Request(context)


def first_input_block_id(view: dict[str, Any] | None) -> str | None:
    """The block id of a view's first input block (where a form-wide error can be shown)."""
    for block in (view or {}).get("blocks", []):
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None
