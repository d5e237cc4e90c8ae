"""What a rep typing into the claim form sees accepted, how it is stored, and what is refused."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from bot import validation
from bot.i18n import LANGS, Lang, catalogue, placeholders, t
from bot.validation import (
    DEAL_SIZE_MAX,
    ErrorCode,
    FieldError,
    clean_text,
    email_company_domain,
    email_match_key,
    parse_credit_code,
    parse_deal_size,
    parse_email,
    parse_number,
    parse_phone,
)


def with_check_char(body: str) -> str:
    """A credit code built from its first 17 characters plus the correct check character."""
    assert len(body) == 17
    return body + uscc.calc_check_digit(body)


def wrong_check_char(code: str) -> str:
    """The same code with a different, still well-formed, last character."""
    replacement = "0" if code[-1] != "0" else "1"
    return code[:-1] + replacement


# An ordinary company (9 = market regulator, 1 = enterprise, 110108 = Beijing Haidian).
COMPANY = with_check_char("91110108MA01C8QX5")
# A rural collective economic organisation: the registrar code is the letter N.
RURAL_COLLECTIVE = with_check_char("N2370214MA3C4B2X1")
# A registrar outside the listed ones: Y.
OTHER_REGISTRAR = with_check_char("Y1440300MA5F0K7R3")


def expect_error(parse: Callable[[str], object], raw: str) -> FieldError:
    with pytest.raises(FieldError) as caught:
        parse(raw)
    return caught.value


# ---------------------------------------------------------------------------------------------
# Phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        pytest.param("138 0013 8000", "+8613800138000", id="mobile-spaced"),
        pytest.param("13800138000", "+8613800138000", id="mobile-plain"),
        pytest.param("+86 138-0013-8000", "+8613800138000", id="mobile-plus86-dashes"),
        pytest.param("0086 13800138000", "+8613800138000", id="mobile-0086"),
        pytest.param("１３８００１３８０００", "+8613800138000", id="mobile-fullwidth"),
        pytest.param(
            "＋８６　１３８　００１３　８０００", "+8613800138000", id="fullwidth-plus-space"
        ),
        pytest.param("(+86) 138 0013 8000", "+8613800138000", id="mobile-brackets"),
        pytest.param("\u202d+86 138 0013 8000\u202c", "+8613800138000", id="pasted-bidi-marks"),
        pytest.param("13800138000\u200b", "+8613800138000", id="pasted-zero-width"),
        pytest.param("010-88886666", "+861088886666", id="beijing-landline"),
        pytest.param("(010) 8888 6666", "+861088886666", id="landline-brackets"),
        pytest.param("+86 10 8888 6666", "+861088886666", id="landline-plus86"),
        pytest.param("0755-12345678", "+8675512345678", id="shenzhen-landline"),
        pytest.param("400-810-8888", "+864008108888", id="400-service-line"),
        pytest.param("+1 415 555 0100", "+14155550100", id="us"),
        pytest.param("+44 20 7946 0958", "+442079460958", id="uk"),
        pytest.param("+852 2123 4567", "+85221234567", id="hong-kong"),
    ],
)
def test_phone_accepted_and_normalised_to_e164(raw: str, e164: str) -> None:
    assert parse_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("12345", ErrorCode.PHONE_INVALID, id="too-short"),
        pytest.param("1380013800", ErrorCode.PHONE_INVALID, id="mobile-missing-digit"),
        pytest.param("138001380000", ErrorCode.PHONE_INVALID, id="mobile-extra-digit"),
        pytest.param("12000138000", ErrorCode.PHONE_INVALID, id="invalid-mobile-prefix"),
        pytest.param("+86 12000138000", ErrorCode.PHONE_INVALID, id="invalid-prefix-plus86"),
        pytest.param("abc", ErrorCode.PHONE_INVALID, id="letters"),
        pytest.param("138-0013-8000abc", ErrorCode.PHONE_INVALID, id="trailing-letters"),
        pytest.param("13800138000 / 13900139000", ErrorCode.PHONE_INVALID, id="two-numbers"),
        pytest.param("1" * 100, ErrorCode.PHONE_INVALID, id="absurdly-long"),
        pytest.param("010-8888 6666 转 123", ErrorCode.PHONE_EXTENSION, id="extension-zhuan"),
        pytest.param("13800138000 ext 12", ErrorCode.PHONE_EXTENSION, id="extension-ext"),
        pytest.param("   ", ErrorCode.REQUIRED, id="blank"),
    ],
)
def test_phone_rejected(raw: str, code: ErrorCode) -> None:
    assert expect_error(parse_phone, raw).code == code


def test_phone_default_region_decides_national_numbers() -> None:
    assert parse_phone("(415) 555-0100", default_region="US") == "+14155550100"


def _outcome(parse: Callable[[], str]) -> str:
    try:
        return parse()
    except FieldError as error:
        return f"refused: {error.code}"


@given(
    prefix=st.sampled_from(["", "+86", "0086", "+86 ", "0086-", "+86-"]),
    digits=st.text("0123456789", min_size=10, max_size=12).map(lambda d: "1" + d),
    separators=st.lists(st.integers(0, 12), max_size=3),
    dash=st.booleans(),
)
def test_mobile_shortcut_agrees_with_libphonenumber(
    prefix: str, digits: str, separators: list[int], dash: bool
) -> None:
    """The import's fast path for Chinese mobile numbers must store and refuse exactly what the
    general parser does, valid prefixes or not, any grouping."""
    for at in sorted(set(separators), reverse=True):
        digits = digits[:at] + ("-" if dash else " ") + digits[at:]
    raw = prefix + digits
    general = _outcome(lambda: validation._parse_phone_generic(raw.strip(), "CN"))
    assert _outcome(lambda: parse_phone(raw)) == general


# ---------------------------------------------------------------------------------------------
# E-mail


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        pytest.param("zhang.san@example.com", "zhang.san@example.com", id="plain"),
        pytest.param("Zhang.San@Example.COM", "Zhang.San@example.com", id="domain-lowercased"),
        pytest.param("  li.si@acme.cn  ", "li.si@acme.cn", id="trimmed"),
        pytest.param("wang+crm@gmail.com", "wang+crm@gmail.com", id="plus-tag-kept"),
        pytest.param("ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ABC@example.com", id="fullwidth-ime"),
        pytest.param("a@example。com", "a@example.com", id="ideographic-full-stop"),
        pytest.param("张三 <zhangsan@example.com>", "zhangsan@example.com", id="display-name"),
        pytest.param("hans@münchen.de", "hans@münchen.de", id="unicode-domain"),
        pytest.param("hans@xn--mnchen-3ya.de", "hans@münchen.de", id="punycode-domain-same"),
        pytest.param("info@例子.中国", "info@例子.中国", id="chinese-idn"),
    ],
)
def test_email_accepted_and_normalised(raw: str, normalised: str) -> None:
    assert parse_email(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("zhangsan", ErrorCode.EMAIL_MISSING_AT, id="no-at"),
        pytest.param("zhangsan.example.com", ErrorCode.EMAIL_MISSING_AT, id="dot-instead-of-at"),
        pytest.param("zhang san@example.com", ErrorCode.EMAIL_INVALID, id="space-in-local"),
        pytest.param("zhangsan@exa mple.com", ErrorCode.EMAIL_INVALID, id="space-in-domain"),
        pytest.param("zhang..san@example.com", ErrorCode.EMAIL_INVALID, id="double-dot-local"),
        pytest.param("zhangsan@example..com", ErrorCode.EMAIL_INVALID, id="double-dot-domain"),
        pytest.param("zhangsan@example", ErrorCode.EMAIL_INVALID, id="no-tld"),
        pytest.param("zhangsan@", ErrorCode.EMAIL_INVALID, id="no-domain"),
        pytest.param("@example.com", ErrorCode.EMAIL_INVALID, id="no-local"),
        pytest.param("a@b@example.com", ErrorCode.EMAIL_INVALID, id="two-ats"),
        pytest.param("zhang@☃.com", ErrorCode.EMAIL_INVALID, id="symbol-unicode-domain"),
        pytest.param("zhang@exa_mple.com", ErrorCode.EMAIL_INVALID, id="underscore-domain"),
        pytest.param("", ErrorCode.REQUIRED, id="empty"),
    ],
)
def test_email_rejected(raw: str, code: ErrorCode) -> None:
    assert expect_error(parse_email, raw).code == code


def test_email_match_key_ignores_case_of_the_whole_address() -> None:
    assert email_match_key(parse_email("Zhang.San@Example.com")) == email_match_key(
        parse_email("zhang.san@EXAMPLE.COM")
    )


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        pytest.param("li@acme.cn", "acme.cn", id="company"),
        pytest.param("li@Sales.Acme.COM", "sales.acme.com", id="company-subdomain"),
        pytest.param("hans@münchen.de", "münchen.de", id="company-idn"),
        pytest.param("x@qq.com.evil.com", "qq.com.evil.com", id="freemail-name-inside-company"),
        pytest.param("x@myqq.com", "myqq.com", id="freemail-suffix-not-label"),
        *(
            pytest.param(f"someone@{free}", None, id=free)
            for free in (
                "qq.com",
                "vip.qq.com",
                "foxmail.com",
                "163.com",
                "vip.163.com",
                "126.com",
                "sina.com",
                "aliyun.com",
                "gmail.com",
                "outlook.com",
                "hotmail.com",
                "yahoo.com",
                "icloud.com",
            )
        ),
        pytest.param("someone@QQ.COM", None, id="freemail-uppercase"),
        pytest.param("not-an-address", None, id="no-at"),
    ],
)
def test_email_company_domain(email: str, domain: str | None) -> None:
    assert email_company_domain(email) == domain


# ---------------------------------------------------------------------------------------------
# Unified social credit code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(COMPANY, COMPANY, id="company"),
        pytest.param(COMPANY.lower(), COMPANY, id="lowercase"),
        pytest.param(" ".join([COMPANY[:8], COMPANY[8:]]), COMPANY, id="spaced"),
        pytest.param(f"{COMPANY[:8]}-{COMPANY[8:]}", COMPANY, id="dashed"),
        pytest.param(f"  {COMPANY}\u200b", COMPANY, id="pasted"),
        pytest.param("".join(chr(ord(c) + 0xFEE0) for c in COMPANY), COMPANY, id="fullwidth"),
        pytest.param("91110000600037341L", "91110000600037341L", id="stdnum-doc-example"),
        pytest.param(RURAL_COLLECTIVE, RURAL_COLLECTIVE, id="letter-initial-N"),
        pytest.param(OTHER_REGISTRAR, OTHER_REGISTRAR, id="letter-initial-Y"),
    ],
)
def test_credit_code_accepted(raw: str, code: str) -> None:
    assert parse_credit_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(wrong_check_char(COMPANY), ErrorCode.CREDIT_CODE_CHECKSUM, id="wrong-check"),
        pytest.param(
            wrong_check_char(RURAL_COLLECTIVE), ErrorCode.CREDIT_CODE_CHECKSUM, id="wrong-check-N"
        ),
        pytest.param(
            COMPANY[:9] + COMPANY[10] + COMPANY[9] + COMPANY[11:],
            ErrorCode.CREDIT_CODE_CHECKSUM,
            id="swapped-characters",
        ),
        pytest.param(COMPANY[:-1], ErrorCode.CREDIT_CODE_LENGTH, id="17-chars"),
        pytest.param(COMPANY + "1", ErrorCode.CREDIT_CODE_LENGTH, id="19-chars"),
        pytest.param("110108600037341", ErrorCode.CREDIT_CODE_LENGTH, id="old-registration-no"),
        pytest.param(COMPANY[:-1] + "O", ErrorCode.CREDIT_CODE_CHARS, id="letter-O"),
        pytest.param(COMPANY[:9] + "I" + COMPANY[10:], ErrorCode.CREDIT_CODE_CHARS, id="letter-I"),
        pytest.param("9A110108MA01C8QX59", ErrorCode.CREDIT_CODE_CHARS, id="letter-in-region"),
        pytest.param("9111010#MA01C8QX59", ErrorCode.CREDIT_CODE_CHARS, id="punctuation"),
        pytest.param("", ErrorCode.REQUIRED, id="empty"),
    ],
)
def test_credit_code_rejected(raw: str, code: ErrorCode) -> None:
    assert expect_error(parse_credit_code, raw).code == code


def test_credit_code_length_error_says_how_long_it_was() -> None:
    assert expect_error(parse_credit_code, COMPANY[:-2]).params == {"length": 16}


# ---------------------------------------------------------------------------------------------
# Free text


SINGLE = {"multiline": False, "max_len": 200}
MULTI = {"multiline": True, "max_len": 200}


@pytest.mark.parametrize(
    ("raw", "options", "cleaned"),
    [
        pytest.param("  北京某某科技有限公司 ", SINGLE, "北京某某科技有限公司", id="trimmed"),
        pytest.param("\u3000张三\u3000", SINGLE, "张三", id="ideographic-space-trimmed"),
        pytest.param("   ", SINGLE, "", id="blank-becomes-empty"),
        pytest.param(None, SINGLE, "", id="none-becomes-empty"),
        pytest.param("Cafe\u0301", SINGLE, "Caf\u00e9", id="nfc"),
        pytest.param("Acme 🚀", SINGLE, "Acme 🚀", id="emoji"),
        pytest.param(
            "需求：\n1. CRM\n\t2. 报表\n\n",
            MULTI,
            "需求：\n1. CRM\n\t2. 报表",
            id="multiline-keeps-newlines-and-tabs",
        ),
        pytest.param("a\r\nb", MULTI, "a\nb", id="crlf-becomes-lf"),
        pytest.param("a\u2028b", MULTI, "a\nb", id="line-separator-becomes-lf"),
        pytest.param("x" * 10, {"max_len": 10}, "x" * 10, id="exactly-max-len"),
        pytest.param(" " + "字" * 10 + " ", {"max_len": 10}, "字" * 10, id="max-len-after-trim"),
    ],
)
def test_clean_text_accepted(raw: str | None, options: dict[str, Any], cleaned: str) -> None:
    assert clean_text(raw, **options) == cleaned


@pytest.mark.parametrize(
    ("raw", "options", "code", "params"),
    [
        pytest.param("a\nb", SINGLE, ErrorCode.TEXT_SINGLE_LINE, {}, id="newline-single-line"),
        pytest.param("a\r\nb", SINGLE, ErrorCode.TEXT_SINGLE_LINE, {}, id="crlf-single-line"),
        pytest.param("a\tb", SINGLE, ErrorCode.TEXT_SINGLE_LINE, {}, id="tab-single-line"),
        pytest.param("a\u2029b", SINGLE, ErrorCode.TEXT_SINGLE_LINE, {}, id="paragraph-separator"),
        pytest.param(
            "a\x00b", SINGLE, ErrorCode.TEXT_CONTROL_CHAR, {"codepoint": "U+0000"}, id="nul"
        ),
        pytest.param(
            "a\x1bb",
            MULTI,
            ErrorCode.TEXT_CONTROL_CHAR,
            {"codepoint": "U+001B"},
            id="esc-multiline",
        ),
        pytest.param(
            "a\x7fb", SINGLE, ErrorCode.TEXT_CONTROL_CHAR, {"codepoint": "U+007F"}, id="del"
        ),
        pytest.param(
            "张\u200b三", SINGLE, ErrorCode.TEXT_INVISIBLE_CHAR, {"codepoint": "U+200B"}, id="zwsp"
        ),
        pytest.param(
            "a\u200db", MULTI, ErrorCode.TEXT_INVISIBLE_CHAR, {"codepoint": "U+200D"}, id="zwj"
        ),
        pytest.param(
            "\ufeffAcme", SINGLE, ErrorCode.TEXT_INVISIBLE_CHAR, {"codepoint": "U+FEFF"}, id="bom"
        ),
        pytest.param(
            "Acme\u202egnp.exe",
            SINGLE,
            ErrorCode.TEXT_INVISIBLE_CHAR,
            {"codepoint": "U+202E"},
            id="rtl-override",
        ),
        pytest.param(
            "\u3164",
            SINGLE,
            ErrorCode.TEXT_INVISIBLE_CHAR,
            {"codepoint": "U+3164"},
            id="blank-name",
        ),
        pytest.param(
            "x" * 11,
            {"max_len": 10},
            ErrorCode.TEXT_TOO_LONG,
            {"length": 11, "max_len": 10},
            id="over-max-len",
        ),
    ],
)
def test_clean_text_rejected(
    raw: str, options: dict[str, Any], code: ErrorCode, params: dict[str, object]
) -> None:
    error = expect_error(lambda text: clean_text(text, **options), raw)
    assert (error.code, error.params) == (code, params)


# ---------------------------------------------------------------------------------------------
# Estimated deal size


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        pytest.param("1000000", "1000000", id="plain"),
        pytest.param("1,000,000", "1000000", id="thousands-commas"),
        pytest.param("1，000，000", "1000000", id="fullwidth-commas"),
        pytest.param("1 000 000", "1000000", id="thousands-spaces"),
        pytest.param(" 2 万 ", "20000", id="spaces-around-unit"),
        pytest.param("100万", "1000000", id="wan"),
        pytest.param("100 万元", "1000000", id="wan-yuan"),
        pytest.param("1.5亿", "150000000", id="yi-decimal"),
        pytest.param("¥200万", "2000000", id="yen-sign"),
        pytest.param("￥200万", "2000000", id="fullwidth-yen-sign"),
        pytest.param("RMB 3,500", "3500", id="rmb-prefix"),
        pytest.param("80万人民币", "800000", id="renminbi-suffix"),
        pytest.param("50k", "50000", id="k"),
        pytest.param("50K", "50000", id="k-upper"),
        pytest.param("2.5m", "2500000", id="m"),
        pytest.param("30w", "300000", id="w-for-wan"),
        pytest.param("5千", "5000", id="qian"),
        pytest.param("3百万", "3000000", id="bai-wan"),
        pytest.param("2千万", "20000000", id="qian-wan"),
        pytest.param("１２０万", "1200000", id="fullwidth-digits"),
        pytest.param("99.999", "100.00", id="rounded-to-fen"),
        pytest.param("100亿", "10000000000", id="at-max"),
    ],
)
def test_deal_size_accepted(raw: str, amount: str) -> None:
    assert parse_deal_size(raw) == Decimal(amount)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("0", ErrorCode.DEAL_SIZE_NOT_POSITIVE, id="zero"),
        pytest.param("0万", ErrorCode.DEAL_SIZE_NOT_POSITIVE, id="zero-wan"),
        pytest.param("-100", ErrorCode.DEAL_SIZE_NOT_POSITIVE, id="negative"),
        pytest.param("0.001", ErrorCode.DEAL_SIZE_NOT_POSITIVE, id="below-one-fen"),
        pytest.param("101亿", ErrorCode.DEAL_SIZE_TOO_LARGE, id="over-max"),
        pytest.param("1" + "0" * 30, ErrorCode.DEAL_SIZE_TOO_LARGE, id="huge"),
        pytest.param("abc", ErrorCode.DEAL_SIZE_INVALID, id="words"),
        pytest.param("一百万", ErrorCode.DEAL_SIZE_INVALID, id="chinese-numerals"),
        pytest.param("1,5", ErrorCode.DEAL_SIZE_INVALID, id="decimal-comma"),
        pytest.param("1,00,000", ErrorCode.DEAL_SIZE_INVALID, id="bad-grouping"),
        pytest.param("1 5", ErrorCode.DEAL_SIZE_INVALID, id="space-not-a-separator-here"),
        pytest.param("100-200万", ErrorCode.DEAL_SIZE_INVALID, id="range"),
        pytest.param("$50k", ErrorCode.DEAL_SIZE_INVALID, id="dollars"),
        pytest.param("1e6", ErrorCode.DEAL_SIZE_INVALID, id="exponent"),
        pytest.param("万", ErrorCode.DEAL_SIZE_INVALID, id="unit-only"),
        pytest.param("1.2.3", ErrorCode.DEAL_SIZE_INVALID, id="two-dots"),
        pytest.param("NaN", ErrorCode.DEAL_SIZE_INVALID, id="nan"),
        pytest.param("", ErrorCode.REQUIRED, id="empty"),
    ],
)
def test_deal_size_rejected(raw: str, code: ErrorCode) -> None:
    assert expect_error(parse_deal_size, raw).code == code


def test_deal_size_too_large_names_the_limit() -> None:
    error = expect_error(parse_deal_size, "200亿")
    assert "10,000,000,000" in error.message("en")
    assert "10,000,000,000" in error.message("zh")
    assert error.params == {"max": DEAL_SIZE_MAX}


# ---------------------------------------------------------------------------------------------
# Messages


# One raised error per code, with the params the code really raises it with.
RAISED: list[tuple[Callable[[str], object], str]] = [
    (parse_phone, ""),
    (lambda text: clean_text(text, max_len=3), "too long"),
    (lambda text: clean_text(text, max_len=50), "a\nb"),
    (lambda text: clean_text(text, max_len=50), "a\x00b"),
    (lambda text: clean_text(text, max_len=50), "a\u200bb"),
    (parse_phone, "12345"),
    (parse_phone, "010-8888 6666 转 123"),
    (parse_email, "zhangsan"),
    (parse_email, "zhang san@example.com"),
    (parse_credit_code, "9111"),
    (parse_credit_code, "O" * 18),
    (parse_credit_code, wrong_check_char(COMPANY)),
    (parse_deal_size, "lots"),
    (parse_deal_size, "0"),
    (parse_deal_size, "1000亿"),
    (parse_number, "五百"),
    (lambda raw: parse_number(raw, low=1), "0"),
    (lambda raw: parse_number(raw, high=100_000), "１００，００１"),
]
RAISED_ERRORS = [expect_error(parse, raw) for parse, raw in RAISED]


@pytest.mark.parametrize(
    ("raw", "number"),
    [("500", 500), ("１，２００", 1200), (" 2.5 ", 2.5), ("-3", -3), ("1e3", 1000)],
)
def test_a_profile_number_is_read_as_people_type_it(raw: str, number: float) -> None:
    parsed = parse_number(raw)
    assert parsed == number and isinstance(parsed, int) == float(number).is_integer()


def test_every_error_code_is_raised_by_some_input_above() -> None:
    assert {error.code for error in RAISED_ERRORS} == set(ErrorCode)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("error", RAISED_ERRORS, ids=lambda error: error.code)
def test_every_raised_error_renders(error: FieldError, lang: Lang) -> None:
    text = t(error.code, lang, **error.params)
    assert text == error.message(lang)
    assert text.strip() and "{" not in text and "}" not in text
    for value in error.params.values():
        shown = f"{value:,}" if isinstance(value, Decimal) else str(value)
        assert shown in text


def test_catalogue_has_exactly_the_codes_the_validator_raises() -> None:
    ours = {key for key in catalogue() if key.startswith("validation.")}
    assert ours == set(ErrorCode)
    for code in ErrorCode:
        for lang in LANGS:
            assert placeholders(catalogue()[code][lang]) <= {
                "length",
                "max_len",
                "codepoint",
                "max",
                "min",
            }


def test_field_error_is_a_value_error_with_code_and_params() -> None:
    error = FieldError(ErrorCode.TEXT_TOO_LONG, length=5, max_len=4)
    assert isinstance(error, ValueError)
    assert error.code == "validation.text_too_long"
    assert error.params == {"length": 5, "max_len": 4}
    assert error.message("en") == "Too long: 5 characters, the limit is 4. Please shorten it."
