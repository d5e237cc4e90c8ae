"""response_urls: the hooks.slack.com-style URLs bolt's ``respond()`` posts to."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from bot.fakeslack.validation import validate_message

MAX_USES = 5  # Slack: a response_url works up to five times in 30 minutes
RESPONSE_KEYS = frozenset(
    {
        "text", "blocks", "attachments", "response_type", "replace_original", "delete_original",
        "thread_ts", "mrkdwn", "unfurl_links", "unfurl_media", "metadata",
    }
)  # fmt: skip


class ResponseUrls:
    """The response_urls the fake issued, each with its name and how often it was used."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id
        self._issued: dict[str, tuple[str, int]] = {}
        self._counter = itertools.count(1)

    def issue(self, name: str, kind: str) -> str:
        """A fresh path like Slack's ``/commands/T1/123/abc…`` (``kind``: commands|actions)."""
        path = f"/{kind}/{self.team_id}/{next(self._counter)}/{secrets.token_hex(12)}"
        self._issued[path] = (name, 0)
        return path

    def use(self, path: str) -> tuple[str, int] | None:
        """Count one use of ``path``; (its name, this use's number), or None if never issued."""
        if path not in self._issued:
            return None
        name, uses = self._issued[path]
        self._issued[path] = (name, uses + 1)
        return name, uses + 1


def response_problems(body: Any, use: int) -> list[str]:
    """What Slack would refuse in the ``use``-th post of ``body`` to a response_url."""
    if use > MAX_USES:
        return [f"used {use} times; Slack allows {MAX_USES}"]
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    problems = [f"unknown key {k!r}" for k in body if k not in RESPONSE_KEYS]
    if body.get("response_type") not in (None, "in_channel", "ephemeral"):
        problems.append(f"response_type {body['response_type']!r} is not valid")
    if body.get("delete_original"):
        return problems
    return problems + validate_message(body)
