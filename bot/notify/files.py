"""Notices that are files rather than messages (a chart): which function makes each kind's file.

The outbox worker shares such a notice with ``files.uploadV2`` instead of posting a message; the
kind's card (``cards.registry``) gives the line shared with the file.
Modules declare their kinds with :func:`shares_file`; importing :data:`FILE_MODULES` registers
them, as ``cards.registry`` does for messages.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.i18n import Translator


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file to share in a conversation."""

    filename: str
    content: bytes
    title: str
    alt_text: str


FileRenderer = Callable[[dict[str, Any], Translator], Awaitable[SharedFile]]

_FILES: dict[str, FileRenderer] = {}

FILE_MODULES = ("bot.digest.weekly",)


def shares_file(kind: str) -> Callable[[FileRenderer], FileRenderer]:
    """Declare ``function`` as the maker of the file of notices of ``kind``."""

    def add(function: FileRenderer) -> FileRenderer:
        if kind in _FILES:
            raise ValueError(f"two functions make the file of {kind!r}")
        _FILES[kind] = function
        return function

    return add


def file_renderer(kind: str) -> FileRenderer | None:
    """The maker of ``kind``'s file, if the kind is a file."""
    for module in FILE_MODULES:
        importlib.import_module(module)
    return _FILES.get(kind)
