"""The tables. Every row carries ``workspace_id`` (the Slack team ID) so one database can serve
several workspaces; every query filters on it.

Times are aware UTC datetimes with microseconds (:class:`store.types.UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import JSONDocument, UTCDateTime

# Integer on SQLite (so it is the rowid alias and autoincrements), BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONDocument,
    }


WorkspaceId = String(32)
UserRef = String(32)


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"
    PARTNER = "partner"


class ClaimStatus(StrEnum):
    PENDING = "pending"  # waiting for a manager
    ACTIVE = "active"  # approved and protected
    WON = "won"  # deal won; the customer stays with the owner, no reclaim
    REJECTED = "rejected"
    LOST = "lost"  # deal lost; released to the pool
    RELEASED = "released"  # reclaimed, released by a manager, or transferred away

    @classmethod
    def holding(cls) -> tuple[ClaimStatus, ...]:
        """Statuses in which a claim holds its customer against everyone else."""
        return (cls.PENDING, cls.ACTIVE, cls.WON)


HOLDING_SQL = "status IN ('pending', 'active', 'won')"


class EndReason(StrEnum):
    """Why a claim stopped holding its customer (``claims.end_reason``); the statuses each may
    end in are in :mod:`store.transitions`."""

    REJECTED = "rejected"  # a manager rejected it while pending
    RECLAIMED = "reclaimed"  # no follow-up for reclaim_idle_days
    PROTECTION_ENDED = "protection_ended"  # the protection period ran out
    WON = "won"  # deal won: protection ends, the customer stays with the rep
    LOST = "lost"  # deal lost: released to the pool
    RELEASED = "released"  # released to the pool by a manager (bot/transfers.py)
    TRANSFERRED = "transferred"  # handed to another rep by a manager or a dispute
    WITHDRAWN = "withdrawn"  # the owner withdrew it: the customer is free, no cool-down
    MERGED = "merged"  # its customer was merged into another held by an earlier claim

    @classmethod
    def without_cooldown(cls) -> tuple[EndReason, ...]:
        """Endings after which the former owner may claim the customer again at once."""
        return (cls.WITHDRAWN, cls.MERGED)


class Via(StrEnum):
    """How a claim came to be (``claims.via``)."""

    FORM = "form"  # a rep filed it
    POOL = "pool"  # a rep took it from the public pool
    IMPORT = "import"  # loaded from an old list (claimbot import)
    TRANSFER = "transfer"  # a manager or a dispute handed the customer over
    API = "api"  # another system filed it for a rep through the REST API

    @classmethod
    def not_filed(cls) -> tuple[Via, ...]:
        """Claims no rep filed in the period they appear in (the metrics leave them out)."""
        return (cls.IMPORT, cls.TRANSFER)


class Decision(StrEnum):
    """Who or what decided a claim (``claims.decision``; ``None`` while pending)."""

    AUTO = "auto"  # no approval rule fired: active at filing
    APPROVED = "approved"
    REJECTED = "rejected"
    IMPORT = "import"  # active as imported
    TRANSFER = "transfer"  # active as handed over

    @classmethod
    def approving(cls) -> tuple[Decision, ...]:
        """Decisions that approved what a rep filed."""
        return (cls.AUTO, cls.APPROVED)


class KeyKind(StrEnum):
    NAME = "name"
    CREDIT_CODE = "credit_code"
    PHONE = "phone"
    EMAIL = "email"
    # The company domain of an e-mail address (never a free-mail one): a hint, not an identifier.
    EMAIL_DOMAIN = "email_domain"


class Person(Base):
    """A Slack user the bot knows: role, language and time zone (cached from ``users.info``)."""

    __tablename__ = "people"

    workspace_id: Mapped[str] = mapped_column(WorkspaceId, primary_key=True)
    user_id: Mapped[str] = mapped_column(UserRef, primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.REP)
    role_set_by: Mapped[str | None] = mapped_column(UserRef)
    display_name: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    tz: Mapped[str | None] = mapped_column(String(64))
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_fetched_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Team(Base):
    """A sales team; its managers decide its members' claims."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    name: Mapped[str] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(75))
    created_at: Mapped[datetime]
    # The team's channel (its digest goes there); set from the rules file until someone sets or
    # clears it in Slack (``channel_set_by``), after which Slack is the source of truth.
    channel: Mapped[str | None] = mapped_column(String(32))
    channel_set_by: Mapped[str | None] = mapped_column(UserRef)
    # The local days whose daily digest and weekly summary were decided (posted, or found quiet):
    # each is decided once, and the next digest covers what ended since the last one.
    digest_on: Mapped[date | None] = mapped_column(Date)
    summary_on: Mapped[date | None] = mapped_column(Date)


