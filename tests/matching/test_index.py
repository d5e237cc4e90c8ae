"""Duplicate check outcomes on curated pairs, and NameIndex behaviour."""

from __future__ import annotations

import itertools
import re
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from benchmarks.synthetic import company_names, query_names
from bot.matching import (
    DEFAULT_CLEAR_MATCH,
    DEFAULT_POSSIBLE_MATCH,
    NameIndex,
    NameMatch,
    company_key,
    score,
)
from bot.matching.homophones import fold
from bot.matching.normalize import split_brand
from bot.matching.scoring import min_brand_similarity
from tests.matching.test_normalize import BYTEDANCE_EN, BYTEDANCE_ZH

Outcome = Literal["clear", "possible", "none"]


def outcome(matches: list[NameMatch]) -> Outcome:
    """What the claim flow would do with a search result."""
    if not matches:
        return "none"
    return "clear" if matches[0].score >= DEFAULT_CLEAR_MATCH else "possible"


def check(index: NameIndex, name: str, limit: int = 5) -> list[NameMatch]:
    """The duplicate check as the claim flow runs it."""
    return index.search(company_key(name), min_score=DEFAULT_POSSIBLE_MATCH, limit=limit)


def index_of(*names: str) -> NameIndex:
    """Customer i + 1 owns names[i]."""
    index = NameIndex()
    for number, name in enumerate(names, start=1):
        index.add(number, number, company_key(name))
    return index


