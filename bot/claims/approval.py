"""Which claims wait for a manager (审批规则). Any rule firing holds a claim back; the verdict
names every rule that fired, so the rep knows why and the manager knows what to look at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.claims.draft import ClaimDraft
from bot.claims.profile import holds
from bot.duplicates import Match
from bot.matching import company_key
from bot.rules import Rules


class ApprovalRule(StrEnum):
    """The approval rules; the values are the ``approval.*`` switches of the rules file."""

    POSSIBLE_DUPLICATE = "possible_duplicate"
    LATE_REGISTRATION = "late_registration"
    DEAL_SIZE = "deal_size"
    KEY_ACCOUNT = "key_account"
    PARTNER = "partner"
    CROSS_REGION = "cross_region"
    PROFILE = "profile"


@dataclass(frozen=True, slots=True)
class Filer:
    """The person filing, as the approval rules see them."""

    user_id: str
    is_partner: bool = False
    team_id: int | None = None
    team_region: str | None = None


def rules_fired(
    draft: ClaimDraft,
    filer: Filer,
    rules: Rules,
    *,
    possible_duplicates: Sequence[Match],
    today: date,
) -> list[ApprovalRule]:
    """The approval rules this claim sets off, in a stable order."""
    approval = rules.approval
    fired: list[ApprovalRule] = []
    if approval.possible_duplicate and possible_duplicates:
        fired.append(ApprovalRule.POSSIBLE_DUPLICATE)
    if (
        approval.late_registration
        and draft.first_contact_on is not None
        and today - draft.first_contact_on > timedelta(days=rules.registration_deadline_days)
    ):
        fired.append(ApprovalRule.LATE_REGISTRATION)
    if (
        approval.deal_size_threshold is not None
        and draft.deal_size is not None
        and draft.deal_size >= approval.deal_size_threshold
    ):
        fired.append(ApprovalRule.DEAL_SIZE)
    if approval.key_accounts and set(draft.name_keys()) & key_account_keys(rules):
        fired.append(ApprovalRule.KEY_ACCOUNT)
    if approval.partner and filer.is_partner:
        fired.append(ApprovalRule.PARTNER)
    if (
        approval.cross_region
        and draft.region is not None
        and filer.team_region is not None
        and draft.region != filer.team_region
    ):
        fired.append(ApprovalRule.CROSS_REGION)
    if any(holds(condition, draft.profile) for condition in approval.profile):
        fired.append(ApprovalRule.PROFILE)
    return fired


def key_account_keys(rules: Rules) -> set[str]:
    """The normalised names of the configured key accounts."""
    return {k for k in (company_key(name) for name in rules.approval.key_accounts) if k}
