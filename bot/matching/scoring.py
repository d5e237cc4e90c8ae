"""The one scorer for company keys, used by the index and by any brute-force reference.

Plain string similarity over a whole key lets the industry word vote: 飞海科技 vs 飞鸿科技 share
three of four characters (75) although the brands 飞海 / 飞鸿 are different companies, and
token-set or partial scorers give 100 whenever one name is contained in the other ("Smith Global"
vs "Global"). So the key is cut into brand and industry (`split_brand`), and

    score = brand similarity x industry factor   (both at most 1 resp. 100)

**Brand similarity** is fuzz.ratio (Indel), averaged with the ratio of the homophone-folded brands
(`fold`): a pinyin-input typo (伊力 for 伊利: 50 by characters, 100 by sound) lands at 75, a
possible duplicate, while brands that differ in sound keep their plain ratio. For Latin brands of
several words, one word that is entirely different caps it at 70 ("Deutsche Post" vs "Deutsche
Börse", "First Solar" vs "First Horizon"): shared words like Deutsche, General, First are how
unrelated companies are named.

**The industry factor** compares the industry words, after synonyms (技术 = 科技):

- the same words: 1;
- one side names none (字节跳动 vs 字节跳动科技): 0.95 when the other's words are generic (科技,
  服务, 集团). When it names a trade, 0.8 for a bare Chinese brand (宁德时代 vs 宁德时代新能源科技:
  a Chinese name has an industry slot that the 字号 a rep types drops; a manager decides), but
  0.7 when the bare side is a registered name without an industry (比亚迪公司 vs 比亚迪电子, see
  `normalize`) or a Latin name, which has no such slot: the words after the brand are part of
  another company's name (Mitsubishi vs Mitsubishi Electric, Prudential vs Prudential Financial);
- one side adds words (科技 vs 科技发展): 0.95 for generic words; when a trade is added, 0.8 if
  the shorter side names a trade too (迈瑞医疗 vs 迈瑞生物医疗电子: a stock short name), else 0.7
  (华为技术 vs 华为云计算技术, 小米科技 vs 小米汽车科技: another company of the group);
- different words (银行 vs 证券, 科技 vs 贸易): 0.7 + 0.3 x the share of trade words in common
  (group marks do not count: 集团 vs 控股 is two companies, 联想集团 / 联想控股). A bank
  and a securities firm of one brand are different companies; measured on the curated real
  pairs (benchmarks/curated.py) the old 80 % brand + 20 % industry held every one of them.

The score never exceeds the similarity of the folded brands, which is what candidate generation
and brute-force scans filter on (`min_brand_similarity`).
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from bot.matching.homophones import fold
from bot.matching.normalize import (
    GROUP_MARK_EN,
    GROUP_MARK_ZH,
    HOLDING_MARK_ZH,
    REGISTERED_MARK_ZH,
    industry_words,
    split_brand,
)
from bot.matching.vocabulary import GENERIC_INDUSTRY_EN, GENERIC_INDUSTRY_ZH, INDUSTRY_SYNONYMS

MISSING_GENERIC_FACTOR = 0.95
MISSING_TRADE_FACTOR_ZH = 0.8
MISSING_TRADE_FACTOR_REGISTERED = 0.7
ADDED_GENERIC_FACTOR = 0.95
ADDED_TRADE_FACTOR = 0.7
ADDED_TO_TRADE_FACTOR = 0.8
OTHER_TRADE_FACTOR = 0.7
LATIN_WORD_CAP = 70.0
_LATIN_WORD_DIFFERENT = 50.0
_LATIN_WORD_MIN_LENGTH = 4
_DECIMALS = 6
_ROUNDING_MARGIN = 1e-3
_GENERIC = GENERIC_INDUSTRY_ZH | GENERIC_INDUSTRY_EN
_REGISTERED = frozenset({REGISTERED_MARK_ZH})
_MARKS = frozenset({GROUP_MARK_EN, GROUP_MARK_ZH, HOLDING_MARK_ZH, REGISTERED_MARK_ZH})
_NOT_EQUAL = 99.9


def score(a_key: str, b_key: str) -> float:
    """Similarity of two company keys, 0..100; 100 only for equal keys."""
    if a_key == b_key:
        return 100.0 if a_key else 0.0
    if not a_key or not b_key:
        return 0.0
    a_brand, a_industry = split_brand(a_key)
    b_brand, b_industry = split_brand(b_key)
    return combine(brand_similarity(a_brand, b_brand), a_industry, b_industry)


def brand_similarity(a_brand: str, b_brand: str, folded: float | None = None) -> float:
    """Similarity of two brands, 0..100, never above the ratio of their folded forms.

    ``folded``: that ratio when the caller has it already (the index computes it in C).
    """
    if a_brand == b_brand:
        return 100.0
    plain = fuzz.ratio(a_brand, b_brand)
    if folded is None:
        folded = fuzz.ratio(fold(a_brand), fold(b_brand))
    similarity = (plain + folded) / 2
    if " " in a_brand and " " in b_brand:
        similarity = min(similarity, _latin_word_cap(a_brand.split(), b_brand.split()))
    return similarity


def combine(brand: float, a_industry: str, b_industry: str) -> float:
    """Score from an already computed brand similarity and the two industries (see module doc)."""
    combined = brand * industry_factor(a_industry, b_industry)
    if a_industry != b_industry:
        combined = min(combined, _NOT_EQUAL)  # synonyms (科技 / 技术): 100 stays for equal keys
    # Rounded so that float noise (79.99999999999999 for a true 80) cannot decide a threshold.
    return round(combined, _DECIMALS)


@lru_cache(maxsize=4096)
def industry_factor(a_industry: str, b_industry: str) -> float:
    """How much the industries let a brand similarity through, 0.7..1 (see module doc)."""
    if a_industry == b_industry:
        return 1.0
    a_words, b_words = _canonical(a_industry), _canonical(b_industry)
    if a_words == b_words:
        return 1.0
    # 公司 marks a registered name without an industry: otherwise it compares as no words at all.
    registered = REGISTERED_MARK_ZH in a_words or REGISTERED_MARK_ZH in b_words
    a_words, b_words = a_words - _REGISTERED, b_words - _REGISTERED
    if a_words == b_words:
        return 1.0
    if not a_words or not b_words:
        named = a_words or b_words
        if named <= _GENERIC:
            return MISSING_GENERIC_FACTOR
        if registered or (a_industry or b_industry).isascii():
            return MISSING_TRADE_FACTOR_REGISTERED
        return MISSING_TRADE_FACTOR_ZH
    if a_words <= b_words or b_words <= a_words:
        added = a_words ^ b_words
        if added <= _GENERIC:
            return ADDED_GENERIC_FACTOR
        shorter = min(a_words, b_words, key=len)
        return ADDED_TRADE_FACTOR if shorter <= _GENERIC else ADDED_TO_TRADE_FACTOR
    # Group marks do not make two trades alike: 阿里巴巴控股集团 vs 阿里巴巴影业集团 share no trade.
    union = len((a_words | b_words) - _MARKS)
    shared = len((a_words & b_words) - _MARKS) / union if union else 0.0
    return OTHER_TRADE_FACTOR + (1 - OTHER_TRADE_FACTOR) * shared


def min_brand_similarity(min_score: float) -> float:
    """Lowest folded-brand similarity that can still reach `min_score`: a safe pre-filter cutoff."""
    # A hair lower, so float rounding in `combine` can never push a real match below the cutoff.
    return max(0.0, min_score - _ROUNDING_MARGIN)


def _canonical(industry: str) -> frozenset[str]:
    return frozenset(INDUSTRY_SYNONYMS.get(word, word) for word in industry_words(industry))


def _latin_word_cap(a_words: list[str], b_words: list[str]) -> float:
    """70 when two brands of as many words differ entirely in one longer word, else 100."""
    if len(a_words) != len(b_words):
        return 100.0
    for a_word, b_word in zip(a_words, b_words, strict=True):
        if (
            a_word != b_word
            and max(len(a_word), len(b_word)) >= _LATIN_WORD_MIN_LENGTH
            and fuzz.ratio(a_word, b_word) < _LATIN_WORD_DIFFERENT
        ):
            return LATIN_WORD_CAP
    return 100.0
