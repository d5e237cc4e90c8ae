"""The playground's clock: the real time, plus however far the person has moved it forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ensure_utc


class PlaygroundClock:
    """Runs with the system clock, shifted by an offset that only grows.

    The bot reads it everywhere it asks for "now" (new claims, deadlines, the sweep, the Home),
    so after "advance a week" a new claim is filed a week later too. It never goes back: the
    database would hold claims filed in its future.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (which must not be negative); the new now."""
        if delta < timedelta(0):
            raise ValueError("the playground's clock only moves forward")
        self.offset += delta
        return self.now()

    def move_to(self, moment: datetime) -> datetime:
        """Move forward to ``moment``; raise ``ValueError`` if it is in the clock's past."""
        return self.advance(ensure_utc(moment) - self.now())
