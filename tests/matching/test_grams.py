"""The gram bound the index admits candidates by, and the superset property it buys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.matching import NameIndex, score
from bot.matching.grams import brand_grams, fewest_shared_grams

# Few distinct characters, so that random brands share grams, repeat pairs and come close.
_BRANDS = st.text(alphabet="飞海鸿利力ab ", min_size=1, max_size=12).map(
    lambda t: " ".join(t.split())
)
_CUTOFFS = st.sampled_from([30.0, 50.0, 60.0, 74.999, 80.0, 91.999])


@settings(max_examples=500, deadline=None)  # the first use of a length computes its table
@given(_BRANDS, _BRANDS, _CUTOFFS)
def test_a_brand_within_the_cutoff_shares_at_least_the_promised_grams(
    query: str, stored: str, cutoff: float
) -> None:
    if not query or not stored or fuzz.ratio(query, stored) < cutoff:
        return
    promised = fewest_shared_grams(query, range(len(stored), len(stored) + 1), cutoff)
    assert len(brand_grams(query) & brand_grams(stored)) >= promised[len(stored)]


def test_the_bound_promises_grams_at_the_default_cutoff() -> None:
    """Otherwise the index would scan every brand of that length."""
    assert fewest_shared_grams("字节跳动", range(3, 7), 74.999) == {3: 2, 4: 2, 5: 3, 6: 2}
    assert min(fewest_shared_grams("sage aurora", range(7, 19), 74.999).values()) >= 1


_KEY_PARTS = st.sampled_from(
    ["飞海", "飞鸿", "海", "利", "力", "科技", "贸易", "a", "ab", "ba", " "]
)
_KEYS = st.lists(_KEY_PARTS, min_size=1, max_size=7).map(
    lambda parts: " ".join("".join(parts).split())
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_KEYS, min_size=1, max_size=60),
    st.lists(_KEYS, min_size=1, max_size=5),
    st.sampled_from([40.0, 60.0, 75.0, 80.0, 92.0]),
)
def test_the_index_finds_everything_a_scan_finds(
    stored: list[str], queries: list[str], min_score: float
) -> None:
    index = NameIndex()
    for number, key in enumerate(stored, start=1):
        index.add(number, number, key)
    for query in queries:
        expected = {
            number: key_score
            for number, key in enumerate(stored, start=1)
            if key and (key_score := score(query, key)) >= min_score
        }
        found = index.search(query, min_score=min_score, limit=len(stored))
        assert {match.customer_id: match.score for match in found} == expected
