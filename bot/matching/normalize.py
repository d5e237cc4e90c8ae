"""Company-name normalisation: the key that exact and fuzzy duplicate checks compare.

A Chinese company name is region + brand (字号) + industry + legal form, in that order or with the
region in brackets after the brand; only the brand is distinctive. The key keeps brand + industry
and drops what thousands of unrelated companies share:

    北京字节跳动科技有限公司 / 字节跳动（北京）科技有限公司 / 北京字節跳動科技有限公司  ->  字节跳动科技
    ByteDance Ltd. / Bytedance, Inc. / BYTEDANCE LLC                                    ->  bytedance

Trade-off: 北京字节跳动 and 上海字节跳动 share a key. Two legal entities with one brand are a
collision here; the credit code tells them apart where that matters.

Marks: a name that calls itself a group keeps its group words in the key (京东集团股份有限公司 ->
京东集团, 吉利控股集团 -> 吉利控股集团, Alibaba Group Holding Limited -> alibaba group), and a
registered Chinese name without an industry keeps 公司 (比亚迪股份有限公司 -> 比亚迪公司). That is
how the scorer tells a group's parent, or a company registered without an industry, from a
subsidiary that names a trade (京东集团 / 比亚迪公司 vs 京东物流 / 比亚迪电子), while the bare brand a
rep types (京东, 比亚迪) still matches the parent. 集团 (a group) and 控股 (a holding company) are
kept apart: 联想集团 is not 联想控股.

`split_brand` cuts a key into brand and trailing industry words; the scorer weighs them apart.
`fold` maps Chinese homophones onto one character, so that a pinyin-input typo (伊力 for 伊利)
stays close to the name it was meant to be.
"""

from __future__ import annotations

import re
import unicodedata

import opencc
from cleanco import basename as cleanco_basename
from cleanco.clean import prepare_default_terms, strip_punct

