"""The error a fake Web API method raises to answer ``{"ok": false, "error": ...}``."""

from __future__ import annotations


class SlackError(Exception):
    """A Slack error reply; ``violations`` are recorded when the app, not the world, is wrong.

    State errors an app must cope with in production (``message_not_found``, ``hash_conflict``,
    ``user_not_found``) carry no violation; malformed requests (a missing argument, blocks
    Slack would refuse) do, so the test fails even if the app swallows the error.
    """

    def __init__(self, error: str, *violations: str, extra: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.violations = list(violations)
        # Fields Slack adds to this error's reply (missing_scope: ``needed``, ``provided``).
        self.extra = dict(extra or {})
