"""The one scorer for company keys, used by the index and by any brute-force reference.

Plain string similarity over a whole key lets the industry word vote: 飞海科技 vs 飞鸿科技 share
three of four characters (75) although the brands 飞海 / 飞鸿 are different companies, and
token-set or partial scorers give 100 whenever one name is contained in the other ("Smith Global"
vs "Global"). So the key is cut into brand and industry (`split_brand`) and:

- same industry, or none on either side: the brand similarity alone (fuzz.ratio, i.e. Indel);
- one side names no industry (字节跳动 vs 字节跳动科技): 95 % of the brand similarity, so a
  rep typing the bare brand still collides, while an exact key stays the only 100;
- different industries: 80 % brand + 20 % industry similarity, so the same brand in another trade
  (飞海贸易 vs 飞海科技) is at most a possible duplicate, and 科技 vs 科技发展 stays close.

The score never exceeds what the brands allow: score <= max(brand, 0.8 * brand + 20). Candidate
generation and brute-force scans rely on that bound (`min_brand_similarity`).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.matching.normalize import split_brand

BRAND_WEIGHT = 0.8
MISSING_INDUSTRY_FACTOR = 0.95
_DECIMALS = 6
_ROUNDING_MARGIN = 1e-3


def score(a_key: str, b_key: str) -> float:
    """Similarity of two company keys, 0..100; 100 only for equal keys."""
    if a_key == b_key:
        return 100.0 if a_key else 0.0
    if not a_key or not b_key:
        return 0.0
    a_brand, a_industry = split_brand(a_key)
    b_brand, b_industry = split_brand(b_key)
    return combine(fuzz.ratio(a_brand, b_brand), a_industry, b_industry)


def combine(brand_similarity: float, a_industry: str, b_industry: str) -> float:
    """Score from an already computed brand similarity and the two industries (see module doc)."""
    if a_industry == b_industry:
        combined = brand_similarity
    elif a_industry and b_industry:
        industry_similarity = fuzz.ratio(a_industry, b_industry)
        combined = BRAND_WEIGHT * brand_similarity + (1 - BRAND_WEIGHT) * industry_similarity
    else:
        combined = MISSING_INDUSTRY_FACTOR * brand_similarity
    # Rounded so that float noise (79.99999999999999 for a true 80) cannot decide a threshold.
    return round(combined, _DECIMALS)


def min_brand_similarity(min_score: float) -> float:
    """Lowest brand similarity that can still reach `min_score`: a safe pre-filter cutoff."""
    lowest = min(min_score, (min_score - 100 * (1 - BRAND_WEIGHT)) / BRAND_WEIGHT)
    # A hair lower, so float rounding in `combine` can never push a real match below the cutoff.
    return max(0.0, lowest - _ROUNDING_MARGIN)