from bot.matching.homophones import fold
from bot.matching.vocabulary import (
    BRACKET_QUALIFIERS_EN,
    BRACKET_QUALIFIERS_ZH,
    BRANCH_WORDS_ZH,
    GROUP_WORDS_EN,
    INDUSTRY_WORDS_EN,
    INDUSTRY_WORDS_ZH,
    LATIN_ABBREVIATIONS,
    LEGAL_FORMS_EN_LONG,
    LEGAL_FORMS_ZH,
    PLACES_EN,
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
# 中国 leads like a region (中国平安, 中国南方航空) and goes the same way, only where the rest is a brand.
_LEADING_REGION_ZH = re.compile(
    f"^(?:(?:{_REGION_ZH}|中国)(?:{_REGION_SUFFIX_ZH})?)+(?:(?<=市)[{_CJK}]{{1,3}}?(?:新区|区|县))?"
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
# "…Limited, Singapore Branch": everything after the last comma goes; without a comma the branch
# word and the place names before it.
_BRANCH_TAIL_EN = re.compile(r",[^,]*\bbranch$", re.IGNORECASE)
_BRANCH_WORD_EN = re.compile(r"\s+branch$", re.IGNORECASE)
_TRAILING_THE = re.compile(r",\s*the$", re.IGNORECASE)
_LONG_FORMS_EN = tuple(
    (re.compile(rf"(?:^|\s){pattern}$", re.IGNORECASE), short)
    for pattern, short in LEGAL_FORMS_EN_LONG
)
# Marks a key may end with (see the module doc); all are generic industry words of the scorer.
HOLDING_MARK_ZH = "控股"
GROUP_MARK_ZH = "集团"
GROUP_MARK_EN = "group"
REGISTERED_MARK_ZH = "公司"
_MARK_ORDER = (HOLDING_MARK_ZH, GROUP_MARK_ZH)

# cleanco strips one legal term per pass ("Co., Ltd." needs two); only call it again while the
# last word still is one of its terms, because each call walks ~300 terms (≈ 30 µs).
_CLEANCO_LAST_WORDS = frozenset(parts[-1] for _size, parts in prepare_default_terms())

_MIN_BRAND_CHARS = 2
_MAX_INDUSTRY_WORD_ZH = max(map(len, INDUSTRY_WORDS_ZH))
_INDUSTRY_WORD_BY_FOLDED = {fold(word): word for word in sorted(INDUSTRY_WORDS_ZH)}
_INDUSTRY_WORDS_ZH_FOLDED = frozenset(_INDUSTRY_WORD_BY_FOLDED)


def company_key(name: str) -> str:
    """Normalised key used for exact and fuzzy name matching.

    "" when nothing distinctive is left: only a legal form ("有限公司", "Co., Ltd."), only a region
    ("北京有限公司"), or a Chinese name without a brand (字号) such as "科技有限公司"; callers
    reject such names. A region with nothing but an industry is kept as the brand (北京银行), and an
    English name of ordinary words keeps them ("Steel Ltd" -> "steel").
    """
    text = _prepare(name)
    text = _strip_branch_zh(text)
    text = _strip_branch_en(text)
    text, bracket_marks = _drop_bracket_qualifiers(text)
    text, form_marks, registered = _strip_legal_forms(text)
    if _WHOLE_REGION_ZH.match(text) or text.casefold() in REGIONS_EN:
        return ""
    text = _strip_leading_region(text)
    key = _finish(text)
    # A Chinese name must have a brand (字号); an English brand may well be an ordinary word.
    if not key or (_is_generic(key) and _HAS_CJK.search(key)):
        return ""
    key = _drop_region_before_industry(key)
    return _with_marks(key, bracket_marks | form_marks, registered=registered)


def _with_marks(key: str, marks: set[str], *, registered: bool) -> str:
    """The key with its group marks, or 公司 for a registered Chinese name without an industry."""
    if not _HAS_CJK.search(key):
        return f"{key} {GROUP_MARK_EN}" if marks else key
    if marks:
        return key + "".join(mark for mark in _MARK_ORDER if mark in marks)
    if registered and _industry_word_before(key, len(key)) is None:
        return key + REGISTERED_MARK_ZH
    return key


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


def _strip_branch_en(text: str) -> str:
    """ "Bank of China Limited, London Branch" / "Foo Bank Hong Kong Branch" -> the bank itself."""
    if not _BRANCH_WORD_EN.search(text):
        return text
    if match := _BRANCH_TAIL_EN.search(text):
        return text[: match.start()].rstrip()
    words = _BRANCH_WORD_EN.sub("", text).split()
    while len(words) > 1:
        if len(words) > 2 and " ".join(words[-2:]).casefold() in PLACES_EN:
            del words[-2:]
        elif words[-1].casefold().strip(".,") in PLACES_EN:
            del words[-1]
        else:
            break
    return " ".join(words)


def _drop_bracket_qualifiers(text: str) -> tuple[str, set[str]]:
    """Drop brackets holding a region, a legal qualifier or a branch ((北京办事处), (Singapore
    Branch)), and Latin words bracketed in a Chinese name (an English short name: (Sinopec));
    keep the words of any other bracket. Also returns the group marks of dropped brackets."""
    marks: set[str] = set()
    has_cjk_outside = bool(_HAS_CJK.search(_BRACKETED.sub("", text)))

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        folded = " ".join(_NOT_WORD.sub(" ", inner).casefold().split())
        if inner in _MARK_ORDER or folded in GROUP_WORDS_EN:
            marks.add(inner if inner in _MARK_ORDER else GROUP_MARK_EN)
            return " "
        if (
            inner in BRACKET_QUALIFIERS_ZH
            or _WHOLE_REGION_ZH.match(inner)
            or _BRANCH_SUFFIX_ZH.search(inner)
            or folded in BRACKET_QUALIFIERS_EN
            or _BRANCH_EN.search(inner)
            or (has_cjk_outside and folded and not _HAS_CJK.search(inner))
        ):
            return " "
        return f" {inner} "

    return " ".join(_BRACKETED.sub(replace, text).split()), marks


def _strip_legal_forms(text: str) -> tuple[str, set[str], bool]:
    """Strip Chinese legal forms, then English ones (cleanco), from the end, as often as present.

    Also returns the group marks of stripped forms (集团, 控股, group) and whether a Chinese form
    ending in 公司 was stripped (the name is a registered one)."""
    text = _TRAILING_THE.sub("", text).rstrip(" .,;:-")
    text, marks, registered = _strip_legal_forms_zh(text)
    if not _HAS_LATIN.search(text):
        return text, marks, registered
    for pattern, short in _LONG_FORMS_EN:
        text = pattern.sub(f" {short}" if short else "", text).rstrip(" .,;:-")
    while text and _last_word(text) in _CLEANCO_LAST_WORDS:
        shorter = cleanco_basename(text)
        if shorter == text:
            break
        text = shorter.rstrip(" .,;:-")
    while text and _last_word(text) in GROUP_WORDS_EN and " " in text:
        marks.add(GROUP_MARK_EN)
        text = text.rsplit(" ", 1)[0].rstrip(" .,;:-")
    # Chinese forms may sit in front of an English one: "字节跳动有限公司 Ltd".
    text, zh_marks, zh_registered = _strip_legal_forms_zh(text)
    return _LEADING_THE.sub("", text), marks | zh_marks, registered or zh_registered


def _strip_legal_forms_zh(text: str) -> tuple[str, set[str], bool]:
    marks: set[str] = set()
    registered = False
    while match := _LEGAL_FORM_ZH.search(text):
        marks.update(mark for mark in _MARK_ORDER if mark in match.group())
        registered = registered or match.group().endswith("公司")
        text = text[: match.start()].rstrip(" .,;:-")
    return text, marks, registered


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
            if rest.casefold().startswith(("and ", "&")):
                continue  # "The Hongkong and Shanghai Banking Corporation": a region pair
            rest_key = _finish(rest)
            if len(rest_key.replace(" ", "")) >= _MIN_BRAND_CHARS and not _is_generic(rest_key):
                return rest
    return text


def _finish(text: str) -> str:
    """Turn "&" into "and" and punctuation into spaces, casefold, drop accents (Société ->
    societe), single spaces and none next to CJK."""
    text = text.replace("&", " and ")
    words = _NOT_WORD.sub(" ", text).casefold().split()
    text = " ".join(LATIN_ABBREVIATIONS.get(word, word) for word in words)
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
        # Homophones folded: 新能原 (a pinyin typo) is still the industry 新能源.
        folded = fold(key[max(0, end - _MAX_INDUSTRY_WORD_ZH) : end])
        for size in range(min(_MAX_INDUSTRY_WORD_ZH, end), 1, -1):
            if folded[len(folded) - size :] in _INDUSTRY_WORDS_ZH_FOLDED:
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


def industry_words(industry: str) -> list[str]:
    """The industry part of a key as words, homophones folded for Chinese: 网络技术 -> 网络, 技术.

    Chinese words are taken from the end, longest first, as `split_brand` does; whatever no word
    covers is kept as one word. Latin words are the space-separated ones.
    """
    if not industry:
        return []
    if not _HAS_CJK.search(industry):
        return industry.split()
    words: list[str] = []
    end = len(industry)
    while end > 0:
        start = _industry_word_before(industry, end)
        if start is None:
            words.append(industry[:end].strip())
            break
        words.append(_canonical_zh(industry[start:end]))
        end = len(industry[:start].rstrip())
    return words[::-1]


def _canonical_zh(word: str) -> str:
    """The listed industry word a (possibly mistyped) word stands for: 新能原 -> 新能源."""
    return _INDUSTRY_WORD_BY_FOLDED.get(fold(word), word)
