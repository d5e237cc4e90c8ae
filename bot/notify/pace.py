"""Slack's pace for posting in one channel: about one message a second, short bursts tolerated.

Slack documents ``chat.postMessage`` as "1 per second (per channel)" with "short bursts >1
allowed", then 429 with Retry-After. The outbox keeps under it instead of running into it: each
channel (a DM is a channel too) gets a generic cell rate algorithm (GCRA), the token bucket
written as one timestamp per channel — ``burst`` posts at once, then one every
``1 / per_second`` seconds. The worker skips a channel that has to wait and goes on with the
others, so a sweep's hundred pool posts never hold up a rep's DM.

The pace is kept in real (monotonic) time, not the bot's clock: Slack's limit runs on Slack's
time, and tests and ``claimbot sweep --at`` move the bot's clock without moving Slack's. It is
per process: replicas each keep their own, and a 429 that slips through is still a deferral
that uses up no attempt (bot.notify.worker).
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Forget channels idle this long past their next free slot once this many are tracked.
_PRUNE_AT = 2048


class ChannelPace:
    """How long a post to each channel has to wait; see the module's docstring."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")
        self.interval = 1.0 / per_second
        # How far ahead of the steady pace a channel may run: burst - 1 posts.
        self.tolerance = (burst - 1) * self.interval
        self._clock = clock
        # Per channel: the moment the channel's steady pace would have caught up (GCRA's TAT).
        self._caught_up: dict[str, float] = {}

    def wait(self, channel: str) -> float:
        """Seconds until a post to ``channel`` may go; 0.0 when it may go now."""
        now = self._clock()
        caught_up = self._caught_up.get(channel, now)
        return max(0.0, caught_up - self.tolerance - now)

    def busy(self) -> list[str]:
        """The channels that may not be posted to now."""
        return [channel for channel in self._caught_up if self.wait(channel) > 0]

    def take(self, channel: str) -> None:
        """Count one post to ``channel`` now (whether or not it had to wait)."""
        now = self._clock()
        self._caught_up[channel] = max(self._caught_up.get(channel, now), now) + self.interval
        if len(self._caught_up) > _PRUNE_AT:
            self._caught_up = {c: t for c, t in self._caught_up.items() if t > now}
