"""The follow-up form, read and checked: when (in the rep's own time zone), how, what happened,
the next step and its date, the stage after it. All mistakes are reported at once, each on its
field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.ids import FollowUpField
from bot.rules import Rules
from bot.validation import FieldError, clean_text

SUMMARY_MAX = 2000
NEXT_STEP_MAX = 500
# A phone's clock a little ahead of ours is not a follow-up in the future.
FUTURE_TOLERANCE = timedelta(minutes=10)


class Method(StrEnum):
    """How the rep was in touch."""

    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    WECHAT = "wechat"
    MEETING = "meeting"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FollowUpEntry:
    """A follow-up as the rep entered it, checked."""

    happened_at: datetime
    method: Method
    summary: str
    next_step: str | None
    next_step_on: date | None
    stage: str | None


FollowUpErrors = dict[FollowUpField, FieldError]


def parse_followup(
    raw: Mapping[str, str | None], rules: Rules, *, now: datetime, tz: ZoneInfo
) -> FollowUpEntry | FollowUpErrors:
    """Check the follow-up form; all errors at once."""
    errors: FollowUpErrors = {}
    today = now.astimezone(tz).date()

    day = _date(raw.get(FollowUpField.DATE.value), errors, FollowUpField.DATE) or today
    moment = _time(raw.get(FollowUpField.TIME.value), errors)
    happened_at = datetime.combine(day, moment or now.astimezone(tz).time(), tzinfo=tz)
    if happened_at > now + FUTURE_TOLERANCE and not errors:
        field = FollowUpField.DATE if day > today else FollowUpField.TIME
        errors[field] = FieldError("followup.error.future")

    method_text = raw.get(FollowUpField.METHOD.value)
    method = Method.OTHER
    if not method_text:
        errors[FollowUpField.METHOD] = FieldError("validation.required")
    elif method_text not in {m.value for m in Method}:
        errors[FollowUpField.METHOD] = FieldError("claim.error.unknown_option")
    else:
        method = Method(method_text)

    summary = _text(raw, FollowUpField.SUMMARY, SUMMARY_MAX, errors, multiline=True)
    if not summary and FollowUpField.SUMMARY not in errors:
        errors[FollowUpField.SUMMARY] = FieldError("validation.required")
    next_step = _text(raw, FollowUpField.NEXT_STEP, NEXT_STEP_MAX, errors, multiline=True)
    next_step_on = _date(
        raw.get(FollowUpField.NEXT_STEP_ON.value), errors, FollowUpField.NEXT_STEP_ON
    )
    if next_step_on is not None and next_step_on < day:
        errors[FollowUpField.NEXT_STEP_ON] = FieldError("followup.error.next_step_before")

    stage = raw.get(FollowUpField.STAGE.value) or None
    if stage is not None and rules.stage(stage) is None:
        errors[FollowUpField.STAGE] = FieldError("claim.error.unknown_option")
    if errors:
        return errors
    return FollowUpEntry(
        happened_at=happened_at.astimezone(now.tzinfo),
        method=method,
        summary=summary or "",
        next_step=next_step or None,
        next_step_on=next_step_on,
        stage=stage,
    )


def _date(text: str | None, errors: FollowUpErrors, field: FollowUpField) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = FieldError("claim.error.bad_date")
        return None


def _time(text: str | None, errors: FollowUpErrors) -> time | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        errors[FollowUpField.TIME] = FieldError("followup.error.bad_time")
        return None


def _text(
    raw: Mapping[str, str | None],
    field: FollowUpField,
    max_len: int,
    errors: FollowUpErrors,
    *,
    multiline: bool,
) -> str:
    try:
        return clean_text(raw.get(field.value), max_len=max_len, multiline=multiline)
    except FieldError as error:
        errors[field] = error
        return ""
