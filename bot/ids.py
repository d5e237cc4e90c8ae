"""Every Slack identifier the app owns: callback IDs, action IDs, block IDs.

Handlers, cards and the manifest refer to these names only; a literal ID anywhere else is a bug.
"""

from __future__ import annotations

from enum import StrEnum

SLASH_COMMAND = "/claim"


class Shortcut(StrEnum):
    """Global and message shortcuts (``callback_id`` in ``manifest.yaml``)."""

    NEW_CLAIM = "claim_new"


class View(StrEnum):
    """Modal ``callback_id`` values."""

    CLAIM_FORM = "claim_form"
