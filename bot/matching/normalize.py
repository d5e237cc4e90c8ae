"""Company-name normalisation: the key that exact and fuzzy duplicate checks compare.

A Chinese company name is region + brand (字号) + industry + legal form, in that order or with the
region in brackets after the brand; only the brand is distinctive. The key keeps brand + industry
and drops what thousands of unrelated companies share:

    北京字节跳动科技有限公司 / 字节跳动（北京）科技有限公司 / 北京字節跳動科技有限公司  ->  字节跳动科技
    ByteDance Ltd. / Bytedance, Inc. / BYTEDANCE LLC                                    ->  bytedance

Trade-off: 北京字节跳动 and 上海字节跳动 share a key. Two legal entities with one brand are a
collision here; the credit code tells them apart where that matters.

`split_brand` cuts a key into brand and trailing industry words; the scorer weighs them apart.
"""

from __future__ import annotations

import re
import unicodedata

import opencc
from cleanco import basename as cleanco_basename
from cleanco.clean import prepare_default_terms, strip_punct

from bot.matching.vocabulary import (
    BRACKET_QUALIFIERS_EN,
    BRACKET_QUALIFIERS_ZH,
    BRANCH_WORDS_ZH,
    GROUP_WORDS_EN,
    INDUSTRY_WORDS_EN,
    INDUSTRY_WORDS_ZH,
    LEGAL_FORMS_ZH,
    REGION_SUFFIXES_ZH,
    REGIONS_EN,
    REGIONS_ZH,
)

# OpenCC's converter is a C++ object: build it once (≈ 1 µs per name afterwards).
_TO_SIMPLIFIED = opencc.OpenCC("t2s")

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)

# NFKC already folds full-width （）［］ to ASCII; these CJK brackets have no compatibility form.
_BRACKETS = str.maketrans("【〔［｛「『《〈<[{】〕］｝」』》〉>]}", "((((((((((()))))))))))")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_HAS_LATIN = re.compile("[a-zA-Z]")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_NOT_WORD = re.compile(r"[\W_]+")
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")

_REGION_ZH = "|".join(map(re.escape, sorted(REGIONS_ZH, key=len, reverse=True)))
_REGION_SUFFIX_ZH = "|".join(REGION_SUFFIXES_ZH)
# One or more regions, each optionally with its administrative suffix (广东省深圳市), and a district
# only after an explicit 市 (深圳市南山区): without the 市 a "…区" is as likely to be a brand.
_LEADING_REGION_ZH = re.compile(
    f"^(?:(?:{_REGION_ZH})(?:{_REGION_SUFFIX_ZH})?)+(?:(?<=市)[{_CJK}]{{1,3}}?(?:新区|区|县))?"
)
_WHOLE_REGION_ZH = re.compile(
    f"^(?:(?:{_REGION_ZH}|中国)(?:{_REGION_SUFFIX_ZH})?)+(?:[{_CJK}]{{1,3}}?(?:新区|区|县))?$"
)
_TRAILING_REGION_ZH = re.compile(f"(?:{_REGION_ZH})(?:{_REGION_SUFFIX_ZH})?$")
_BRANCH_ZH = re.compile(f"^(.+?(?:公司|集团))(?:.{{0,16}}?)(?:{'|'.join(BRANCH_WORDS_ZH)})$")
_BRANCH_SUFFIX_ZH = re.compile(f"(?:{'|'.join(BRANCH_WORDS_ZH)})$")
_LEGAL_FORM_ZH = re.compile(f"(?:{'|'.join(map(re.escape, LEGAL_FORMS_ZH))})$")

