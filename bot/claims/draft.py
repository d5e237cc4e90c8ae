"""A claim as the rep filled it in, checked and normalised — or the errors to show on the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.claims.profile import Profile, parse_profile
from bot.ids import ClaimField
from bot.matching import company_key
from bot.rules import Rules
from bot.validation import (
    FieldError,
    clean_text,
    email_company_domain,
    email_match_key,
    parse_credit_code,
    parse_deal_size,
    parse_email,
    parse_phone,
)
from store.models import KeyKind

# Longest accepted text per field (the store's column sizes, with a margin for Slack's inputs).
MAX_LENGTH: Mapping[ClaimField, int] = {
    ClaimField.CUSTOMER_NAME: 120,
    ClaimField.OTHER_NAME: 120,
    ClaimField.CONTACT_NAME: 60,
    ClaimField.NEED_SUMMARY: 2000,
    ClaimField.PHONE: 40,
    ClaimField.EMAIL: 254,
    ClaimField.CREDIT_CODE: 40,
    ClaimField.DEAL_SIZE: 40,
}


@dataclass(frozen=True, slots=True)
class ClaimDraft:
    """Validated, normalised claim data, ready for the duplicate check."""

    customer_name: str
    other_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    need_summary: str | None = None
    region: str | None = None
    source_channel: str | None = None
    deal_size: Decimal | None = None
    first_contact_on: date | None = None
    # The customer profile fields of the rules (``form.profile``) that were filled in (left out
    # of the hash, as a dict cannot be hashed; equal drafts still compare their profiles).
    profile: Profile = field(default_factory=dict, hash=False)

    def name_keys(self) -> list[str]:
        """The normalised name keys of both names, without repeats or empties."""
        keys = [company_key(self.customer_name)]
        if self.other_name:
            keys.append(company_key(self.other_name))
        return [k for k in dict.fromkeys(keys) if k]

    def exact_keys(self) -> list[tuple[KeyKind, str]]:
        """Keys matched exactly: credit code, phone, e-mail, the name keys, and the e-mail's
        company domain (a possible-duplicate hint only, see ``duplicates.classify``)."""
        keys: list[tuple[KeyKind, str]] = [(KeyKind.NAME, k) for k in self.name_keys()]
        if self.credit_code:
            keys.append((KeyKind.CREDIT_CODE, self.credit_code))
        if self.phone:
            keys.append((KeyKind.PHONE, self.phone))
        if self.email:
            keys.append((KeyKind.EMAIL, email_match_key(self.email)))
            if domain := email_company_domain(self.email):
                keys.append((KeyKind.EMAIL_DOMAIN, domain))
        return keys


# By input id: a ClaimField's value, or a profile field's input id.
FormErrors = dict[str, FieldError]


def parse_form(
    raw: Mapping[str, str | None], rules: Rules, *, today: date
) -> ClaimDraft | FormErrors:
    """Check every field of a submitted form; all errors at once, so the rep fixes them in one go."""
    errors: FormErrors = {}
    values: dict[ClaimField, object] = {}
    required = set(rules.form.required)

    for claim_field in ClaimField:
        text = raw.get(claim_field.value)
        try:
            value = _parse_field(claim_field, text, rules, today)
        except FieldError as error:
            errors[claim_field] = error
            continue
        if value in (None, "") and claim_field.value in required:
            errors[claim_field] = FieldError("validation.required")
            continue
        values[claim_field] = value if value != "" else None
    profile, profile_errors = parse_profile(raw, rules)
    errors.update(profile_errors)

    if ClaimField.CUSTOMER_NAME not in errors and not company_key(
        str(values.get(ClaimField.CUSTOMER_NAME) or "")
    ):
        errors[ClaimField.CUSTOMER_NAME] = FieldError("claim.error.name_too_generic")
    if errors:
        return errors
    return ClaimDraft(
        **{f.value: value for f, value in values.items()},  # type: ignore[arg-type]
        profile=profile,
    )


def _parse_field(field: ClaimField, text: str | None, rules: Rules, today: date) -> object:
    if field in (ClaimField.REGION, ClaimField.SOURCE_CHANNEL):
        options = rules.form.regions if field is ClaimField.REGION else rules.form.source_channels
        if not text:
            return None
        if text not in {o.key for o in options}:
            raise FieldError("claim.error.unknown_option")
        return text
    if field is ClaimField.FIRST_CONTACT_ON:
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise FieldError("claim.error.bad_date") from None
        if day > today:
            raise FieldError("claim.error.future_date")
        return day

    multiline = field is ClaimField.NEED_SUMMARY
    cleaned = clean_text(text, max_len=MAX_LENGTH[field], multiline=multiline)
    if not cleaned:
        return None
    if field is ClaimField.PHONE:
        return parse_phone(cleaned)
    if field is ClaimField.EMAIL:
        return parse_email(cleaned)
    if field is ClaimField.CREDIT_CODE:
        return parse_credit_code(cleaned)
    if field is ClaimField.DEAL_SIZE:
        return parse_deal_size(cleaned)
    return cleaned
