"""``/claim check``: turn whatever the rep typed into a duplicate-check probe."""

from __future__ import annotations

from bot.directory import Member
from bot.duplicates import Probe
from bot.matching import company_key
from bot.validation import (
    FieldError,
    email_company_domain,
    email_match_key,
    parse_credit_code,
    parse_email,
    parse_phone,
)
from store.models import KeyKind, Role


def sees_how_matches_were_found(member: Member) -> bool:
    """Managers and admins decide on possible duplicates, so ``/claim check`` shows them which
    field matched, the score, and both name keys; a rep sees who holds what."""
    return member.role in (Role.MANAGER, Role.ADMIN)


def probe_for_query(text: str) -> Probe | None:
    """A probe for a name, phone, credit code or e-mail; ``None`` when nothing usable was typed.

    The most specific reading wins: an e-mail if there is an @, a credit code if it validates as
    one, a phone number if it is mostly digits and parses; otherwise a company name.
    """
    query = text.strip()
    if not query:
        return None
    if "@" in query:
        try:
            email = parse_email(query)
            exact = [(KeyKind.EMAIL, email_match_key(email))]
            if domain := email_company_domain(email):
                exact.append((KeyKind.EMAIL_DOMAIN, domain))
            return Probe(exact=tuple(exact))
        except FieldError:
            pass
    compact = query.replace(" ", "").replace("-", "")
    if len(compact) == 18 and compact.isalnum() and not compact.isdigit():
        try:
            code = parse_credit_code(query)
            return Probe(exact=((KeyKind.CREDIT_CODE, code),), credit_code=code)
        except FieldError:
            pass
    digits = sum(c.isdigit() for c in query)
    if digits >= 7 and digits >= len(compact.lstrip("+")) - 2:
        try:
            return Probe(exact=((KeyKind.PHONE, parse_phone(query)),))
        except FieldError:
            pass
    key = company_key(query)
    if not key:
        return None
    return Probe(name_keys=(key,), exact=((KeyKind.NAME, key),))
