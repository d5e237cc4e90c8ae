"""The REST API's documents: pydantic models that validate requests, shape answers and generate
the OpenAPI document (``/api/v1/openapi.json``), so the three cannot disagree."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.claims.profile import MULTI_SEPARATOR
from bot.claims.verdict import Verdict
from bot.duplicates import Holder, Match
from bot.ids import PROFILE_INPUT_PREFIX
from store.models import AuditEvent, Claim, ClaimStatus, Customer

SlackUserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,20}$")]
ClaimStatusName = Literal["pending", "active", "won", "rejected", "lost", "released"]
HoldingStatus = Literal["free", "pool", "pending", "held", "won"]


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- errors -----------------------------------------------------------------------------------


class FieldProblem(_Document):
    field: str = Field(description="The request field (or query parameter) at fault.")
    message: str


class ErrorDetail(_Document):
    code: str = Field(
        description="Stable machine-readable code: unauthorized, insufficient_scope, not_found, "
        "invalid_request, unknown_user, rate_limited, unavailable, internal_error."
    )
    message: str = Field(description="A human-readable sentence (Accept-Language: en or zh).")
    fields: list[FieldProblem] = []


class ErrorBody(_Document):
    error: ErrorDetail


# -- the duplicate check ----------------------------------------------------------------------


class CheckQuery(_Document):
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="A company name, phone number, e-mail address or credit code."
    )


class CheckMatch(_Document):
    """What ``/claim check`` tells anyone: who holds the customer, in what state, until when."""

    customer_id: int
    customer_name: str
    matched_on: Literal["name", "credit_code", "phone", "email", "email_domain"]
    score: float
    clear: bool = Field(description="The same customer (true) or a possible duplicate (false).")
    status: HoldingStatus
    holder_id: str | None = None
    holder_until: datetime | None = None

    @classmethod
    def of(cls, match: Match) -> CheckMatch:
        return cls(
            customer_id=match.customer_id,
            customer_name=match.customer_name,
            matched_on=match.matched_on.value,
            score=round(match.score, 1),
            clear=match.clear,
            status=holding_status(match.holder, pooled=match.pooled),
            holder_id=match.holder.owner_id if match.holder else None,
            holder_until=match.holder.until if match.holder else None,
        )


class CheckResult(_Document):
    query: str
    matches: list[CheckMatch]


def holding_status(holder: Holder | None, *, pooled: bool) -> HoldingStatus:
    """The customer's state in one word, as the duplicate check phrases it."""
    if holder is None:
        return "pool" if pooled else "free"
    if holder.status is ClaimStatus.PENDING:
        return "pending"
    if holder.status is ClaimStatus.WON:
        return "won"
    return "held"


# -- claims -----------------------------------------------------------------------------------


class PageQuery(_Document):
    limit: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="Items per page (default and maximum from the rules' api:)."
    )
    cursor: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The next_cursor of the previous page."
    )


class ClaimQuery(PageQuery):
    status: ClaimStatusName | None = None
    owner_id: SlackUserId | None = None
    customer_id: Annotated[int, Field(ge=1)] | None = None
    team_id: Annotated[int, Field(ge=1)] | None = None
    submitted_since: datetime | None = Field(default=None, description="ISO 8601, inclusive.")
    submitted_before: datetime | None = Field(default=None, description="ISO 8601, exclusive.")


class ClaimOut(_Document):
    id: int
    customer_id: int
    customer_name: str
    other_name: str | None
    owner_id: str
    team_id: int | None
    status: ClaimStatusName
    via: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision: str | None
    decision_reason: str | None
    protection_until: datetime | None
    last_activity_at: datetime | None
    stage: str | None
    extensions_granted: int
    ended_at: datetime | None
    end_reason: str | None
    contact_name: str | None
    phone: str | None
    email: str | None
    credit_code: str | None
    need_summary: str | None
    region: str | None
    source_channel: str | None
    deal_size: Decimal | None
    first_contact_on: date | None
    profile: dict[str, Any] = Field(
        default={},
        description="The customer profile fields of the rules (form.profile) filled in: "
        "a select's option key, a multi-select's keys, a text, a number.",
    )

    @classmethod
    def of(cls, claim: Claim) -> ClaimOut:
        return cls.model_validate({name: getattr(claim, name) for name in cls.model_fields})


class ClaimPage(_Document):
    items: list[ClaimOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null at the end."
    )


