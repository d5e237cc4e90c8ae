"""What Slack would reject in a message, a view or an HTTP ack body, as pure functions.

Each rule here either mirrors a documented Slack limit or is a house rule stricter than Slack
(marked "house rule"); both fail a test, because a card the harness lets through must be one
Slack shows. Block structure is checked by parsing every block with ``slack_sdk.models`` and
serialising it back: ``to_dict()`` runs every nested ``validate_json()``, and comparing the
round trip with the input finds what the models silently drop (unknown block or element types,
misspelt attributes, bare strings where Slack needs a text object), which Slack answers with
``invalid_blocks``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# Slack's size limits, each with where Slack documents it:
# - Block Kit reference, "Blocks": "You can include up to 50 blocks in each message, and 100
#   blocks in modals or Home tabs" (https://api.slack.com/reference/block-kit/blocks).
# - chat.postMessage: "truncate messages containing more than 40,000 characters" and the
#   ``msg_too_long`` error (https://api.slack.com/methods/chat.postMessage).
# - View objects: title/submit/close "Max length 24 characters"; private_metadata "Max length
#   3000 characters"; callback_id and external_id "Max length 255 characters"
#   (https://api.slack.com/reference/surfaces/views).
# - block_id on every block and action_id on every interactive element: "Maximum length for
#   this field is 255 characters" (https://api.slack.com/reference/block-kit/blocks,
#   https://api.slack.com/reference/block-kit/block-elements); a section's text "Maximum length
#   for the text in this field is 3000 characters". slack_sdk's models check these three too;
#   slack_rules checks them itself so that the fake does not depend on a slack_sdk version.
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000
VIEW_BUTTON_TEXT_MAX = 24  # title, submit and close
PRIVATE_METADATA_MAX = 3_000
CALLBACK_ID_MAX = 255
EXTERNAL_ID_MAX = 255
BLOCK_ID_MAX = 255
ACTION_ID_MAX = 255
SECTION_TEXT_MAX = 3_000

Surface = Literal["message", "modal", "home"]

# Keys an app may send when creating a view, and the read-only keys Slack adds to the views it
# returns (tolerated so a test may hand a recorded view back, as apps often do).
VIEW_WRITABLE_KEYS = frozenset(
    {
        "type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
        "clear_on_close", "notify_on_close", "external_id", "submit_disabled",
    }
)  # fmt: skip
VIEW_READ_ONLY_KEYS = frozenset(
    {
        "id", "team_id", "state", "hash", "root_view_id", "previous_view_id", "app_id",
        "app_installed_team_id", "bot_id",
    }
)  # fmt: skip
# Block types Slack renders only in messages (docs: "Available in surfaces: Messages").
MESSAGE_ONLY_BLOCK_TYPES = frozenset({"file", "markdown", "table", "call"})
ACK_MESSAGE_KEYS = frozenset({"text", "blocks", "attachments", "response_type", "mrkdwn"})
RESPONSE_TYPES = frozenset({"in_channel", "ephemeral"})


@dataclass(frozen=True)
class Problem:
    """One reason Slack would refuse a payload: the Web API error code and a readable message."""

    error: str
    message: str


def validate_message(params: Mapping[str, Any]) -> list[str]:
    """Problems with a chat.postMessage/postEphemeral/update (or respond()) payload."""
    return [p.message for p in message_problems(params)]


def validate_view(view: Mapping[str, Any] | str, *, surface: Literal["modal", "home"]) -> list[str]:
    """Problems with a view for views.open/push/update (``modal``) or views.publish (``home``)."""
    return [p.message for p in view_problems(view, surface=surface)]


def validate_ack_body(
    body: Mapping[str, Any] | str | bytes | None,
    *,
    submitted_view: Mapping[str, Any] | None = None,
) -> list[str]:
    """Problems with the body an app returned in its HTTP ack.

    A body with ``response_action`` is checked as a view_submission answer ("errors", "update",
    "push", "clear"); pass ``submitted_view`` so "errors" keys are checked against its input
    blocks. Any other non-empty body is checked as a slash-command answer.
    """
    if isinstance(body, bytes):
        body = body.decode()
    if body is None or body == "" or body == {}:
        return []
    if isinstance(body, str):
        text = body
        try:
            body = json.loads(text)
        except ValueError:
            # A plain-text ack; Slack shows it as an ephemeral message.
            return _text_problems(text)
    if not isinstance(body, Mapping):
        return [f"ack body must be a JSON object, got {type(body).__name__}"]
    if "response_action" in body:
        return _view_submission_ack_problems(body, submitted_view)
    problems = [f"ack body has unknown key {k!r}" for k in body if k not in ACK_MESSAGE_KEYS]
    if "response_type" in body and body["response_type"] not in RESPONSE_TYPES:
        problems.append(f"response_type must be one of {sorted(RESPONSE_TYPES)}")
    return problems + validate_message(body)


# Load benchmarks switch this off: there the fake stands in for Slack's servers, whose checking
# costs the bot nothing, so it must not eat the machine's CPU either. Tests never do.
CHECKS_ENABLED = True


def message_problems(params: Mapping[str, Any]) -> list[Problem]:
    """Like :func:`validate_message` but keeps the Slack error code for each problem."""
    if not CHECKS_ENABLED:
        return []
    text = params.get("text")
    blocks = _decoded(params.get("blocks"))
    attachments = _decoded(params.get("attachments"))
    problems: list[Problem] = []
    if text is not None and not isinstance(text, str):
        problems.append(Problem("invalid_arguments", "text must be a string"))
        text = None
    if text and len(text) > MESSAGE_TEXT_MAX:
        problems.append(Problem("msg_too_long", f"text exceeds {MESSAGE_TEXT_MAX} characters"))
    if not text and not blocks and not attachments:
        problems.append(Problem("no_text", "message has no text, blocks or attachments"))
    elif blocks and not (text or "").strip():
        # House rule: Slack accepts this, but notifications and screen readers then show nothing.
        problems.append(Problem("no_text", "message with blocks needs a non-empty fallback text"))
    if blocks is not None:
        problems += _blocks_problems(blocks, surface="message", where="blocks")
    for i, attachment in enumerate(attachments if isinstance(attachments, list) else []):
        if isinstance(attachment, Mapping) and attachment.get("blocks") is not None:
            where = f"attachments[{i}].blocks"
            problems += _blocks_problems(attachment["blocks"], surface="message", where=where)
    return problems


def view_problems(
    view: Mapping[str, Any] | str, *, surface: Literal["modal", "home"]
) -> list[Problem]:
    """Like :func:`validate_view` but keeps the Slack error code for each problem."""
    if not CHECKS_ENABLED:
        return []
    view = _decoded(view)
    if not isinstance(view, Mapping):
        return [Problem("invalid_arguments", "view must be a JSON object")]
    problems = [
        Problem("invalid_arguments", f"view has unknown attribute {k!r}")
        for k in view
        if k not in VIEW_WRITABLE_KEYS | VIEW_READ_ONLY_KEYS
    ]
    if view.get("type") != surface:
        problems.append(Problem("invalid_arguments", f"view type must be {surface!r} here"))
    problems += _view_text_problems(view, surface)
    for key, limit in (
        ("private_metadata", PRIVATE_METADATA_MAX),
        ("callback_id", CALLBACK_ID_MAX),
        ("external_id", EXTERNAL_ID_MAX),
    ):
        value = view.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem("invalid_arguments", f"{key} exceeds {limit} characters"))
    try:
        # Blocks are checked one by one below, with better messages; a placeholder keeps
        # slack_sdk's own block-count rule from reporting the same problem twice.
        # Read-only keys (state above all: slack_sdk's ViewState lags behind Slack's element
        # types) are Slack's own output, not the app's to get wrong.
        writable = {k: v for k, v in view.items() if k in VIEW_WRITABLE_KEYS}
        View(**{**writable, "blocks": [{"type": "divider"}]}).validate_json()
    except (SlackObjectFormationError, TypeError, AttributeError) as e:
        problems.append(Problem("invalid_arguments", f"view: {e}"))
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        problems.append(Problem("invalid_arguments", "view needs a non-empty blocks list"))
        return problems
    if surface == "modal" and not view.get("submit") and _has_input(blocks):
        problems.append(Problem("invalid_arguments", "modal with input blocks needs submit"))
    return problems + [
        Problem("invalid_arguments", p.message)
        for p in _blocks_problems(blocks, surface=surface, where="view.blocks")
    ]


def _view_text_problems(view: Mapping[str, Any], surface: str) -> list[Problem]:
    problems = []
    if surface == "modal" and not view.get("title"):
        problems.append(Problem("invalid_arguments", "modal needs a title"))
    if surface == "home":
        for key in ("submit", "close"):
            if view.get(key):
                problems.append(Problem("invalid_arguments", f"home tab cannot have {key}"))
    for key in ("title", "submit", "close"):
        obj = view.get(key)
        if obj is None:
            continue
        if not isinstance(obj, Mapping) or obj.get("type") != "plain_text":
            problems.append(Problem("invalid_arguments", f"{key} must be a plain_text object"))
            continue
        text = obj.get("text")
        if not isinstance(text, str) or not 0 < len(text) <= VIEW_BUTTON_TEXT_MAX:
            problems.append(
                Problem("invalid_arguments", f"{key} text must be 1-{VIEW_BUTTON_TEXT_MAX} chars")
            )
    return problems


def _blocks_problems(blocks: Any, *, surface: Surface, where: str) -> list[Problem]:
    blocks = _decoded(blocks)
    if not isinstance(blocks, list):
        return [Problem("invalid_blocks_format", f"{where} must be a JSON array")]
    limit = MESSAGE_MAX_BLOCKS if surface == "message" else VIEW_MAX_BLOCKS
    problems = []
    if len(blocks) > limit:
        problems.append(
            Problem("invalid_blocks", f"{where} has {len(blocks)} blocks (max {limit})")
        )
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        label = f"{where}[{i}]"
        if not isinstance(block, Mapping) or "type" not in block:
            problems.append(Problem("invalid_blocks", f"{label} is not a block object"))
            continue
        label = f"{label} ({block['type']}{_id_note(block.get('block_id'))})"
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_block_ids:
                problems.append(Problem("invalid_blocks", f"{label}: duplicate block_id"))
            seen_block_ids.add(block_id)
        problems += [
            Problem("invalid_blocks", f"{label}: {m}") for m in block_problems(block, surface)
        ]
    return problems


def block_problems(block: Mapping[str, Any], surface: Surface = "message") -> list[str]:
    """Problems with one block on the given surface (messages, modals or home tabs)."""
    kind = block.get("type")
    if surface == "message" and kind == "input":
        # House rule: the app collects input in modals only (Slack now allows some in messages).
        return ["input blocks are not allowed in messages"]
    if surface != "message" and kind in MESSAGE_ONLY_BLOCK_TYPES:
        return [f"{kind} blocks are only allowed in messages"]
    strict = slack_rules(block)
    if strict:
        # Checked first: slack_sdk's own parsing may fail on the same mistakes less clearly.
        return strict
    parsed = Block.parse(dict(block))
    if parsed is None:
        return [f"unknown block type {kind!r}"]
    try:
        round_trip = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, AttributeError, KeyError) as e:
        return [str(e)]
    # Length limits (section text 3,000, header 150, button 75, ...) come from to_dict() above.
    return _dropped(block, round_trip, "") + _duplicate_action_ids(block)


# Text fields Slack accepts only as plain_text (Block Kit reference), by the key holding them.
PLAIN_TEXT_ONLY = frozenset({"placeholder", "label", "hint", "title", "confirm", "deny"})
PLAIN_TEXT_IN = {"header": "text", "button": "text"}
FIELD_MAX = 2000
OPTION_VALUE_MAX = 150


def slack_rules(block: Mapping[str, Any]) -> list[str]:
    """What Slack refuses in a block, checked here rather than left to slack_sdk's models:
    block_ids and action_ids over 255 characters, section text over 3,000, mrkdwn where only
    plain_text is allowed (headers, buttons, options of selects, labels, placeholders, confirm
    dialogs), an ``emoji`` flag on mrkdwn, section fields over 2,000 characters, option values
    over 150, and an ``initial_option`` that is not among the options."""
    problems: list[str] = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > BLOCK_ID_MAX:
        problems.append(f"block_id is {len(block_id)} characters (max {BLOCK_ID_MAX})")
    if block.get("type") == "section":
        text = block.get("text")
        text = text.get("text") if isinstance(text, Mapping) else None
        if isinstance(text, str) and len(text) > SECTION_TEXT_MAX:
            problems.append(f"text is {len(text)} characters (max {SECTION_TEXT_MAX})")
        for i, field in enumerate(block.get("fields") or []):
            text = field.get("text") if isinstance(field, Mapping) else None
            if isinstance(text, str) and len(text) > FIELD_MAX:
                problems.append(f"fields[{i}].text is {len(text)} characters (max {FIELD_MAX})")
    _walk(block, "", None, problems)
    return problems


def _walk(node: Any, path: str, parent_type: Any, problems: list[str]) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _walk(item, f"{path}[{i}]", parent_type, problems)
        return
    if not isinstance(node, Mapping):
        return
    kind = node.get("type")
    action_id = node.get("action_id")
    if isinstance(action_id, str) and len(action_id) > ACTION_ID_MAX:
        problems.append(f"{path}.action_id is {len(action_id)} characters (max {ACTION_ID_MAX})")
    if kind == "mrkdwn" and "emoji" in node:
        problems.append(f"{path}: mrkdwn text cannot have an emoji flag")
    for key, value in node.items():
        at = f"{path}.{key}" if path else key
        plain_only = key in PLAIN_TEXT_ONLY or PLAIN_TEXT_IN.get(str(kind)) == key
        if key == "confirm" and isinstance(value, Mapping) and "title" in value:
            text = value.get("text")
            if isinstance(text, Mapping) and text.get("type") == "mrkdwn":
                problems.append(f"{at}.text must be plain_text, not mrkdwn")
        if parent_type in SELECTS and key == "text" and kind is None:
            plain_only = True  # an option of a select or overflow menu
        if plain_only and isinstance(value, Mapping) and value.get("type") == "mrkdwn":
            problems.append(f"{at} must be plain_text, not mrkdwn")
    if kind in SELECTS or kind in ("radio_buttons", "checkboxes"):
        options = _options(node)
        for i, option in enumerate(options):
            value = option.get("value")
            if isinstance(value, str) and len(value) > OPTION_VALUE_MAX:
                problems.append(
                    f"{path}.options[{i}].value is {len(value)} characters (max {OPTION_VALUE_MAX})"
                )
        values = {o.get("value") for o in options}
        initial = node.get("initial_option")
        if options and isinstance(initial, Mapping) and initial.get("value") not in values:
            problems.append(f"{path}.initial_option is not one of the options")
        for option in node.get("initial_options") or []:
            if options and isinstance(option, Mapping) and option.get("value") not in values:
                problems.append(f"{path}.initial_options has a value not among the options")
    for key, value in node.items():
        if isinstance(value, Mapping | list):
            child_parent = kind if key in ("options", "option_groups") else parent_type
            if key in ("options", "option_groups") and kind in SELECTS:
                child_parent = kind
            _walk(value, f"{path}.{key}" if path else key, child_parent, problems)


SELECTS = frozenset({"static_select", "multi_static_select", "overflow"})


def _options(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = [o for o in node.get("options") or [] if isinstance(o, Mapping)]
    for group in node.get("option_groups") or []:
        if isinstance(group, Mapping):
            options += [o for o in group.get("options") or [] if isinstance(o, Mapping)]
    return options


def _dropped(original: Any, round_trip: Any, path: str) -> list[str]:
    """What slack_sdk could not represent: Slack would not accept it either."""
    if isinstance(original, Mapping) and isinstance(round_trip, Mapping):
        problems = []
        for key, value in original.items():
            at = f"{path}.{key}" if path else key
            if key in round_trip:
                problems += _dropped(value, round_trip[key], at)
            elif value is None:
                problems.append(f"{at} is null")
            elif value in ("", [], {}):
                problems.append(f"{at} is empty")
            elif isinstance(value, Mapping) and "type" in value:
                problems.append(f"{at} has unknown element type {value['type']!r}")
            else:
                problems.append(f"{at} is not a known attribute here")
        return problems
    if isinstance(original, list) and isinstance(round_trip, list):
        if len(original) != len(round_trip):
            kinds = [v.get("type") for v in original if isinstance(v, Mapping)]
            return [f"{path} has items slack_sdk cannot parse (types {kinds})"]
        return [
            p
            for i, (a, b) in enumerate(zip(original, round_trip, strict=True))
            for p in _dropped(a, b, f"{path}[{i}]")
        ]
    if isinstance(original, str) and isinstance(round_trip, Mapping):
        return [f"{path} must be a text object, not a bare string"]
    return []


def _duplicate_action_ids(block: Mapping[str, Any]) -> list[str]:
    elements = (
        block.get("elements") if block.get("type") in ("actions", "context_actions") else None
    )
    seen: set[str] = set()
    problems = []
    for element in elements or []:
        action_id = element.get("action_id") if isinstance(element, Mapping) else None
        if action_id in seen:
            problems.append(f"duplicate action_id {action_id!r}")
        if isinstance(action_id, str):
            seen.add(action_id)
    return problems


def _view_submission_ack_problems(
    body: Mapping[str, Any], submitted_view: Mapping[str, Any] | None
) -> list[str]:
    action = body["response_action"]
    allowed = {"errors": {"errors"}, "update": {"view"}, "push": {"view"}, "clear": set()}
    if action not in allowed:
        return [f"response_action must be one of {sorted(allowed)}, got {action!r}"]
    problems = [
        f"response_action {action!r} does not take key {k!r}"
        for k in body
        if k != "response_action" and k not in allowed[action]
    ]
    if action in ("update", "push"):
        if "view" not in body:
            return [*problems, f"response_action {action!r} needs a view"]
        return problems + validate_view(body["view"], surface="modal")
    if action == "errors":
        problems += _errors_problems(body.get("errors"), submitted_view)
    return problems


def _errors_problems(errors: Any, submitted_view: Mapping[str, Any] | None) -> list[str]:
    if not isinstance(errors, Mapping) or not errors:
        return ['response_action "errors" needs a non-empty errors object']
    problems = [
        f"errors[{block_id!r}] must be a non-empty string"
        for block_id, message in errors.items()
        if not isinstance(message, str) or not message.strip()
    ]
    if submitted_view is not None:
        # Slack can only show an error under an input block; any other key makes the whole
        # submission fail with a generic "trouble connecting" banner.
        inputs = {
            b.get("block_id")
            for b in submitted_view.get("blocks") or []
            if isinstance(b, Mapping) and b.get("type") == "input"
        }
        problems += [
            f"errors key {block_id!r} is not the block_id of an input block in the view"
            for block_id in errors
            if block_id not in inputs
        ]
    return problems


def _text_problems(text: str) -> list[str]:
    if len(text) > MESSAGE_TEXT_MAX:
        return [f"ack text exceeds {MESSAGE_TEXT_MAX} characters"]
    return []


def _has_input(blocks: Sequence[Any]) -> bool:
    return any(isinstance(b, Mapping) and b.get("type") == "input" for b in blocks)


def _id_note(block_id: Any) -> str:
    return f" block_id={block_id!r}" if block_id else ""


def _decoded(value: Any) -> Any:
    """Web API form posts carry blocks/views as JSON strings; decode them for checking."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
