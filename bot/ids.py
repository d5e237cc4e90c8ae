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
    CLAIM_VERDICT = "claim_verdict"


class ClaimField(StrEnum):
    """The claim form's inputs; each is both the ``block_id`` and the ``action_id`` of its input.

    The values are the field names of the ``form.required`` rule.
    """

    CUSTOMER_NAME = "customer_name"
    OTHER_NAME = "other_name"
    CONTACT_NAME = "contact_name"
    PHONE = "phone"
    EMAIL = "email"
    CREDIT_CODE = "credit_code"
    NEED_SUMMARY = "need_summary"
    REGION = "region"
    SOURCE_CHANNEL = "source_channel"
    DEAL_SIZE = "deal_size"
    FIRST_CONTACT_ON = "first_contact_on"
