"""Views as Slack keeps them: ids, hashes, stack links, and the normalisation Slack applies.

Slack hands back more than the app sent: every block gets a ``block_id``, every interactive
element an ``action_id``, input blocks get ``optional``/``dispatch_action`` and plain_text
objects ``emoji``. The fake does the same, so tests see views and messages as the app would in
production (and ``fill_view`` can address generated ids the way Slack's state does).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

from bot.fakeslack.errors import SlackError
from bot.fakeslack.records import JSONDict
from bot.fakeslack.triggers import TriggerIds
from bot.fakeslack.validation import view_problems

# Block-level elements that carry an action_id (images and texts do not).
_INTERACTIVE_SKIP = frozenset({"image", "plain_text", "mrkdwn"})


def short_id(seed: str, length: int = 5) -> str:
    """A stable Slack-looking random id (Slack's generated block_ids look like ``"hspI"``)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha1(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def normalize_blocks(blocks: list[Any], seed: str) -> list[JSONDict]:
    """Copy of ``blocks`` with the ids and defaults Slack adds when it stores them."""
    out = copy.deepcopy(blocks)
    for index, block in enumerate(out):
        block.setdefault("block_id", short_id(f"{seed}:{index}"))
        for n, element in enumerate(_interactive_elements(block)):
            element.setdefault("action_id", short_id(f"{seed}:{index}:{n}"))
        if block.get("type") == "input":
            block.setdefault("optional", False)
            block.setdefault("dispatch_action", False)
    _add_emoji(out)
    return out


def _interactive_elements(block: JSONDict) -> Iterator[JSONDict]:
    kind = block.get("type")
    if kind == "actions":
        yield from block.get("elements") or []
    elif kind == "input" and isinstance(block.get("element"), dict):
        yield block["element"]
    elif kind == "section":
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") not in _INTERACTIVE_SKIP:
            yield accessory


def _add_emoji(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            node.setdefault("emoji", True)
        for value in node.values():
            _add_emoji(value)
    elif isinstance(node, list):
        for value in node:
            _add_emoji(value)


class ViewStore:
    """Modals and home tabs the app has opened, pushed, updated or published."""

    def __init__(self, *, team_id: str, app_id: str, bot_id: str, triggers: TriggerIds) -> None:
        self.team_id, self.app_id, self.bot_id = team_id, app_id, bot_id
        self.views: dict[str, JSONDict] = {}
        self.home_view_ids: dict[str, str] = {}
        self.triggers = triggers
        self._counter = 0  # bumps on every stored version, so hashes change on update
        self._last_view_number = 0

    def open(self, params: JSONDict, *, method: str) -> JSONDict:
        """views.open and views.push: a new modal on a fresh trigger_id."""
        trigger_id = params.get("trigger_id")
        if not trigger_id:
            raise SlackError("invalid_arguments", f"{method}: trigger_id is required")
        view = self._checked_view(params, method, surface="modal")
        external_id = view.get("external_id")
        if external_id and self._by_external_id(external_id) is not None:
            raise SlackError("duplicate_external_id")
        self.triggers.exchange(str(trigger_id))
        view_id = self._new_id()
        self.views[view_id] = self._stored(view_id, view, previous_view_id=None)
        return self._reply(view_id)

    def update(self, params: JSONDict) -> JSONDict:
        """views.update by view_id or external_id, honouring ``hash`` like Slack."""
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if not view_id and not external_id:
            raise SlackError("invalid_arguments", "views.update: view_id or external_id needed")
        if not view_id:
            view_id = self._by_external_id(external_id)
        if view_id not in self.views:
            raise SlackError("not_found")
        current = self.views[view_id]
        surface = "home" if current["type"] == "home" else "modal"
        view = self._checked_view(params, "views.update", surface=surface)
        self._check_hash(params, current)
        view.setdefault("external_id", current["external_id"])
        del self.views[view_id]  # re-inserted last: views are kept in order of last change
        self.views[view_id] = self._stored(
            view_id, view, previous_view_id=current["previous_view_id"]
        )
        return self._reply(view_id)

    def publish(self, params: JSONDict) -> JSONDict:
        """views.publish: the home tab of ``user_id`` (one stable view id per user)."""
        user_id = params.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments", "views.publish: user_id is required")
        view = self._checked_view(params, "views.publish", surface="home")
        view_id = self.home_view_ids.get(user_id)
        if view_id is not None:
            self._check_hash(params, self.views.pop(view_id))
        else:
            view_id = self.home_view_ids[user_id] = self._new_id()
        self.views[view_id] = self._stored(view_id, view, previous_view_id=None)
        return self._reply(view_id)

    def _checked_view(self, params: JSONDict, method: str, *, surface: str) -> JSONDict:
        view = params.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", f"{method}: view must be a JSON object")
        problems = view_problems(view, surface="home" if surface == "home" else "modal")
        if problems:
            messages = [f"{method}: {p.message}" for p in problems]
            raise SlackError("invalid_arguments", *messages)
        return copy.deepcopy(view)

    def _check_hash(self, params: JSONDict, current: JSONDict) -> None:
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")

    def _stored(self, view_id: str, view: JSONDict, *, previous_view_id: str | None) -> JSONDict:
        """The view object exactly as Slack returns it (the keys of the views.open sample)."""
        self._counter += 1
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": normalize_blocks(view.get("blocks") or [], f"{view_id}:{self._counter}"),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{short_id(f'{view_id}:{self._counter}', 8)}",
            "title": _emoji(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": _emoji(view.get("close")),
            "submit": _emoji(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            "submit_disabled": bool(view.get("submit_disabled", False)),
        }

    def _reply(self, view_id: str) -> JSONDict:
        return {"ok": True, "view": copy.deepcopy(self.views[view_id])}

    def _by_external_id(self, external_id: Any) -> str | None:
        return next((i for i, v in self.views.items() if v["external_id"] == external_id), None)

    def _new_id(self) -> str:
        self._last_view_number += 1
        return f"V{self._last_view_number:08d}"


def _emoji(text_object: Any) -> Any:
    if isinstance(text_object, dict):
        text_object = copy.deepcopy(text_object)
        _add_emoji(text_object)
    return text_object