# Every decided case: id, stored name, name on the new claim, expected outcome.
# The number in an id is the score.
CURATED: list[tuple[str, str, str, Outcome]] = [
    # Same company, other spelling.
    ("zh-region-bracketed", "北京字节跳动科技有限公司", "字节跳动(北京)科技有限公司", "clear"),
    ("zh-traditional", "北京字节跳动科技有限公司", "北京字節跳動科技有限公司", "clear"),
    ("zh-no-region-no-form", "北京字节跳动科技有限公司", "字节跳动科技", "clear"),
    ("zh-bare-brand-95", "北京字节跳动科技有限公司", "字节跳动", "clear"),
    ("zh-branch", "北京字节跳动科技有限公司上海分公司", "字节跳动科技", "clear"),
    ("zh-near-trade-93", "北京飞海科技有限公司", "北京飞海科技发展有限公司", "clear"),
    ("zh-near-trade-95", "阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络科技有限公司", "clear"),
    ("zh-district", "广东省深圳市南山区飞海科技有限公司", "飞海科技（深圳）有限公司", "clear"),
    ("en-ltd-inc", "ByteDance Ltd.", "Bytedance, Inc.", "clear"),
    ("en-case-llc", "ByteDance Ltd.", "BYTEDANCE LLC", "clear"),
    ("en-full-width", "Bytedance Ltd", "Ｂｙｔｅｄａｎｃｅ，Ｉｎｃ．", "clear"),
    ("en-spacing-95", "Bytedance Ltd", "Byte Dance Inc", "clear"),
    ("en-pinyin-region", "Bytedance Ltd", "Beijing Bytedance Technology Co., Ltd.", "clear"),
    ("en-ampersand", "Smith & Sons Ltd", "Smith and Sons Limited", "clear"),
    ("en-china-bracket", "Microsoft Corporation", "Microsoft (China) Co., Ltd.", "clear"),
    # Same brand in another region: one key. The credit code separates legal entities.
    ("zh-same-brand-other-region", "北京飞海科技有限公司", "上海飞海科技有限公司", "clear"),
    # For a manager: likely related, not certain.
    ("zh-typo-4-char-brand-75", "北京字节跳动科技有限公司", "北京字节跳跃科技有限公司", "possible"),
    ("zh-longer-brand-80", "北京飞海科技有限公司", "北京飞海达科技有限公司", "possible"),
    (
        "zh-homophone-typo-75",
        "内蒙古伊利实业集团股份有限公司",
        "内蒙古伊力实业集团股份有限公司",
        "possible",
    ),
    ("zh-bare-brand-vs-trade-80", "宁德时代", "宁德时代新能源科技股份有限公司", "possible"),
    ("en-typo-89", "Bytedance Ltd", "Bytedanse Ltd", "possible"),
    ("en-typo-91", "Summit Software Inc", "Sumit Software Inc", "possible"),
    ("en-typo-4-letter-75", "Apex Technology Ltd", "Apax Technology Ltd", "possible"),
    # Generic industry words added (网络, 发展): the same company.
    (
        "zh-generic-word-added-95",
        "北京字节跳动科技有限公司",
        "北京字节跳动网络技术有限公司",
        "clear",
    ),
    # Different companies.
    # One brand in another trade, or with a trade added: another company of the group (70).
    ("zh-same-brand-other-trade-70", "北京飞海科技有限公司", "北京飞海贸易有限公司", "none"),
    ("zh-brand-other-region-trade-70", "北京宏达贸易有限公司", "上海宏达科技有限公司", "none"),
    ("zh-bank-vs-securities-70", "招商银行股份有限公司", "招商证券股份有限公司", "none"),
    ("zh-group-vs-subsidiary-70", "京东集团股份有限公司", "京东物流股份有限公司", "none"),
    ("zh-registered-without-trade-70", "比亚迪股份有限公司", "比亚迪电子（国际）有限公司", "none"),
    ("zh-tencent-entities-70", "深圳市腾讯计算机系统有限公司", "腾讯科技（深圳）有限公司", "none"),
    ("en-other-trade-70", "Apex Technology Ltd", "Apex Trading Ltd", "none"),
    ("en-brand-plus-trade-70", "Mitsubishi Corporation", "Mitsubishi Electric Corporation", "none"),
    ("en-one-word-differs", "Deutsche Post AG", "Deutsche Börse AG", "none"),
    (
        "zh-near-brand-other-trade-60",
        "北京字节跳动科技有限公司",
        "北京字节跳跃文化有限公司",
        "none",
    ),
    ("zh-one-char-2-char-brand-50", "北京飞海科技有限公司", "北京飞鸿科技有限公司", "none"),
    ("zh-one-char-2-char-brand-b", "北京华为科技有限公司", "北京华美科技有限公司", "none"),
    ("zh-one-char-3-char-brand-67", "北京飞海达科技有限公司", "北京飞鸿达科技有限公司", "none"),
    ("zh-common-words-only", "北京科技有限公司", "上海科技有限公司", "none"),
    ("zh-common-words-vs-brand", "北京科技有限公司", "北京字节跳动科技有限公司", "none"),
    ("zh-region-named-banks", "北京银行股份有限公司", "上海银行股份有限公司", "none"),
    ("zh-china-named-banks", "中国银行股份有限公司", "中国建设银行股份有限公司", "none"),
    ("en-unrelated", "Bytedance Ltd", "Smith Global Holdings Ltd", "none"),
    ("en-shared-word-74", "Blue River Consulting LLC", "Red River Consulting LLC", "none"),
    ("en-common-words-only", "Global Technology Ltd", "Smith Global Technology Ltd", "none"),
    # Different scripts never meet by string: that needs an alias name on the customer.
    ("cross-script", "ByteDance Ltd", "字节跳动", "none"),
]


@pytest.mark.parametrize(
    ("stored", "claimed", "expected"),
    [case[1:] for case in CURATED],
    ids=[case[0] for case in CURATED],
)
def test_curated_pair(stored: str, claimed: str, expected: Outcome) -> None:
    assert outcome(check(index_of(stored), claimed)) == expected
    assert outcome(check(index_of(claimed), stored)) == expected  # either may have come first


@pytest.mark.parametrize("group", [BYTEDANCE_ZH, BYTEDANCE_EN], ids=["zh", "en"])
def test_spellings_of_one_company_find_each_other_as_clear_matches(group: list[str]) -> None:
    index = index_of(*group)
    everyone = set(range(1, len(group) + 1))
    for name in group:
        found = check(index, name, limit=10)
        assert {match.customer_id for match in found} == everyone
        assert all(match.score >= DEFAULT_CLEAR_MATCH for match in found)


def test_thresholds_are_ordered() -> None:
    assert 0 < DEFAULT_POSSIBLE_MATCH < DEFAULT_CLEAR_MATCH <= 100


# --- NameIndex behaviour -------------------------------------------------------------------


def test_search_returns_best_first_with_the_matching_key() -> None:
    index = index_of("北京飞海科技发展有限公司", "北京飞海科技有限公司", "北京飞鸿科技有限公司")
    assert check(index, "飞海科技（北京）有限公司") == [
        NameMatch(customer_id=2, score=100.0, key="飞海科技"),
        NameMatch(customer_id=1, score=95.0, key="飞海科技发展"),
    ]


