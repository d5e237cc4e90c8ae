"""Time windows the sweep reads claims in: ``(after, until]``, ``after=None`` meaning from the
beginning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

T = TypeVar("T", datetime, date)
Window = tuple[T | None, T]


def merged(windows: Iterable[Window[T]]) -> list[Window[T]]:
    """Overlapping windows joined, so no range of the index is read twice."""
    ordered = sorted(windows, key=lambda w: (w[0] is not None, w[0] or w[1]))
    joined: list[Window[T]] = []
    for after, until in ordered:
        if after is not None and after >= until:
            continue
        if joined:
            last_after, last_until = joined[-1]
            if after is None or after <= last_until:
                joined[-1] = (last_after, max(last_until, until))
                continue
        joined.append((after, until))
    return joined
