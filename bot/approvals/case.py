"""A claim as its approvers see it: who filed it, what, why it waits, what was asked and decided.

The same :class:`ApprovalCase` feeds the approval card when it is first sent (as an outbox payload,
rendered in each recipient's language when sent) and when every copy is updated in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.claims.approval import ApprovalRule
from bot.claims.profile import profile_lines
from bot.i18n import LANGS, Translator
from bot.rules import Option, Rules, option_label
from store.models import Claim, ClaimQuestion, ClaimStatus

# A label in each catalogue language, fixed when the case is built so that a pure card can show
# the rules file's own option labels without the rules.
Labels = Mapping[str, str]

# A customer profile field as a card shows it: its label and its value, each in every language.
ProfileLine = tuple[Labels, Labels]

# Longest reason, question or answer anyone may type (the cards show them whole).
NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible duplicate found when the claim was filed, and who held it then."""

    customer_name: str
    holder_id: str | None
    score: float
    matched_on: str = "name"  # a KeyKind value
    # For a name match: the new claim's key and the stored key (claims filed before keys were
    # recorded have none).
    probe_key: str | None = None
    stored_key: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The candidate as JSON (as the claim row stores it)."""
        return {
            "customer_name": self.customer_name,
            "holder_id": self.holder_id,
            "score": self.score,
            "matched_on": self.matched_on,
            "keys": [self.probe_key, self.stored_key] if self.probe_key is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Question:
    """An approver's question and the rep's answer, if given."""

    id: int
    asked_by: str
    asked_at: datetime
    question: str
    answered_by: str | None = None
    answered_at: datetime | None = None
    answer: str | None = None

    @classmethod
    def of(cls, row: ClaimQuestion) -> Question:
        return cls(
            id=row.id,
            asked_by=row.asked_by,
            asked_at=row.asked_at,
            question=row.question,
            answered_by=row.answered_by,
            answered_at=row.answered_at,
            answer=row.answer,
        )


@dataclass(frozen=True, slots=True)
class ApprovalCase:
    """Everything an approval card shows about one claim."""

    claim_id: int
    owner_id: str
    customer_name: str
    submitted_at: datetime
    status: ClaimStatus
    rules: tuple[ApprovalRule, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    other_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    need_summary: str | None = None
    region: Labels | None = None
    source_channel: Labels | None = None
    deal_size: Decimal | None = None
    first_contact_on: date | None = None
    profile: tuple[ProfileLine, ...] = ()
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    protection_until: datetime | None = None
    questions: tuple[Question, ...] = field(default=())
    # A correction of a rejected claim: that claim's id and what changed, {field: [before, after]}.
    resubmits: int | None = None
    changes: Mapping[str, Any] = field(default_factory=dict)
    # Edits since filing (an edit, or an answer to a question that changed fields).
    edited: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        return self.status is ClaimStatus.PENDING

    @classmethod
    def of(
        cls, claim: Claim, rules: Rules, questions: Iterable[ClaimQuestion] = ()
    ) -> ApprovalCase:
        """The case of a stored claim."""
        fired = claim.rules_fired or {}
        return cls(
            claim_id=claim.id,
            owner_id=claim.owner_id,
            customer_name=claim.customer_name,
            submitted_at=claim.submitted_at,
            status=ClaimStatus(claim.status),
            rules=tuple(_rules(fired.get("rules"))),
            candidates=tuple(_candidates(fired.get("candidates"))),
            other_name=claim.other_name,
            contact_name=claim.contact_name,
            phone=claim.phone,
            email=claim.email,
            credit_code=claim.credit_code,
            need_summary=claim.need_summary,
            region=option_labels(rules.form.regions, claim.region),
            source_channel=option_labels(rules.form.source_channels, claim.source_channel),
            deal_size=claim.deal_size,
            first_contact_on=claim.first_contact_on,
            profile=profile_labels(rules, claim.profile),
            decision=claim.decision,
            decided_by=claim.decided_by,
            decided_at=claim.decided_at,
            decision_reason=claim.decision_reason,
            protection_until=claim.protection_until,
            questions=tuple(Question.of(q) for q in questions),
            resubmits=claim.resubmits_id,
            changes=dict((fired.get("resubmission") or {}).get("changes") or {}),
            edited=dict((fired.get("edited") or {}).get("changes") or {}),
        )

    def to_payload(self) -> dict[str, Any]:
        """The case as JSON, for an outbox notice."""
        return {
            "claim_id": self.claim_id,
            "owner_id": self.owner_id,
            "customer_name": self.customer_name,
            "submitted_at": self.submitted_at.isoformat(),
            "status": self.status.value,
            "rules": [r.value for r in self.rules],
            "candidates": [c.to_payload() for c in self.candidates],
            "other_name": self.other_name,
            "contact_name": self.contact_name,
            "phone": self.phone,
            "email": self.email,
            "credit_code": self.credit_code,
            "need_summary": self.need_summary,
            "region": dict(self.region) if self.region else None,
            "source_channel": dict(self.source_channel) if self.source_channel else None,
            "deal_size": str(self.deal_size) if self.deal_size is not None else None,
            "first_contact_on": self.first_contact_on.isoformat()
            if self.first_contact_on
            else None,
            "profile": [[dict(label), dict(value)] for label, value in self.profile],
            "decision": self.decision,
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "decision_reason": self.decision_reason,
            "protection_until": _iso(self.protection_until),
            "questions": [
                {
                    "id": q.id,
                    "asked_by": q.asked_by,
                    "asked_at": q.asked_at.isoformat(),
                    "question": q.question,
                    "answered_by": q.answered_by,
                    "answered_at": _iso(q.answered_at),
                    "answer": q.answer,
                }
                for q in self.questions
            ],
            "resubmits": self.resubmits,
            "changes": dict(self.changes),
            "edited": dict(self.edited),
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> ApprovalCase:
        """The case back from :meth:`to_payload`."""
        deal_size = data.get("deal_size")
        first_contact = data.get("first_contact_on")
        return cls(
            claim_id=int(data["claim_id"]),
            owner_id=str(data["owner_id"]),
            customer_name=str(data["customer_name"]),
            submitted_at=datetime.fromisoformat(str(data["submitted_at"])),
            status=ClaimStatus(data["status"]),
            rules=tuple(_rules(data.get("rules"))),
            candidates=tuple(_candidates(data.get("candidates"))),
            other_name=data.get("other_name"),
            contact_name=data.get("contact_name"),
            phone=data.get("phone"),
            email=data.get("email"),
            credit_code=data.get("credit_code"),
            need_summary=data.get("need_summary"),
            region=data.get("region"),
            source_channel=data.get("source_channel"),
            deal_size=Decimal(deal_size) if deal_size is not None else None,
            first_contact_on=date.fromisoformat(first_contact) if first_contact else None,
            profile=tuple((dict(label), dict(value)) for label, value in data.get("profile") or []),
            decision=data.get("decision"),
            decided_by=data.get("decided_by"),
            decided_at=_parse(data.get("decided_at")),
            decision_reason=data.get("decision_reason"),
            protection_until=_parse(data.get("protection_until")),
            questions=tuple(
                Question(
                    id=int(q["id"]),
                    asked_by=str(q["asked_by"]),
                    asked_at=datetime.fromisoformat(str(q["asked_at"])),
                    question=str(q["question"]),
                    answered_by=q.get("answered_by"),
                    answered_at=_parse(q.get("answered_at")),
                    answer=q.get("answer"),
                )
                for q in data.get("questions") or []
            ),
            resubmits=int(data["resubmits"]) if data.get("resubmits") else None,
            changes=dict(data.get("changes") or {}),
            edited=dict(data.get("edited") or {}),
        )


def option_labels(options: list[Option], key: str | None) -> Labels | None:
    """An option's label in every language (its own, the catalogue's, or the key itself)."""
    if key is None:
        return None
    return {lang: option_label(options, key, Translator(lang)) for lang in LANGS}


def profile_labels(rules: Rules, document: Any) -> tuple[ProfileLine, ...]:
    """A claim's profile fields, each label and value in every language, in the rules' order."""
    by_lang = {lang: profile_lines(rules, document, Translator(lang)) for lang in LANGS}
    count = len(by_lang[LANGS[0]])
    return tuple(
        (
            {lang: lines[i][0] for lang, lines in by_lang.items()},
            {lang: lines[i][1] for lang, lines in by_lang.items()},
        )
        for i in range(count)
    )


def _rules(values: Any) -> Iterable[ApprovalRule]:
    known = {r.value for r in ApprovalRule}
    return (ApprovalRule(v) for v in values or [] if v in known)


def _candidates(values: Any) -> Iterable[Candidate]:
    for value in values or []:
        if isinstance(value, Mapping):
            keys = value.get("keys")
            probe_key, stored_key = (
                (str(keys[0]), str(keys[1]))
                if isinstance(keys, list) and len(keys) == 2
                else (None, None)
            )
            yield Candidate(
                customer_name=str(value.get("customer_name") or ""),
                holder_id=value.get("holder_id"),
                score=float(value.get("score") or 0),
                matched_on=str(value.get("matched_on") or "name"),
                probe_key=probe_key,
                stored_key=stored_key,
            )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _parse(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text)) if text else None