def test_empty_index_and_empty_query_find_nothing() -> None:
    assert check(NameIndex(), "北京飞海科技有限公司") == []
    assert NameIndex().last_entry_id == 0
    assert check(index_of("有限公司"), "有限公司") == []


def test_exact_key_is_found_among_many_sharing_its_grams() -> None:
    index = NameIndex()
    for number in range(1, 200):
        index.add(number, number, f"飞海{number}科技")  # all share the 飞海 bigram
    index.add(500, 500, "飞海科技")
    found = index.search("飞海科技", min_score=DEFAULT_POSSIBLE_MATCH)
    assert found[0] == NameMatch(customer_id=500, score=100.0, key="飞海科技")


def test_one_result_per_customer_with_its_best_key() -> None:
    index = NameIndex()
    index.add(1, 7, company_key("北京飞海科技发展有限公司"))
    index.add(2, 7, company_key("北京飞海科技有限公司"))
    index.add(3, 8, company_key("北京飞海科技发展有限公司"))
    found = index.search(company_key("飞海科技"), min_score=DEFAULT_POSSIBLE_MATCH)
    assert [(match.customer_id, match.score, match.key) for match in found] == [
        (7, 100.0, "飞海科技"),
        (8, 95.0, "飞海科技发展"),
    ]


def test_a_customer_is_found_by_any_of_its_names() -> None:
    index = NameIndex()
    index.add(1, 42, company_key("北京字节跳动科技有限公司"))
    index.add(2, 42, company_key("ByteDance Ltd."))
    index.add(3, 43, company_key("Smith Global Holdings Ltd"))
    assert [m.customer_id for m in check(index, "字节跳动（北京）科技有限公司")] == [42]
    assert [m.customer_id for m in check(index, "BYTEDANCE LLC")] == [42]


def test_ties_are_ordered_by_customer_and_limit_applies() -> None:
    index = NameIndex()
    for customer_id in (9, 3, 5, 1):
        index.add(customer_id, customer_id, "飞海科技")
    found = index.search("飞海科技", min_score=DEFAULT_POSSIBLE_MATCH, limit=3)
    assert [match.customer_id for match in found] == [1, 3, 5]


def test_min_score_filters() -> None:
    index = index_of("北京飞海科技有限公司", "北京飞海贸易有限公司")
    found = index.search(company_key("飞海科技"), min_score=DEFAULT_CLEAR_MATCH)
    assert [match.customer_id for match in found] == [1]
    assert index.search("飞海科技", min_score=100.5) == []
    assert len(index.search("飞海科技", min_score=0)) == 2


def test_last_entry_id_and_len() -> None:
    index = NameIndex()
    index.add(10, 1, "飞海科技")
    index.add(12, 2, "飞鸿科技")
    index.add(11, 3, "字节跳动科技")  # a row that became visible late still counts
    assert index.last_entry_id == 12
    assert len(index) == 3
    assert [m.customer_id for m in index.search("字节跳动科技", min_score=90)] == [3]


def test_adding_an_entry_twice_is_a_no_op() -> None:
    index = NameIndex()
    index.add(1, 1, "飞海科技")
    index.add(1, 1, "飞海科技")
    index.add(1, 2, "字节跳动科技")  # same row id: ignored, whatever it carries
    assert len(index) == 1
    assert [m.customer_id for m in index.search("飞海科技", min_score=90)] == [1]
    assert index.search("字节跳动科技", min_score=DEFAULT_POSSIBLE_MATCH) == []


def test_an_empty_key_is_remembered_but_not_indexed() -> None:
    index = NameIndex()
    index.add(5, 1, "")
    assert index.last_entry_id == 5
    assert len(index) == 0


def test_one_character_brands_are_reachable() -> None:
    index = NameIndex()
    index.add(1, 1, "x")
    assert [m.customer_id for m in index.search("x", min_score=DEFAULT_POSSIBLE_MATCH)] == [1]
    assert [m.customer_id for m in index.search("xy", min_score=60)] == [1]


