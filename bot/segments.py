"""Rules per segment: protection, idle and warning days that differ by what a claim is.

A segment names claim attributes and the values they must have (``when``), and the protection
rules that differ for such claims. A claim in several segments gets the *most specific* one's
rules: the segment with the most conditions; on a tie, the one listed first. Only that segment's
rules apply on top of the defaults (segments do not stack), so each claim's rules are the
defaults or one segment's, and every one of them is checked when the file is loaded.

Attributes are read by name from whatever object (or mapping) describes the claim: ``region`` and
``source_channel`` today, any other attribute (a customer profile field such as ``industry``) as
soon as the claim exposes it under that name. A multi-valued attribute (a list of tags) matches
when any of its values does; a missing attribute matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
AttributeValue = Annotated[
    str, StringConstraints(min_length=1, max_length=75, strip_whitespace=True)
]
Progress = Literal["followup", "stage_advance"]
PositiveDays = Annotated[int, Field(ge=1, le=3650)]
Days = Annotated[int, Field(ge=0, le=3650)]


class ProtectionOverride(BaseModel):
    """The protection rules a segment changes; what it leaves out stays as ``protection`` says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: PositiveDays | None = None
    followup_overdue_days: PositiveDays | None = None
    reclaim_idle_days: PositiveDays | None = None
    reclaim_warning_days: Days | None = None
    manager_copy_after_overdue_days: Days | None = None
    days_per_followup: Days | None = None
    max_protection_days: PositiveDays | None = None
    progress: Progress | None = None

    def changes(self) -> dict[str, object]:
        """The rules this override sets."""
        return self.model_dump(exclude_none=True)


class Segment(BaseModel):
    """Claims whose attributes match ``when`` get ``protection`` on top of the defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    when: dict[AttributeName, AttributeValue | list[AttributeValue]]
    protection: ProtectionOverride

    @field_validator("when")
    @classmethod
    def _some_condition(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        if not value:
            raise ValueError("a segment needs at least one condition")
        if any(isinstance(v, list) and not v for v in value.values()):
            raise ValueError("a list of values needs at least one value")
        return value

    @property
    def specificity(self) -> int:
        """How many attributes the segment names: the more, the more specific."""
        return len(self.when)

    def matches(self, claim: object) -> bool:
        """Whether every condition holds for ``claim``."""
        for name, wanted in self.when.items():
            allowed = {wanted} if isinstance(wanted, str) else set(wanted)
            if not allowed & attribute_values(claim, name):
                return False
        return True


def attribute_values(claim: object, name: str) -> set[str]:
    """The values of the attribute ``name`` of ``claim`` (a mapping or an object), as strings."""
    value = claim.get(name) if isinstance(claim, Mapping) else getattr(claim, name, None)
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable):
        return {str(v) for v in value if v is not None}
    return {str(value)}


def most_specific(segments: Iterable[Segment], claim: object) -> int | None:
    """The position of the segment whose rules apply to ``claim``, if any matches."""
    best: int | None = None
    best_specificity = 0
    for position, segment in enumerate(segments):
        if segment.specificity > best_specificity and segment.matches(claim):
            best, best_specificity = position, segment.specificity
    return best
