"""The fake Slack's clock for the rules that expire: trigger_ids (3 s) and response_urls (30 min).

Production Slack reads the wall clock; the fake takes any ``() -> float`` so that a test decides
when time passes. The test fixture uses a :class:`ManualClock`, because a loaded CI machine can
take seconds between two lines of a test and an expiry must not depend on that.
"""

from __future__ import annotations


class ManualClock:
    """A clock that moves only when told to (seconds, like ``time.monotonic``)."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        self.now += seconds
