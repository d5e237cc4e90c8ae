"""The business rules, from an optional ``claimbot.yaml`` (see ``claimbot.example.yaml``).

Every rule has a default that suits a B2B sales team, so the file may be absent or hold only the
rules a team wants to change. An invalid file stops start-up with a message naming the key.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.i18n import Lang, Translator
from bot.integration_rules import ApiRules, WebhookRules
from bot.matching import DEFAULT_CLEAR_MATCH, DEFAULT_POSSIBLE_MATCH
from bot.segments import Progress, Segment, most_specific
from bot.settings import ConfigError

UserId = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,}$")]
ChannelId = Annotated[str, StringConstraints(pattern=r"^[CGD][A-Z0-9]{2,}$")]
OptionKey = Annotated[str, StringConstraints(min_length=1, max_length=75, strip_whitespace=True)]
Days = Annotated[int, Field(ge=0, le=3650)]
# ``time`` under another name, for a rule that is itself called ``time``.
TimeOfDay = time

FormField = Literal[
    "customer_name",
    "other_name",
    "contact_name",
    "phone",
    "need_summary",
    "credit_code",
    "email",
    "region",
    "source_channel",
    "deal_size",
    "first_contact_on",
]

DEFAULT_REQUIRED: tuple[FormField, ...] = ("customer_name", "contact_name", "phone", "need_summary")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Section):
    """A choice in a list. Without labels, the catalogue's ``option.<key>`` (or the key) is shown."""

    key: OptionKey
    en: str | None = None
    zh: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_key(cls, value: object) -> object:
        # `- website` in YAML is shorthand for `- {key: website}`.
        return {"key": value} if isinstance(value, str) else value

    def label(self, lang: Lang) -> str | None:
        """The configured label in ``lang``, if any (the caller falls back to the catalogue)."""
        return self.zh if lang == "zh" else self.en


def option_label(options: list[Option], key: str | None, tr: Translator) -> str:
    """The label of an option key: its own label, the catalogue's, or the key itself."""
    if key is None:
        return "—"
    option = next((o for o in options if o.key == key), None)
    if option is not None and (own := option.label(tr.lang)):
        return own
    try:
        return tr(f"option.{key}")
    except KeyError:
        return key


def _options(*keys: str) -> list[Option]:
    return [Option(key=k) for k in keys]


class Stage(Option):
    """A follow-up stage; ``outcome`` marks the terminal ones."""

    outcome: Literal["won", "lost"] | None = None


# A profile field's key: it names the field in the rules file, the export's column and the stored
# JSON document, so it is kept to plain identifiers.
ProfileKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ProfileFieldType = Literal["select", "multi_select", "text", "number"]
# A modal holds at most 100 blocks; the claim form uses 12 and the edit form the same, so 40
# profile fields leave room for the blocks a future form adds without ever reaching Slack's limit.
MAX_PROFILE_FIELDS = 40
PROFILE_TEXT_MAX = 500


