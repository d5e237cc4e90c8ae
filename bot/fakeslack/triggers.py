"""trigger_ids: issued with each interaction payload, exchanged once for a modal within 3 s.

Slack's views.open/views.push reference: ``expired_trigger_id`` ("The trigger_id has expired";
a trigger_id is valid for 3 seconds after the interaction that produced it) and
``exchanged_trigger_id`` ("Trigger_id was already used"). Neither is a violation: a busy network
or a retry after a stalled call meets them in production, and the app must cope.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable

from bot.fakeslack.errors import SlackError

TRIGGER_ID_TTL = 3.0  # seconds (Slack: "trigger_ids expire three seconds after they're sent")


class TriggerIds:
    """The trigger_ids the fake issued (with when) and those already exchanged for a view."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._issued_at: dict[str, float] = {}
        self._exchanged: set[str] = set()
        self._counter = itertools.count(1)

    def issue(self) -> str:
        """A fresh trigger_id shaped like Slack's (``<digits>.<digits>.<hex>``)."""
        trigger_id = f"{next(self._counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._issued_at[trigger_id] = self.clock()
        return trigger_id

    def exchange(self, trigger_id: str) -> None:
        """Use ``trigger_id`` up for one view, or raise Slack's error.

        A trigger_id the fake did not issue (tests that make one up) has no known age: it is
        only checked for reuse.
        """
        if trigger_id in self._exchanged:
            raise SlackError("exchanged_trigger_id")
        issued_at = self._issued_at.get(trigger_id)
        if issued_at is not None and self.clock() - issued_at > TRIGGER_ID_TTL:
            raise SlackError("expired_trigger_id")
        self._exchanged.add(trigger_id)
