"""response_urls: the hooks.slack.com-style URLs bolt's ``respond()`` posts to."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.fakeslack.validation import validate_message

# Slack ("Handling user interaction", message responses): "You can use a response_url five times
# within 30 minutes"; afterwards it answers 404 (used_url, expired_url).
MAX_USES = 5
LIFETIME = 30 * 60.0  # seconds
RESPONSE_KEYS = frozenset(
    {
        "text", "blocks", "attachments", "response_type", "replace_original", "delete_original",
        "thread_ts", "mrkdwn", "unfurl_links", "unfurl_media", "metadata",
    }
)  # fmt: skip


@dataclass
class Issued:
    """One response_url: its name in the recordings, when it was issued, how often it was used."""

    name: str
    issued_at: float
    uses: int = 0


@dataclass(frozen=True)
class Use:
    """One post to a response_url: which one, the how-many-th, and whether it had expired."""

    name: str
    number: int
    expired: bool


class ResponseUrls:
    """The response_urls the fake issued, each with its name, age and how often it was used."""

    def __init__(self, team_id: str, clock: Callable[[], float]) -> None:
        self.team_id = team_id
        self.clock = clock
        self._issued: dict[str, Issued] = {}
        self._counter = itertools.count(1)

    def issue(self, name: str, kind: str) -> str:
        """A fresh path like Slack's ``/commands/T1/123/abc…`` (``kind``: commands|actions)."""
        path = f"/{kind}/{self.team_id}/{next(self._counter)}/{secrets.token_hex(12)}"
        self._issued[path] = Issued(name, self.clock())
        return path

    def use(self, path: str) -> Use | None:
        """Count one use of ``path``; None if it was never issued."""
        issued = self._issued.get(path)
        if issued is None:
            return None
        issued.uses += 1
        expired = self.clock() - issued.issued_at > LIFETIME
        return Use(issued.name, issued.uses, expired)


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