class ProfileField(_Section):
    """An extra field of the customer profile (客户画像), shown in the claim and edit forms."""

    key: ProfileKey
    type: ProfileFieldType
    en: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    zh: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    required: bool = False
    options: list[Option] = []
    # For a number: the smallest and largest accepted values (e.g. a head count of at least 1).
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ProfileField:
        choices = self.type in ("select", "multi_select")
        if choices and not self.options:
            raise ValueError(f"profile field {self.key}: a {self.type} needs options")
        if not choices and self.options:
            raise ValueError(f"profile field {self.key}: only a select has options")
        keys = [o.key for o in self.options]
        if len(keys) != len(set(keys)):
            raise ValueError(f"profile field {self.key}: option keys must be unique")
        if len(keys) > 100:
            raise ValueError(f"profile field {self.key}: at most 100 options (a Slack select)")
        if any("\n" in k for k in keys):
            raise ValueError(f"profile field {self.key}: an option key is one line")
        if (self.min is not None or self.max is not None) and self.type != "number":
            raise ValueError(f"profile field {self.key}: only a number has min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"profile field {self.key}: min must not be above max")
        return self

    def label(self, lang: Lang) -> str:
        """The field's label in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def option_keys(self) -> set[str]:
        """The keys a select or multi-select accepts."""
        return {o.key for o in self.options}


class ProfileCondition(_Section):
    """An approval rule on the customer profile: the claim waits for a manager when the field
    is one of ``is`` (a multi-select: holds any of them), or a number is at least ``at_least``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: ProfileKey
    is_: list[OptionKey] = Field(default=[], alias="is")
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> ProfileCondition:
        if bool(self.is_) == (self.at_least is not None):
            raise ValueError(f"profile rule on {self.field}: give either is or at_least")
        return self


class ProtectionRules(_Section):
    """How long claims stay protected, and when idle ones are reminded and reclaimed."""

    days: Annotated[int, Field(ge=1, le=3650)] = 90
    followup_overdue_days: Annotated[int, Field(ge=1, le=3650)] = 7
    reclaim_idle_days: Annotated[int, Field(ge=1, le=3650)] = 14
    reclaim_warning_days: Days = 3
    manager_copy_after_overdue_days: Days = 3
    cooldown_days: Days = 30
    days_per_followup: Days = 0
    max_protection_days: Annotated[int, Field(ge=1, le=3650)] = 180
    # What restarts the idle clock (and earns days_per_followup): any follow-up, or only one
    # that moves the claim to a later stage (有效进展, real progress).
    progress: Progress = "followup"

    @model_validator(mode="after")
    def _consistent(self) -> ProtectionRules:
        if self.reclaim_idle_days <= self.followup_overdue_days:
            raise ValueError("reclaim_idle_days must be greater than followup_overdue_days")
        if self.reclaim_warning_days >= self.reclaim_idle_days:
            raise ValueError("reclaim_warning_days must be smaller than reclaim_idle_days")
        if self.max_protection_days < self.days:
            raise ValueError("max_protection_days must be at least days")
        return self


class ExtensionRules(_Section):
    """Extensions a rep may ask a manager for."""

    days: Annotated[int, Field(ge=1, le=3650)] = 30
    max_per_claim: Annotated[int, Field(ge=0, le=100)] = 2


class FollowUpRules(_Section):
    """Reminders of the work a claim asks for: the first contact, next steps, time in a stage."""

    # After approval, the owner must log a follow-up within this many hours; when missed, the
    # managers are told. null (the default) turns the rule off.
    first_contact_hours: Annotated[int, Field(ge=1, le=24 * 90)] | None = None
    # When the owner is reminded that the first contact is due (hours after approval); by
    # default half of first_contact_hours; 0 sends no reminder, only the managers' notice.
    first_contact_reminder_hours: Annotated[int, Field(ge=0, le=24 * 90)] | None = None
    # A follow-up's next step reminds the owner on its date (in working hours).
    next_step_reminders: bool = True
    # stage key -> days: a claim in that stage for longer reminds its owner, once per entry.
    stage_timers: dict[OptionKey, Annotated[int, Field(ge=1, le=3650)]] = {}

    @model_validator(mode="after")
    def _reminder_first(self) -> FollowUpRules:
        reminder = self.first_contact_reminder_hours
        if self.first_contact_hours is None:
            if reminder:
                raise ValueError("first_contact_reminder_hours needs first_contact_hours")
        elif reminder is not None and reminder >= self.first_contact_hours:
            raise ValueError(
                "first_contact_reminder_hours must be smaller than first_contact_hours"
            )
        return self

    @property
    def first_contact_reminder(self) -> int | None:
        """Hours after approval at which the owner is reminded (None: no reminder)."""
        if self.first_contact_hours is None:
            return None
        if self.first_contact_reminder_hours is None:
            return self.first_contact_hours // 2 or None
        return self.first_contact_reminder_hours or None


class ApprovalRules(_Section):
    """Which claims wait for a manager; the others are approved at once."""

    possible_duplicate: bool = True
    late_registration: bool = True
    deal_size_threshold: Annotated[Decimal, Field(gt=0)] | None = Decimal(1_000_000)
    key_accounts: list[Annotated[str, StringConstraints(min_length=1)]] = []
    partner: bool = True
    cross_region: bool = True
    # Profile conditions (form.profile) that hold a claim, e.g. {field: industry, is: [finance]}.
    profile: list[ProfileCondition] = []
    remind_after_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 24
    escalate_after_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 48

    @model_validator(mode="after")
    def _escalate_later(self) -> ApprovalRules:
        if self.escalate_after_hours <= self.remind_after_hours:
            raise ValueError("escalate_after_hours must be greater than remind_after_hours")
        return self


class MatchingRules(_Section):
    """Name-similarity thresholds (0–100) of the duplicate check."""

    clear_match: Annotated[float, Field(gt=0, le=100)] = DEFAULT_CLEAR_MATCH
    possible_match: Annotated[float, Field(gt=0, le=100)] = DEFAULT_POSSIBLE_MATCH
    hint_limit: Annotated[int, Field(ge=1, le=10)] = 5
    # Two valid, different unified social credit codes are two legal entities: a similar name
    # alone then neither collides nor holds the claim (the rep is told, the audit records it).
    # False: such a name still holds the claim for a manager, as any possible duplicate does.
    credit_code_decides: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> MatchingRules:
        if self.possible_match >= self.clear_match:
            raise ValueError("possible_match must be lower than clear_match")
        return self


class FormRules(_Section):
    """The claim form: which fields are required and the option lists."""

    required: list[FormField] = list(DEFAULT_REQUIRED)
    source_channels: list[Option] = _options(
        "website", "referral", "exhibition", "cold_call", "partner", "marketing", "other"
    )
    regions: list[Option] = _options(
        "north", "east", "south", "central", "southwest", "northwest", "northeast", "overseas"
    )
    # Extra customer profile fields (industry, company size, tags …), after the built-in ones.
    profile: list[ProfileField] = []

    @field_validator("required")
    @classmethod
    def _name_always(cls, value: list[FormField]) -> list[FormField]:
        if "customer_name" not in value:
            raise ValueError("customer_name is always required")
        return value

    @field_validator("source_channels", "regions")
    @classmethod
    def _unique_keys(cls, value: list[Option]) -> list[Option]:
        keys = [o.key for o in value]
        if len(keys) != len(set(keys)):
            raise ValueError("option keys must be unique")
        if len(keys) > 100:
            raise ValueError("at most 100 options (a Slack select holds 100)")
        return value

    @field_validator("profile")
    @classmethod
    def _profile_fields(cls, value: list[ProfileField]) -> list[ProfileField]:
        keys = [f.key for f in value]
        if len(keys) != len(set(keys)):
            raise ValueError("profile field keys must be unique")
        if len(keys) > MAX_PROFILE_FIELDS:
            raise ValueError(f"at most {MAX_PROFILE_FIELDS} profile fields (a modal's blocks)")
        return value

    def profile_field(self, key: str) -> ProfileField | None:
        """The profile field called ``key``."""
        return next((f for f in self.profile if f.key == key), None)


class TeamRules(_Section):
    """A sales team: its managers decide its members' claims; its channel hears its digest."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]
    region: OptionKey | None = None
    managers: list[UserId] = []
    members: list[UserId] = []
    # Where the team talks: the daily digest and the weekly summary are posted there.
    channel: ChannelId | None = None
    # The language of what is posted to the team's channel (else the workspace's ``language``).
    language: Lang | None = None


class ChannelRules(_Section):
    """Channels the bot posts to; without them, approvals go to managers by DM."""

    approvals: ChannelId | None = None
    pool: ChannelId | None = None


class DeliveryRules(_Section):
    """When direct messages may land, in each recipient's own Slack time zone; how fast the bot
    posts in one channel; when the pool gets a digest instead of one card per customer."""

    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(19, 0)
    working_days: list[Annotated[int, Field(ge=1, le=7)]] = [1, 2, 3, 4, 5]
    # Slack: about one message a second per channel, short bursts tolerated (bot.notify.pace).
    channel_posts_per_second: Annotated[float, Field(gt=0, le=100)] = 1.0
    channel_post_burst: Annotated[int, Field(ge=1, le=100)] = 3
    # A sweep that releases more customers than this posts digests to the pool channel.
    pool_digest_over: Annotated[int, Field(ge=0, le=100_000)] = 10

    @model_validator(mode="after")
    def _window(self) -> DeliveryRules:
        if self.working_hours_end <= self.working_hours_start:
            raise ValueError("working_hours_end must be after working_hours_start")
        if not self.working_days:
            raise ValueError("working_days needs at least one day (1 = Monday … 7 = Sunday)")
        return self


class DigestRules(_Section):
    """The daily digest and the weekly summary in each team's channel (``teams[].channel``).

    Posted by the sweep on the working days of ``delivery``, at ``time`` in the workspace's time
    zone (by the first pass at or after it), once per team and day.
    """

    time: TimeOfDay = TimeOfDay(9, 30)
    # A quiet day posts nothing; with all_clear a one-line "nothing to chase" instead.
    all_clear: bool = False
    # The weekly summary (last week's numbers and the chart): its day, 1 = Monday … 7 = Sunday;
    # null turns it off. It goes with that day's digest (the next working day if it is none).
    weekly_day: Annotated[int, Field(ge=1, le=7)] | None = 1
    # How many lines each part of the digest lists before "and N more".
    items: Annotated[int, Field(ge=1, le=30)] = 10


class ScheduleRules(_Section):
    """How often the reminder/reclaim sweep and the outbox run."""

    sweep_interval_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 5
    outbox_interval_seconds: Annotated[int, Field(ge=1, le=3600)] = 10


class DatabaseRules(_Section):
    """Connection pool per process (PostgreSQL; SQLite ignores it)."""

    pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    max_overflow: Annotated[int, Field(ge=0, le=200)] = 5
    pool_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0


class Rules(_Section):
    """All business rules; ``Rules()`` is the default rule set."""

    language: Lang = "zh"
    timezone: str = "Asia/Shanghai"
    registration_deadline_days: Days = 7
    claim_cap: Annotated[int, Field(ge=0, le=100_000)] = 50
    admins: list[UserId] = []
    partners: list[UserId] = []
    protection: ProtectionRules = ProtectionRules()
    # Protection rules that differ by segment (source channel, region, industry…): see
    # bot/segments.py; the most specific matching segment wins.
    segments: list[Segment] = []
    followups: FollowUpRules = FollowUpRules()
    extension: ExtensionRules = ExtensionRules()
    approval: ApprovalRules = ApprovalRules()
    matching: MatchingRules = MatchingRules()
    form: FormRules = FormRules()
    stages: list[Stage] = [
        Stage(key="contact"),
        Stage(key="analysis"),
        Stage(key="proposal"),
        Stage(key="negotiation"),
        Stage(key="won", outcome="won"),
        Stage(key="lost", outcome="lost"),
    ]
    teams: list[TeamRules] = []
    channels: ChannelRules = ChannelRules()
    delivery: DeliveryRules = DeliveryRules()
    digest: DigestRules = DigestRules()
    schedule: ScheduleRules = ScheduleRules()
    database: DatabaseRules = DatabaseRules()
    webhooks: WebhookRules = WebhookRules()
    api: ApiRules = ApiRules()
    # Each segment's protection rules, the defaults with its changes applied (checked once).
    _segment_protection: list[ProtectionRules] = PrivateAttr(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)"
            ) from None
        return value

    @field_validator("stages")
    @classmethod
    def _stages(cls, value: list[Stage]) -> list[Stage]:
        keys = [s.key for s in value]
        if len(keys) != len(set(keys)):
            raise ValueError("stage keys must be unique")
        outcomes = [s.outcome for s in value if s.outcome]
        if sorted(outcomes) != ["lost", "won"]:
            raise ValueError("exactly one stage must have outcome: won and one outcome: lost")
        return value

    @model_validator(mode="after")
    def _profile_rules_name_fields(self) -> Rules:
        for condition in self.approval.profile:
            field = self.form.profile_field(condition.field)
            if field is None:
                raise ValueError(
                    f"approval.profile: {condition.field} is not a field of form.profile"
                )
            if condition.at_least is not None and field.type != "number":
                raise ValueError(f"approval.profile: at_least needs a number ({field.key})")
            if condition.is_ and field.type not in ("select", "multi_select"):
                raise ValueError(f"approval.profile: is needs a select ({field.key})")
            unknown = set(condition.is_) - field.option_keys()
            if unknown:
                raise ValueError(
                    f"approval.profile: {', '.join(sorted(unknown))} is not an option of "
                    f"{field.key}"
                )
        return self

    @field_validator("teams")
    @classmethod
    def _teams(cls, value: list[TeamRules]) -> list[TeamRules]:
        names = [t.name for t in value]
        if len(names) != len(set(names)):
            raise ValueError("team names must be unique")
        return value

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: list[Segment], info: ValidationInfo) -> list[Segment]:
        protection = info.data.get("protection")
        if protection is None:
            return value  # protection itself is invalid and reported
        for position, segment in enumerate(value):
            try:
                _apply(protection, segment)
            except ValidationError as exc:
                problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
                raise ValueError(f"segment {position + 1}: {problems}") from None
        return value

    def model_post_init(self, context: object, /) -> None:
        self._segment_protection = [_apply(self.protection, s) for s in self.segments]

    @model_validator(mode="after")
    def _timed_stages(self) -> Rules:
        for key in self.followups.stage_timers:
            stage = self.stage(key)
            if stage is None or stage.outcome:
                raise ValueError(
                    f"followups.stage_timers: {key!r} is not a configured stage "
                    "(won and lost end a claim and have no timer)"
                )
        return self

    def protection_for(self, claim: object) -> ProtectionRules:
        """The protection rules of ``claim`` (an object or mapping of its attributes): the most
        specific matching segment's, else the defaults."""
        position = most_specific(self.segments, claim)
        return self.protection if position is None else self._segment_protection[position]

    def protection_variants(self) -> list[ProtectionRules]:
        """Every protection rule set a claim may have: the defaults and each segment's."""
        return [self.protection, *self._segment_protection]

    @property
    def zone(self) -> ZoneInfo:
        """The workspace's default time zone."""
        return ZoneInfo(self.timezone)

    def team(self, name: str) -> TeamRules | None:
        """The rules file's team called ``name`` (ignoring case), if any."""
        wanted = name.casefold()
        return next((t for t in self.teams if t.name.casefold() == wanted), None)

    def stage(self, key: str) -> Stage | None:
        """The configured stage with ``key``."""
        return next((s for s in self.stages if s.key == key), None)


def _apply(protection: ProtectionRules, segment: Segment) -> ProtectionRules:
    return ProtectionRules.model_validate(protection.model_dump() | segment.protection.changes())


def load_rules(path: Path | None) -> Rules:
    """Read ``path`` (or the defaults when ``None``); raise :class:`ConfigError` naming the bad key."""
    if path is None:
        return Rules()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}: is not valid YAML{line}.") from exc
    if data is None:
        return Rules()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of rule names.")
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_errors(exc)}") from exc


def describe_errors(exc: ValidationError) -> str:
    """One line per problem: ``key.path: what is wrong``."""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a known rule (check the spelling against claimbot.example.yaml)"
        lines.append(f"{key}: {message}")
    return "; ".join(lines)