class HistoryEvent(_Document):
    """One audit event of a claim (the same documents webhooks deliver, without the event ID)."""

    at: datetime
    type: str
    actor_id: str
    claim_id: int | None
    customer_id: int | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> HistoryEvent:
        return cls(
            at=event.at,
            type=event.action,
            actor_id=event.actor_id,
            claim_id=event.claim_id,
            customer_id=event.customer_id,
            data=dict(event.data),
        )


class ClaimHistory(_Document):
    claim_id: int
    events: list[HistoryEvent]


# -- filing -----------------------------------------------------------------------------------


class NewClaim(_Document):
    """A claim filed on behalf of a Slack user: the claim form's fields, checked by the same rules
    (required fields, formats, duplicate check, approval rules, cap and cool-down)."""

    user_id: SlackUserId = Field(description="The Slack user the claim is filed for.")
    customer_name: str | None = None
    other_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    need_summary: str | None = None
    region: str | None = Field(default=None, description="A region key from the rules.")
    source_channel: str | None = Field(default=None, description="A source key from the rules.")
    deal_size: str | None = Field(default=None, description='A number, e.g. "250000".')
    first_contact_on: str | None = Field(default=None, description="ISO date, e.g. 2026-11-20.")
    profile: dict[str, str | list[str] | float] = Field(
        default={},
        description="Customer profile fields of the rules (form.profile) by key: a select's "
        'option key, a multi-select\'s keys, a text, a number, e.g. {"industry": "finance"}.',
    )

    def form_fields(self) -> dict[str, str | None]:
        """The fields as the form submits them (a profile field under its input id, a
        multi-select's keys one a line)."""
        fields: dict[str, str | None] = self.model_dump(exclude={"user_id", "profile"})
        for key, value in self.profile.items():
            text = MULTI_SEPARATOR.join(value) if isinstance(value, list) else str(value)
            fields[f"{PROFILE_INPUT_PREFIX}{key}"] = text
        return fields


class FilingResult(_Document):
    """The verdict, as the form shows it to the rep (who is also told in Slack)."""

    outcome: Literal["claimed", "pending", "collision", "already_yours", "refused"]
    customer_id: int | None
    customer_name: str
    claim_id: int | None = None
    protection_until: datetime | None = None
    approval_rules: list[str] = Field(default=[], description="Why a manager must approve it.")
    holder_id: str | None = Field(default=None, description="Who holds it (a collision).")
    holder_until: datetime | None = None
    refusal: Literal["cap", "cooldown"] | None = None
    refusal_until: datetime | None = None
    replayed: bool = Field(
        default=False, description="The same Idempotency-Key was filed before; this is its verdict."
    )

    @classmethod
    def of(cls, verdict: Verdict) -> FilingResult:
        return cls(
            outcome=verdict.outcome.value,
            customer_id=verdict.customer_id,
            customer_name=verdict.customer_name,
            claim_id=verdict.claim_id,
            protection_until=verdict.protection_until,
            approval_rules=[r.value for r in verdict.rules],
            holder_id=verdict.holder.owner_id if verdict.holder else None,
            holder_until=verdict.holder.until if verdict.holder else None,
            refusal=verdict.refusal.value if verdict.refusal else None,
            refusal_until=verdict.refusal_until,
            replayed=verdict.replayed,
        )


# -- customers --------------------------------------------------------------------------------


class CustomerQuery(PageQuery):
    pooled: bool | None = Field(default=None, description="Only customers in (or out of) the pool.")
    created_since: datetime | None = None


class HolderOut(_Document):
    claim_id: int
    owner_id: str
    status: Literal["pending", "active", "won"]
    until: datetime | None


class CustomerOut(_Document):
    id: int
    name: str
    credit_code: str | None
    region: str | None
    created_at: datetime
    pooled_at: datetime | None
    status: HoldingStatus
    holder: HolderOut | None

    @classmethod
    def of(cls, customer: Customer, holding: Claim | None) -> CustomerOut:
        holder = Holder.of(holding) if holding is not None else None
        return cls(
            id=customer.id,
            name=customer.name,
            credit_code=customer.credit_code,
            region=customer.region,
            created_at=customer.created_at,
            pooled_at=customer.pooled_at,
            status=holding_status(holder, pooled=customer.pooled_at is not None),
            holder=HolderOut(
                claim_id=holder.claim_id,
                owner_id=holder.owner_id,
                status=holder.status.value,
                until=holder.until,
            )
            if holder
            else None,
        )


class CustomerPage(_Document):
    items: list[CustomerOut]
    next_cursor: str | None