class TeamMember(Base):
    """Membership of a person in a team, as a manager or a member."""

    __tablename__ = "team_members"
    __table_args__ = (Index(None, "workspace_id", "user_id"),)

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(UserRef, primary_key=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)


class Customer(Base):
    """A company, one record however many claims it sees over time."""

    __tablename__ = "customers"
    __table_args__ = (
        Index(None, "workspace_id", "name_key"),
        # The public pool, newest first (/claim pool).
        Index(None, "workspace_id", "pooled_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    # The name in the other language it was created with (claims keep theirs): with ``name`` and
    # the claims' names, every name a key was computed from, for ``claimbot rekey``.
    other_name: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    region: Mapped[str | None] = mapped_column(String(75))
    # Set while the customer sits in the public pool (released and not yet claimed again).
    pooled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(UserRef)


class RekeyRun(Base):
    """``claimbot rekey`` for one workspace: where it got to, and the generation of name keys.

    A run that has not finished resumes after ``last_customer_id``. ``generation`` grows by one
    when a run finishes: a bot whose in-memory name index was built at an older generation
    rebuilds it, dropping the keys the run deleted.
    """

    __tablename__ = "rekey_runs"

    workspace_id: Mapped[str] = mapped_column(WorkspaceId, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    last_customer_id: Mapped[int] = mapped_column(BigId)
    customers_done: Mapped[int] = mapped_column(Integer)
    keys_added: Mapped[int] = mapped_column(Integer)
    keys_removed: Mapped[int] = mapped_column(Integer)


class CustomerKey(Base):
    """One identifying key of a customer: a name key, credit code, phone or e-mail.

    Rows are only ever inserted, under the workspace's claim lock, so their ids grow in commit
    order and an in-memory name index can catch up with ``id > last seen``.
    """

    __tablename__ = "customer_keys"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "value", "customer_id"),
        Index(None, "workspace_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]


class Claim(Base):
    """A rep's registered right to work one customer.

    At most one claim holds a customer (status pending, active or won): a partial unique index
    enforces it in the database, beneath the claim lock that decides who came first.
    """

    __tablename__ = "claims"
    __table_args__ = (
        Index(
            "ux_claims_one_holder",
            "customer_id",
            unique=True,
            sqlite_where=text(HOLDING_SQL),
            postgresql_where=text(HOLDING_SQL),
        ),
        UniqueConstraint("workspace_id", "submission_key"),
        Index(None, "workspace_id", "owner_id", "status"),
        Index(None, "workspace_id", "status", "protection_until"),
        Index(None, "workspace_id", "status", "last_activity_at"),
        Index(None, "workspace_id", "status", "submitted_at"),
        # The sweep's reminders of next steps, stage timers and first contacts.
        Index(None, "workspace_id", "status", "next_step_on"),
        Index(None, "workspace_id", "status", "stage_since"),
        Index(None, "workspace_id", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    owner_id: Mapped[str] = mapped_column(UserRef)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16), default=Via.FORM.value)  # a Via
    # Identifies one submission so a retried or double-clicked submit files one claim.
    submission_key: Mapped[str] = mapped_column(String(128))
    submitted_at: Mapped[datetime]
    # What was filed.
    customer_name: Mapped[str] = mapped_column(String(200))
    other_name: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    need_summary: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(75))
    source_channel: Mapped[str | None] = mapped_column(String(75))
    deal_size: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    # The customer profile fields of the rules (form.profile) filled in: {key: value}.
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # A correction of a rejected claim ("Correct and resubmit"): that claim's id.
    resubmits_id: Mapped[int | None] = mapped_column(BigId)
    # Where the rep filed from, to answer there.
    origin_channel: Mapped[str | None] = mapped_column(String(32))
    # Approval.
    rules_fired: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(UserRef)
    decision: Mapped[str | None] = mapped_column(String(16))  # a Decision
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Protection and activity.
    protection_until: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    stage: Mapped[str | None] = mapped_column(String(75))
    # When the claim entered its stage (a stage timer runs from it).
    stage_since: Mapped[datetime | None]
    # The latest follow-up's next step and its date (a reminder on that day; the Home's To do).
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_on: Mapped[date | None] = mapped_column(Date)
    extensions_granted: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # Bumped on every change so a stale button click can be told apart from a fresh one.
    version: Mapped[int] = mapped_column(Integer, default=1)


class FollowUp(Base):
    """A logged follow-up on a claim; it resets the idle clock."""

    __tablename__ = "followups"
    __table_args__ = (
        Index(None, "claim_id", "happened_at"),
        Index(None, "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(UserRef)
    happened_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_on: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str | None] = mapped_column(String(75))
    created_at: Mapped[datetime]


class Collision(Base):
    """A claim attempt on a customer someone else holds (撞单), and its dispute if any."""

    __tablename__ = "collisions"
    __table_args__ = (
        Index(None, "workspace_id", "created_at"),
        Index(None, "workspace_id", "dispute_status"),
        # One collision per submission: a retried submit replays it instead of recording twice.
        Index(
            "ux_collisions_submission",
            "workspace_id",
            "submission_key",
            unique=True,
            sqlite_where=text("submission_key IS NOT NULL"),
            postgresql_where=text("submission_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    holder_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    holder_id: Mapped[str] = mapped_column(UserRef)
    challenger_id: Mapped[str] = mapped_column(UserRef)
    matched_on: Mapped[str] = mapped_column(String(16))  # a KeyKind
    score: Mapped[float | None]
    # What the challenger entered, kept for arbitration; never shown to the holder's rivals.
    attempt: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submission_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    dispute_status: Mapped[str | None] = mapped_column(String(16))  # open, kept, transferred
    disputed_by: Mapped[str | None] = mapped_column(UserRef)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    disputed_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(UserRef)
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class ExtensionRequest(Base):
    """A rep's request for more protection days, decided by a manager."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        Index(
            "ux_extension_requests_one_open",
            "claim_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    requested_by: Mapped[str] = mapped_column(UserRef)
    requested_at: Mapped[datetime]
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending, approved, rejected
    decided_by: Mapped[str | None] = mapped_column(UserRef)
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class ClaimQuestion(Base):
    """An approver's question on a pending claim, and the rep's answer once given."""

    __tablename__ = "claim_questions"
    __table_args__ = (Index(None, "claim_id", "asked_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    asked_by: Mapped[str] = mapped_column(UserRef)
    asked_at: Mapped[datetime]
    question: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(UserRef)
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)


class PostedMessage(Base):
    """Where a card about something was posted, so it can be updated in place everywhere."""

    __tablename__ = "posted_messages"
    __table_args__ = (Index(None, "workspace_id", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    subject: Mapped[str] = mapped_column(String(32))  # approval, dispute, extension, pool
    subject_id: Mapped[int] = mapped_column(BigId)
    # Who it was sent to (a user id for a DM, else the channel), to render updates in their language.
    recipient: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """An append-only record of a state change: who did what, when. Never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "workspace_id", "customer_id", "at"),
        Index(None, "workspace_id", "claim_id"),
        Index(None, "workspace_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(UserRef)  # a Slack user id, or "system"
    action: Mapped[str] = mapped_column(String(48))
    customer_id: Mapped[int | None] = mapped_column(BigId)
    claim_id: Mapped[int | None] = mapped_column(BigId)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxMessage(Base):
    """A notification to send; written in the same transaction as the change it reports.

    ``dedupe_key`` is unique per workspace so that writing the same reminder twice (a second
    sweep, a second replica) keeps one row, and the worker marks each row sent exactly once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(48))
    recipient: Mapped[str] = mapped_column(String(32))  # a user id (DM) or a channel id
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    sent_channel: Mapped[str | None] = mapped_column(String(32))
    sent_ts: Mapped[str | None] = mapped_column(String(32))


class SweepMark(Base):
    """How far the reminder/reclaim sweep has looked in a workspace (see bot/lifecycle/sweep.py).

    A pass looks for thresholds crossed since ``swept_until``; ``rules_digest`` names the rules it
    used, so that a change of the rules makes the next pass look at everything again.
    """

    __tablename__ = "sweep_marks"

    workspace_id: Mapped[str] = mapped_column(WorkspaceId, primary_key=True)
    swept_until: Mapped[datetime]
    rules_digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


# Multi-workspace mode: slack_sdk's OAuth stores keep installations and login states in tables
# of the library's design. They are declared here with the library's own builders so that our
# migrations create them (and the models-versus-migrations test notices if the library changes).
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


class ApiToken(Base):
    """A REST API token of one workspace. Only a hash of its secret is kept: a leaked database
    does not leak working tokens, and the secret is shown once, when an admin creates it."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "workspace_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(16))  # read, read-write
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256, hex
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One audit event owed to one webhook endpoint: the webhooks' outbox, written in the
    transaction that records the event (see bot/webhooks/fanout.py).

    ``event_id`` is the same for every endpoint and every attempt, so receivers can drop repeats;
    ``ordering_key`` (``claim:<id>``, else ``customer:<id>``, else ``workspace``) names the
    sequence an event belongs to: an endpoint gets one key's events one at a time, oldest first.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint", "event_id"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "endpoint", "ordering_key", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(WorkspaceId)
    endpoint: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id", ondelete="CASCADE"))
    audit_event: Mapped[AuditEvent] = relationship()
    ordering_key: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(48))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
