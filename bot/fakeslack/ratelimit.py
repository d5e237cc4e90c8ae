"""Slack's per-channel rate limit on posting: a burst, then about one message a second.

Slack documents ``chat.postMessage`` as "1 per second (per channel)", "short bursts >1 allowed",
answered past that with HTTP 429, ``{"ok": false, "error": "ratelimited"}`` and a Retry-After
header in whole seconds. The fake counts posts per channel in real time as a token bucket (a
``burst`` of posts at once, refilled at ``per_second``) and answers the same. It is off unless a
test (or the playground) turns it on with :meth:`FakeSlack.limit_posts`: most tests post a
handful of messages and should not wait on Slack's pace.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# The methods Slack paces per channel (chat.postEphemeral has a per-user limit of its own).
PACED_METHODS = frozenset({"chat.postMessage"})


@dataclass
class PostRateLimit:
    """A token bucket per channel: ``burst`` posts at once, then ``per_second``."""

    per_second: float = 1.0
    burst: int = 3
    clock: Callable[[], float] = time.monotonic
    # Per channel: (tokens left, when they were counted).
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")

    def retry_after(self, channel: str) -> int | None:
        """Count a post to ``channel``: None when Slack takes it, else the whole seconds its
        Retry-After would say (the post is refused and not counted)."""
        now = self.clock()
        tokens, counted = self._buckets.get(channel, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - counted) * self.per_second)
        if tokens >= 1.0:
            self._buckets[channel] = (tokens - 1.0, now)
            return None
        self._buckets[channel] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.per_second))
