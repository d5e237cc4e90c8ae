"""What a person chose on their Home: the metrics period and the page of each list.

It travels in the published view's ``private_metadata`` (Slack hands it back with every click on
the Home and with ``app_home_opened``), so any replica can rebuild the Home a person is looking at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from bot.ids import HomeSection
from bot.metrics.periods import Period

MAX_OFFSET = 100_000


@dataclass(frozen=True, slots=True)
class HomeState:
    """The period shown and where each list is paged to (absent: the first page)."""

    period: Period = Period.MONTH
    offsets: dict[HomeSection, int] = field(default_factory=dict)

    def offset(self, section: HomeSection) -> int:
        return self.offsets.get(section, 0)

    def paged(self, section: HomeSection, offset: int) -> HomeState:
        """The same state with ``section`` at ``offset``."""
        offsets = dict(self.offsets)
        offsets[section] = max(0, min(offset, MAX_OFFSET))
        return replace(self, offsets=offsets)

    def with_period(self, period: Period) -> HomeState:
        return replace(self, period=period)

    def dump(self) -> str:
        """As ``private_metadata`` (short JSON)."""
        data: dict[str, object] = {"p": self.period.value}
        offsets = {s.value: o for s, o in self.offsets.items() if o}
        if offsets:
            data["o"] = offsets
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: object) -> HomeState:
        """From ``private_metadata``; anything unreadable is the default state."""
        try:
            data = json.loads(str(text or "{}"))
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        try:
            period = Period(data.get("p", Period.MONTH.value))
        except ValueError:
            period = Period.MONTH
        offsets: dict[HomeSection, int] = {}
        raw = data.get("o")
        if isinstance(raw, dict):
            for key, value in raw.items():
                if key in {s.value for s in HomeSection} and isinstance(value, int):
                    offsets[HomeSection(key)] = max(0, min(value, MAX_OFFSET))
        return cls(period=period, offsets=offsets)
