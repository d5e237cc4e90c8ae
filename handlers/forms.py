"""Reading modal state: Slack's nested ``view.state.values`` flattened to ``{action_id: value}``."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from bot.i18n import Translator
from bot.validation import FieldError

Field = TypeVar("Field", bound=StrEnum)

# Slack shows field errors under the input; longer ones are cut by the client, so we cut them
# ourselves where the message still reads whole.
FIELD_ERROR_LIMIT = 150


def flatten_state(view: dict[str, Any]) -> dict[str, str | None]:
    """One plain value per input, whatever the element type (text, select, date, user …)."""
    values: dict[str, str | None] = {}
    for block in ((view.get("state") or {}).get("values") or {}).values():
        for action_id, element in (block or {}).items():
            values[action_id] = element_value(element or {})
    return values


def element_value(element: dict[str, Any]) -> str | None:
    """The value of one state element as a string (``None`` when left empty)."""
    kind = element.get("type")
    if kind in ("multi_static_select", "checkboxes"):
        # One key a line: the profile's multi-selects read it back (bot.claims.profile).
        return "\n".join(o.get("value", "") for o in element.get("selected_options") or [])
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option") or {}
        return option.get("value")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    value = element.get("value")
    return None if value is None else str(value)


def field_errors(
    errors: Mapping[Field, FieldError] | Mapping[str, FieldError], tr: Translator
) -> dict[str, str]:
    """``response_action="errors"``'s map: each message under its field (by its block id), cut to
    fit."""
    return {
        str(field): error.message(tr.lang)[:FIELD_ERROR_LIMIT] for field, error in errors.items()
    }
