"""Which card renders which outbox notice. Card modules declare theirs with :func:`renders`;
importing this module imports them all, so the worker can render any kind it meets."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import Block

from bot.i18n import Translator

Renderer = Callable[[dict[str, Any], Translator], tuple[str, list[Block]]]

_RENDERERS: dict[str, Renderer] = {}

# Modules holding notice cards; each registers its kinds on import.
CARD_MODULES = (
    "cards.verdict",
    "cards.approval",
    "cards.lifecycle",
    "cards.reminders",
    "cards.pool",
    "cards.disputes",
    "cards.transfers",
    "cards.operations",
    "cards.corrections",
    "cards.books",
    "cards.merge",
    "cards.digest",
)


def renders(kind: str) -> Callable[[Renderer], Renderer]:
    """Declare ``function`` as the card for outbox notices of ``kind``."""

    def add(function: Renderer) -> Renderer:
        if kind in _RENDERERS:
            raise ValueError(f"two cards render {kind!r}")
        _RENDERERS[kind] = function
        return function

    return add


def render_notice(kind: str, payload: dict[str, Any], tr: Translator) -> tuple[str, list[Block]]:
    """Fallback text and blocks for a notice."""
    _load()
    return _RENDERERS[kind](payload, tr)


def known_kinds() -> set[str]:
    """Every notice kind a card exists for."""
    _load()
    return set(_RENDERERS)


def _load() -> None:
    for module in CARD_MODULES:
        importlib.import_module(module)
