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


# A customer profile field's input (``form.profile`` in the rules): this prefix and the field's
# key are both its ``block_id`` and its ``action_id``.
PROFILE_INPUT_PREFIX = "profile."


class LifecycleAction(StrEnum):
    """Buttons of a claim's life after filing: follow-ups, extensions, the public pool."""

    LOG_FOLLOWUP = "followup_log"
    REQUEST_EXTENSION = "extension_request"
    APPROVE_EXTENSION = "extension_approve"
    REJECT_EXTENSION = "extension_reject"
    CLAIM_FROM_POOL = "pool_claim"
    POOL_NEXT = "pool_next"
    POOL_PREVIOUS = "pool_previous"


class LifecycleView(StrEnum):
    """Modal ``callback_id`` values of follow-ups and extensions."""

    FOLLOWUP_FORM = "followup_form"
    FOLLOWUP_DONE = "followup_done"
    EXTENSION_FORM = "extension_form"


class FollowUpField(StrEnum):
    """The follow-up form's inputs; each is both the ``block_id`` and the ``action_id``."""

    DATE = "followup_date"
    TIME = "followup_time"
    METHOD = "followup_method"
    SUMMARY = "followup_summary"
    NEXT_STEP = "followup_next_step"
    NEXT_STEP_ON = "followup_next_step_on"
    STAGE = "followup_stage"


class ExtensionField(StrEnum):
    """The extension request form's input."""

    REASON = "extension_reason"


class ApprovalAction(StrEnum):
    """Buttons of the approval card, the pending list and the rep's question DM.

    Each carries only an id (a claim's, or a question's for ANSWER); the server checks the rest.
    """

    APPROVE = "approval_approve"
    REJECT = "approval_reject"
    ASK = "approval_ask"
    ANSWER = "approval_answer"
    PENDING_MORE = "approval_pending_more"


class ApprovalBlock(StrEnum):
    """Block ids of approval messages (the pending list suffixes ``:<claim id>``)."""

    ACTIONS = "approval_actions"
    MORE = "approval_more"


class ApprovalView(StrEnum):
    """Modal ``callback_id`` values of approvals."""

    REJECT = "approval_reject_form"
    ASK = "approval_ask_form"
    ANSWER = "approval_answer_form"
    NOTICE = "approval_notice"


class ApprovalField(StrEnum):
    """The approval modals' inputs; each is both the ``block_id`` and the ``action_id``."""

    REASON = "approval_reason"
    QUESTION = "approval_question"
    ANSWER = "approval_answer_text"


class ListAction(StrEnum):
    """Buttons of ``/claim mine``, ``/claim team``, ``/claim search`` and ``/claim history``.

    NEXT and PREVIOUS carry ``{"scope": "mine"|"team", "page": n}``; MANAGE is the overflow menu
    on a team list row (``transfer:<claim id>`` / ``release:<claim id>``); HISTORY carries a
    customer id.
    """

    PREVIOUS = "list_previous"
    NEXT = "list_next"
    MANAGE = "list_manage"
    HISTORY = "list_history"


class DisputeAction(StrEnum):
    """**Dispute** on a collision notice; **Keep holder** / **Transfer to challenger** on the
    dispute card. Each carries only a collision id; the server checks the rest."""

    OPEN = "dispute_open"
    KEEP = "dispute_keep"
    TRANSFER = "dispute_transfer"


class DisputeView(StrEnum):
    """Modal ``callback_id`` values of disputes."""

    OPEN = "dispute_open_form"
    DECIDE = "dispute_decide_form"
    NOTICE = "dispute_notice"


class DisputeField(StrEnum):
    """The dispute modals' input (both the ``block_id`` and the ``action_id``)."""

    REASON = "dispute_reason"


class TransferView(StrEnum):
    """Modal ``callback_id`` values of a manager's transfer and release."""

    TRANSFER = "transfer_form"
    RELEASE = "release_form"
    NOTICE = "transfer_notice"


class TransferField(StrEnum):
    """The transfer and release modals' inputs (each both ``block_id`` and ``action_id``)."""

    TARGET = "transfer_target"
    REASON = "transfer_reason"


class HomeAction(StrEnum):
    """Elements of the App Home (the 驾驶舱): the period select, paging, the New claim button.

    The paging buttons carry ``"<section>:<offset>"`` (a :class:`HomeSection`); the decision and
    follow-up buttons on the Home are the approval and lifecycle ones, handled where they always
    are.
    """

    NEW_CLAIM = "home_new_claim"
    REFRESH = "home_refresh"
    PERIOD = "home_period"
    PAGE_NEXT = "home_page_next"
    PAGE_BACK = "home_page_back"
    # A link button elsewhere (a team's digest) that opens the Home; its click is only acked.
    OPEN = "home_open"


class HomeSection(StrEnum):
    """The pageable lists of the App Home."""

    MINE = "mine"  # the rep's active claims
    DECISIONS = "decisions"  # claims waiting for the manager's decision
    ATTENTION = "attention"  # the team's overdue and soon-to-be-reclaimed claims


class HomeBlock(StrEnum):
    """Block ids of the App Home (list rows suffix ``:<claim id>``)."""

    TOOLS = "home_tools"
    PERIOD = "home_period"
    PAGER = "home_pager"


class CorrectionAction(StrEnum):
    """**Edit** on a claim's message and the Home, and **Correct and resubmit** on a rejection;
    each carries only a claim id, and the server checks the clicker's rights."""

    EDIT = "claim_edit"
    RESUBMIT = "claim_resubmit"


class CorrectionView(StrEnum):
    """Modal ``callback_id`` values of corrections after filing."""

    EDIT = "claim_edit_form"
    RESUBMIT = "claim_resubmit_form"
    NOTICE = "claim_correction_notice"


class BookAction(StrEnum):
    """**Hand over** / **Cancel** under a book handover's preview. Confirm carries
    ``{"from": user, "to": user, "reason": text}``; the server checks the rights again."""

    CONFIRM = "handover_confirm"
    CANCEL = "handover_cancel"


class MergeAction(StrEnum):
    """**Merge** / **Cancel** under a customer merge's preview. Merge carries
    ``{"survivor": id, "duplicate": id}``; the server checks the rights again."""

    CONFIRM = "merge_confirm"
    CANCEL = "merge_cancel"
