"""The customer profile (客户画像): the extra fields of ``form.profile``, as the form submits them,
checked, stored on the claim as one JSON document, shown and tested by the approval rules.

A stored profile holds only the fields filled in: ``{"industry": "finance", "tags": ["vip"],
"company_size": 500}`` (a select's option key, a multi-select's keys in the rules' order, a text,
a number). A field removed from the rules is no longer shown, and an edit of the claim (which
saves the form's fields) drops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import Translator
from bot.ids import PROFILE_INPUT_PREFIX
from bot.rules import PROFILE_TEXT_MAX, ProfileCondition, ProfileField, Rules, option_label
from bot.validation import ErrorCode, FieldError, clean_text, parse_number

ProfileValue = str | list[str] | int | float
Profile = dict[str, ProfileValue]

# A multi-select's chosen keys travel through the flattened form state as one string, one key a
# line (option keys are single lines, the rules make sure).
MULTI_SEPARATOR = "\n"


def input_id(field: ProfileField) -> str:
    """The form input's ``block_id`` and ``action_id`` for a profile field."""
    return f"{PROFILE_INPUT_PREFIX}{field.key}"


def parse_profile(
    raw: Mapping[str, str | None], rules: Rules
) -> tuple[Profile, dict[str, FieldError]]:
    """The profile from a submitted form's flattened inputs, and the errors by input id."""
    profile: Profile = {}
    errors: dict[str, FieldError] = {}
    for field in rules.form.profile:
        try:
            value = _parse(field, raw.get(input_id(field)))
        except FieldError as error:
            errors[input_id(field)] = error
            continue
        if value is None:
            if field.required:
                errors[input_id(field)] = FieldError(ErrorCode.REQUIRED)
            continue
        profile[field.key] = value
    return profile, errors


def _parse(field: ProfileField, text: str | None) -> ProfileValue | None:
    if field.type == "select":
        if not text:
            return None
        if text not in field.option_keys():
            raise FieldError("claim.error.unknown_option")
        return text
    if field.type == "multi_select":
        chosen = set((text or "").split(MULTI_SEPARATOR)) - {""}
        if chosen - field.option_keys():
            raise FieldError("claim.error.unknown_option")
        return [o.key for o in field.options if o.key in chosen] or None
    cleaned = clean_text(text, max_len=PROFILE_TEXT_MAX)
    if not cleaned:
        return None
    if field.type == "number":
        return parse_number(cleaned, low=field.min, high=field.max)
    return cleaned


def stored(document: Any) -> Profile:
    """A claim's stored profile (``None`` before the column existed: empty)."""
    return dict(document) if isinstance(document, dict) else {}


def form_text(field: ProfileField, value: ProfileValue | None) -> str | None:
    """A stored value as the form's input holds it (see :data:`MULTI_SEPARATOR`)."""
    if value is None:
        return None
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_text(field: ProfileField, value: ProfileValue, tr: Translator) -> str:
    """A stored value for people: option labels in their language, numbers as typed."""
    if isinstance(value, list):
        return "、".join(option_label(field.options, k, tr) for k in value)
    if field.type == "select":
        return option_label(field.options, str(value), tr)
    return form_text(field, value) or ""


def profile_lines(rules: Rules, document: Any, tr: Translator) -> list[tuple[str, str]]:
    """``(label, value)`` for each configured field the profile fills, in the rules' order."""
    profile = stored(document)
    return [
        (field.label(tr.lang), value_text(field, profile[field.key], tr))
        for field in rules.form.profile
        if field.key in profile
    ]


def holds(condition: ProfileCondition, profile: Mapping[str, ProfileValue]) -> bool:
    """Whether a profile meets an approval condition (an empty field never does)."""
    value = profile.get(condition.field)
    if value is None:
        return False
    if condition.at_least is not None:
        return isinstance(value, int | float) and value >= condition.at_least
    chosen = value if isinstance(value, list) else [str(value)]
    return bool(set(chosen) & set(condition.is_))