_REGION_EN = "|".join(map(re.escape, sorted(REGIONS_EN, key=len, reverse=True)))
_LEADING_REGION_EN = re.compile(f"^(?:{_REGION_EN})(?:\\s+city)?\\s+", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_COMMA_WITHOUT_SPACE = re.compile(r",(?=\S)")
_CO_LTD_GLUED = re.compile(r"\b(co)\.(?=(?:ltd|limited)\b)", re.IGNORECASE)
_BRANCH_EN = re.compile(r"\b(?:branch|office|representative)\b", re.IGNORECASE)

# cleanco strips one legal term per pass ("Co., Ltd." needs two); only call it again while the
# last word still is one of its terms, because each call walks ~300 terms (≈ 30 µs).
_CLEANCO_LAST_WORDS = frozenset(parts[-1] for _size, parts in prepare_default_terms())

_MIN_BRAND_CHARS = 2
_MAX_INDUSTRY_WORD_ZH = max(map(len, INDUSTRY_WORDS_ZH))


def company_key(name: str) -> str:
    """Normalised key used for exact and fuzzy name matching.

    "" when nothing distinctive is left: only a legal form ("有限公司", "Co., Ltd."), only a region
    ("北京有限公司"), or a Chinese name without a brand (字号) such as "科技有限公司"; callers
    reject such names. A region with nothing but an industry is kept as the brand (北京银行), and an
    English name of ordinary words keeps them ("Steel Ltd" -> "steel").
    """
    text = _prepare(name)
    text = _strip_branch_zh(text)
    text = _drop_bracket_qualifiers(text)
    text = _strip_legal_forms(text)
    if _WHOLE_REGION_ZH.match(text) or text.casefold() in REGIONS_EN:
        return ""
    text = _strip_leading_region(text)
    key = _finish(text)
    # A Chinese name must have a brand (字号); an English brand may well be an ordinary word.
    if not key or (_is_generic(key) and _HAS_CJK.search(key)):
        return ""
    return _drop_region_before_industry(key)


def split_brand(key: str) -> tuple[str, str]:
    """Cut a key into (brand, industry): 字节跳动网络技术 -> (字节跳动, 网络技术).

    The brand is never empty for a non-empty key: trailing industry words are only peeled off while
    at least two characters remain that are not just a region (中国银行 stays whole).
    """
    cut = _industry_start(key, keep_brand=True)
    return key[:cut].rstrip(), key[cut:].lstrip()


def _prepare(name: str) -> str:
    """Unicode and script folding shared by both languages; keeps case for cleanco."""
    text = unicodedata.normalize("NFKC", name.translate(_ZERO_WIDTH))
    if _HAS_CJK.search(text):
        text = _TO_SIMPLIFIED.convert(text)
    text = text.translate(_BRACKETS)
    text = _COMMA_WITHOUT_SPACE.sub(", ", text)
    text = _CO_LTD_GLUED.sub(r"\1. ", text)
    return " ".join(text.split())


def _strip_branch_zh(text: str) -> str:
    """字节跳动科技有限公司上海分公司 -> 字节跳动科技有限公司: a branch is its parent company."""
    match = _BRANCH_ZH.match(text)
    return match.group(1) if match else text


def _drop_bracket_qualifiers(text: str) -> str:
    """Drop brackets holding a region, a legal qualifier or a branch ((北京办事处), (Singapore
    Branch)); keep the words of any other bracket."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        folded = " ".join(_NOT_WORD.sub(" ", inner).casefold().split())
        if (
            inner in BRACKET_QUALIFIERS_ZH
            or _WHOLE_REGION_ZH.match(inner)
            or _BRANCH_SUFFIX_ZH.search(inner)
            or folded in BRACKET_QUALIFIERS_EN
            or _BRANCH_EN.search(inner)
        ):
            return " "
        return f" {inner} "

    return " ".join(_BRACKETED.sub(replace, text).split())


def _strip_legal_forms(text: str) -> str:
    """Strip Chinese legal forms, then English ones (cleanco), from the end, as often as present."""
    text = text.rstrip(" .,;:-")
    while match := _LEGAL_FORM_ZH.search(text):
        text = text[: match.start()].rstrip(" .,;:-")
    if not _HAS_LATIN.search(text):
        return text
    while text and _last_word(text) in _CLEANCO_LAST_WORDS:
        shorter = cleanco_basename(text)
        if shorter == text:
            break
        text = shorter.rstrip(" .,;:-")
    while text and _last_word(text) in GROUP_WORDS_EN and " " in text:
        text = text.rsplit(" ", 1)[0].rstrip(" .,;:-")
    # Chinese forms may sit in front of an English one: "字节跳动有限公司 Ltd".
    while match := _LEGAL_FORM_ZH.search(text):
        text = text[: match.start()].rstrip(" .,;:-")
    return _LEADING_THE.sub("", text)


def _last_word(text: str) -> str:
    # cleanco is untyped: its strip_punct takes and returns a str.
    return str(strip_punct(text.rsplit(" ", 1)[-1].casefold()))


def _strip_leading_region(text: str) -> str:
    """北京字节跳动科技 -> 字节跳动科技, but 青岛啤酒 and 北京银行 keep their region.

    A region is dropped only when what follows is not just industry words; otherwise the region is
    (part of) the brand.
    """
    for pattern in (_LEADING_REGION_ZH, _LEADING_REGION_EN):
        match = pattern.match(text)
        if match:
            rest = text[match.end() :].lstrip(" .,-")
            rest_key = _finish(rest)
            if len(rest_key.replace(" ", "")) >= _MIN_BRAND_CHARS and not _is_generic(rest_key):
                return rest
    return text


def _finish(text: str) -> str:
    """Turn "&" into "and" and punctuation into spaces, casefold, drop accents (Société ->
    societe), single spaces and none next to CJK."""
    text = text.replace("&", " and ")
    text = " ".join(_NOT_WORD.sub(" ", text).casefold().split())
    if not text.isascii():
        # Only the Latin combining accents: kana voicing marks and Hangul recompose under NFC.
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", decomposed))
    return _SPACE_NEXT_TO_CJK.sub("", text)


def _drop_region_before_industry(key: str) -> str:
    """字节跳动北京科技 -> 字节跳动科技: a region may also stand between brand and industry."""
    brand, industry = split_brand(key)
    if not industry:
        return key
    match = _TRAILING_REGION_ZH.search(brand)
    if match and match.start() >= _MIN_BRAND_CHARS:
        return brand[: match.start()] + industry
    return key


def _is_generic(key: str) -> bool:
    """True when the key is nothing but industry words (科技, 贸易, technology)."""
    return _industry_start(key, keep_brand=False) == 0


def _industry_start(key: str, *, keep_brand: bool) -> int:
    """Index where the trailing run of industry words starts (len(key) when there is none).

    With keep_brand, peeling stops before it would leave fewer than two characters or a bare region
    such as 中国 / 北京: those are then the brand (中国银行, 北京银行).
    """
    cut = len(key)
    while cut > 0:
        word_start = _industry_word_before(key, cut)
        if word_start is None:
            break
        if keep_brand and not _could_be_brand(key[:word_start].rstrip()):
            break
        cut = word_start
    return cut


def _industry_word_before(key: str, end: int) -> int | None:
    """Start of an industry word ending at `end` (after optional spaces), longest first."""
    end = len(key[:end].rstrip())
    if end == 0:
        return None
    if _HAS_CJK.match(key[end - 1]):
        for size in range(min(_MAX_INDUSTRY_WORD_ZH, end), 1, -1):
            if key[end - size : end] in INDUSTRY_WORDS_ZH:
                return end - size
        return None
    space = key.rfind(" ", 0, end)
    start = space + 1
    if key[start:end] in INDUSTRY_WORDS_EN:
        return start
    return None


def _could_be_brand(text: str) -> bool:
    compact = text.replace(" ", "")
    if len(compact) < _MIN_BRAND_CHARS:
        return False
    return not (_WHOLE_REGION_ZH.match(compact) or text in REGIONS_EN or text == "china")
