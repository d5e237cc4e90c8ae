"""``view.state.values`` and block_actions ``actions[]`` items, in Slack's exact shapes.

Tests answer by ``action_id`` (or ``"block_id/action_id"`` when an action_id repeats across
blocks); the value is translated into the shape Slack uses for that element type, taking option
objects from the view itself. An unknown action_id raises, so a typo cannot pass silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.fakeslack.records import JSONDict

# element type -> (state key, empty value, the element attribute holding its initial value)
STATE_SHAPES: dict[str, tuple[str, Any, str | None]] = {
    "plain_text_input": ("value", None, "initial_value"),
    "email_text_input": ("value", None, "initial_value"),
    "url_text_input": ("value", None, "initial_value"),
    "number_input": ("value", None, "initial_value"),
    "static_select": ("selected_option", None, "initial_option"),
    "external_select": ("selected_option", None, "initial_option"),
    "radio_buttons": ("selected_option", None, "initial_option"),
    "multi_static_select": ("selected_options", [], "initial_options"),
    "multi_external_select": ("selected_options", [], "initial_options"),
    "checkboxes": ("selected_options", [], "initial_options"),
    "users_select": ("selected_user", None, "initial_user"),
    "multi_users_select": ("selected_users", [], "initial_users"),
    "conversations_select": ("selected_conversation", None, "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", [], "initial_conversations"),
    "channels_select": ("selected_channel", None, "initial_channel"),
    "multi_channels_select": ("selected_channels", [], "initial_channels"),
    "datepicker": ("selected_date", None, "initial_date"),
    "timepicker": ("selected_time", None, "initial_time"),
    "datetimepicker": ("selected_date_time", None, "initial_date_time"),
    "rich_text_input": ("rich_text_value", None, "initial_value"),
    "file_input": ("files", [], None),
}
# Elements that fire actions but keep no state in view.state.values.
STATELESS = frozenset({"button", "overflow", "workflow_button"})
# Element attributes Slack echoes into a block_actions ``actions[]`` item (all are keys of the
# BlockActionPayload sample's action object).
_ECHOED = (
    "text", "value", "style", "url", "placeholder", "min_query_length", "initial_option",
    "initial_user", "initial_conversation", "initial_channel", "initial_date", "initial_time",
)  # fmt: skip
_NOT_GIVEN: Any = object()


def interactive_elements(blocks: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, JSONDict]]:
    """(block_id, element) for every interactive element, in block order.

    Raises when an id is missing: Slack generates them on storing, so pass views and messages
    as the fake recorded them (``fake.latest_view()``, ``fake.messages_to(...)``).
    """
    for block in blocks:
        kind = block.get("type")
        if kind == "actions":
            candidates = list(block.get("elements") or [])
        elif kind == "input":
            candidates = [block.get("element")]
        elif kind == "section":
            candidates = [block.get("accessory")]
        else:
            candidates = []
        for element in candidates:
            if not isinstance(element, dict) or element.get("type") == "image":
                continue
            if not block.get("block_id") or not element.get("action_id"):
                raise ValueError(f"{kind} block {block.get('block_id')!r} lacks Slack's ids")
            yield str(block["block_id"]), element


def fill_view(view: Mapping[str, Any], answers: Mapping[str, object]) -> JSONDict:
    """``view.state.values`` for ``view`` with ``answers`` (keyed by action_id) filled in.

    Stateful elements the answers do not mention keep their initial value if they have one
    (the user saw it pre-filled and submitted it), else their empty shape, as Slack sends.
    """
    elements = list(interactive_elements(view.get("blocks") or []))
    chosen = {_locate(elements, key): answer for key, answer in answers.items()}
    values: JSONDict = {}
    for block_id, element in elements:
        answer = chosen.get((block_id, element["action_id"]), _NOT_GIVEN)
        if element.get("type") in STATELESS:
            if answer is not _NOT_GIVEN:
                raise ValueError(f"{element['action_id']!r} is a {element['type']}: no state")
            continue
        values.setdefault(block_id, {})[element["action_id"]] = state_value(element, answer)
    return values


def find_element(
    blocks: Sequence[Mapping[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[str, JSONDict]:
    """The (block_id, element) with ``action_id``; raises if missing or ambiguous."""
    key = action_id if block_id is None else f"{block_id}/{action_id}"
    elements = list(interactive_elements(blocks))
    found_block_id, found_action_id = _locate(elements, key)
    for candidate_block_id, element in elements:
        if (candidate_block_id, element["action_id"]) == (found_block_id, found_action_id):
            return candidate_block_id, element
    raise AssertionError("unreachable")  # _locate only returns existing elements


def action_item(element: Mapping[str, Any], block_id: str, answer: Any, action_ts: str) -> JSONDict:
    """One ``actions[]`` item of a block_actions payload for ``element`` set to ``answer``."""
    kind = str(element.get("type"))
    item: JSONDict = {"type": kind, "action_id": element["action_id"], "block_id": block_id}
    if kind == "overflow":
        item["selected_option"] = _option(element, answer)
    elif kind == "button":
        if answer not in (_NOT_GIVEN, None, element.get("value")):
            raise ValueError(f"button {element['action_id']!r} has value {element.get('value')!r}")
    elif kind in STATE_SHAPES:
        state = state_value(element, answer)
        state.pop("type")
        item.update(state)
    for key in _ECHOED:
        if key in element and key not in item:
            item[key] = copy.deepcopy(element[key])
    item["action_ts"] = action_ts
    return item


def state_value(element: Mapping[str, Any], answer: Any = _NOT_GIVEN) -> JSONDict:
    """The state entry of one element: ``{"type": ..., <state key>: <value>}``."""
    kind = str(element.get("type"))
    if kind not in STATE_SHAPES:
        raise ValueError(f"element type {kind!r} has no known state shape")
    key, empty, initial_key = STATE_SHAPES[kind]
    if answer is _NOT_GIVEN:
        initial = element.get(initial_key) if initial_key else None
        value = copy.deepcopy(initial) if initial is not None else copy.deepcopy(empty)
        if kind == "rich_text_input" and value is None:
            value = _rich_text("")
    elif answer is None:
        value = copy.deepcopy(empty)
    else:
        value = _converted(element, kind, answer)
    return {"type": kind, key: value}


def _converted(element: Mapping[str, Any], kind: str, answer: Any) -> Any:
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        if not isinstance(answer, str | int | float) or isinstance(answer, bool):
            raise ValueError(f"{element['action_id']!r} takes text, got {answer!r}")
        return str(answer)  # Slack sends number_input values as strings too
    if kind in ("static_select", "external_select", "radio_buttons"):
        return _option(element, answer)
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return [_option(element, a) for a in _listed(element, answer)]
    if kind.startswith("multi_"):
        return [str(a) for a in _listed(element, answer)]
    if kind in ("users_select", "conversations_select", "channels_select"):
        return str(answer)
    if kind == "datepicker":
        text = answer.isoformat() if isinstance(answer, dt.date) else str(answer)
        return _matching(element, text, r"\d{4}-\d{2}-\d{2}")
    if kind == "timepicker":
        text = answer.strftime("%H:%M") if isinstance(answer, dt.time) else str(answer)
        return _matching(element, text, r"\d{2}:\d{2}")
    if kind == "datetimepicker":
        return int(answer.timestamp()) if isinstance(answer, dt.datetime) else int(answer)
    if kind == "rich_text_input":
        return _rich_text(answer) if isinstance(answer, str) else copy.deepcopy(answer)
    return copy.deepcopy(answer)  # file_input: a list of file objects


def _option(element: Mapping[str, Any], answer: Any) -> JSONDict:
    """The option object from the element whose value is ``answer`` (external: made up)."""
    if isinstance(answer, Mapping):
        return copy.deepcopy(dict(answer))
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    if not options and element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(answer), "emoji": True}, "value": answer}
    for option in options:
        if option.get("value") == answer:
            return copy.deepcopy(option)
    values = [o.get("value") for o in options]
    raise ValueError(f"{element['action_id']!r} has no option {answer!r}; options: {values}")


def _locate(elements: list[tuple[str, JSONDict]], key: str) -> tuple[str, str]:
    by_action = [(b, e["action_id"]) for b, e in elements if e["action_id"] == key]
    if len(by_action) == 1:
        return by_action[0]
    if len(by_action) > 1:
        blocks = [b for b, _ in by_action]
        raise ValueError(f"action_id {key!r} is in blocks {blocks}; answer as 'block_id/{key}'")
    by_path = [(b, e["action_id"]) for b, e in elements if f"{b}/{e['action_id']}" == key]
    if by_path:
        return by_path[0]
    known = sorted({e["action_id"] for _, e in elements})
    raise ValueError(f"no element with action_id {key!r} in the view; known: {known}")


def _listed(element: Mapping[str, Any], answer: Any) -> list[Any]:
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        raise ValueError(f"{element['action_id']!r} takes a list, got {answer!r}")
    return list(answer)


def _matching(element: Mapping[str, Any], text: str, pattern: str) -> str:
    if not re.fullmatch(pattern, text):
        raise ValueError(f"{element['action_id']!r}: {text!r} does not match {pattern}")
    return text


def _rich_text(text: str) -> JSONDict:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return {"type": "rich_text", "elements": [section] if text else []}