def test_a_pinyin_typo_is_found_through_the_index() -> None:
    index = index_of("内蒙古伊利实业集团股份有限公司", "科大讯飞股份有限公司")
    assert [(m.customer_id, m.score) for m in check(index, "伊力实业集团")] == [(1, 75.0)]
    assert [m.customer_id for m in check(index, "科大迅飞股份有限公司")] == [2]


@pytest.mark.slow
def test_index_agrees_with_a_brute_force_scan() -> None:
    stored = company_names(3000, seed=11)
    keys = [company_key(name) for name in stored]
    index = NameIndex()
    for number, key in enumerate(keys, start=1):
        index.add(number, number, key)
    # Homophone typos as well: the scorer rates them above their plain character similarity.
    homophones = [_homophone_typo(name) for name in stored[:40] if _HAS_CJK.search(name)]
    assert _disagreements(index, keys, query_names(stored, 60, seed=12) + homophones) == []


def _disagreements(index: NameIndex, keys: list[str], queries: list[str]) -> list[str]:
    """Queries whose index answer differs from scoring every stored key (customer i + 1 owns
    keys[i])."""
    misses = []
    for query in queries:
        query_key = company_key(query)
        expected = {
            number: key_score
            for number, key in enumerate(keys, start=1)
            if (key_score := score(query_key, key)) >= DEFAULT_POSSIBLE_MATCH
        }
        found = index.search(query_key, min_score=DEFAULT_POSSIBLE_MATCH, limit=len(keys))
        if {match.customer_id: match.score for match in found} != expected:
            misses.append(query)
    return misses


_HAS_CJK = re.compile("[\u4e00-\u9fff]")


def _homophone_typo(name: str) -> str:
    """`name` with its first Chinese character that has a homophone replaced by one."""
    for position, char in enumerate(name):
        twin = next(
            (
                other
                for other in "利力立丽理里李华化花画海还亥害泰太态汰"
                if other != char and fold(other) == fold(char)
            ),
            None,
        )
        if twin is not None:
            return name[:position] + twin + name[position + 1 :]
    return name


# --- The scorer ----------------------------------------------------------------------------

_KEY_PARTS = st.sampled_from(
    [*"飞 海 鸿 字节 跳动 科技 贸易 网络 利 力 集团 公司 银行 a b ab group bank".split(), " "]
)
_KEYS = st.lists(_KEY_PARTS, min_size=1, max_size=6).map(
    lambda parts: " ".join("".join(parts).split())
)


@given(_KEYS, _KEYS)
def test_score_is_symmetric_and_bounded_by_the_brands(a: str, b: str) -> None:
    """The index and the brute-force benchmark skip folded brands below
    min_brand_similarity(min_score); that is only safe if no pair ever scores above what its
    folded brands allow."""
    key_score = score(a, b)
    assert key_score == score(b, a)
    assert 0 <= key_score <= 100
    assert (key_score == 100) == (a == b != "")
    folded_similarity = fuzz.ratio(fold(split_brand(a)[0]), fold(split_brand(b)[0]))
    assert folded_similarity >= min_brand_similarity(key_score)


def test_only_equal_keys_score_100() -> None:
    keys = ["字节跳动科技", "字节跳动", "字节跳动网络技术", "bytedance", "byte dance", "飞海科技"]
    for a, b in itertools.combinations(keys, 2):
        assert score(a, b) < 100
    assert score("飞海科技", "飞海科技") == 100
    assert score("", "") == 0


@pytest.mark.slow
def test_a_crowded_index_still_finds_latin_brands_the_scan_finds() -> None:
    """The misses of the million-name benchmark (seed 0) under the old ranking of candidates,
    which kept the keys sharing the most grams: these share few grams, or only common ones."""
    stored = [
        *company_names(20000, seed=0),
        "Staven Ventures Ltd",  # 80 for Stamerven: 9 shared grams, all common
        "Sage Stara Consulting LLC",  # 76 for Sage Aurora: 2 shared trigrams
        "Axtraquobi Holdings",  # 84 for Axraquori: 3 shared trigrams
    ]
    keys = [company_key(name) for name in stored]
    index = NameIndex()
    for number, key in enumerate(keys, start=1):
        index.add(number, number, key)
    queries = [
        "Stamerven Ventures Co., Ltd.",
        "Sage Aurora Consulting LLP",
        "Axraquori Holdings Corporation",
    ]
    assert _disagreements(index, keys, queries) == []
