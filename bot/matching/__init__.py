"""Company-name duplicate check: normalised keys, one scorer, an in-memory fuzzy index.

Pure Python, no I/O: the store saves `company_key(name)` per name and feeds the rows to a
`NameIndex` per workspace; the claim flow calls `NameIndex.search`.

Thresholds (checked on the curated real-name pairs, benchmarks/curated.py, and the cases in
tests/matching/test_index.py):

DEFAULT_CLEAR_MATCH = 92: a collision, decided without a person. Only what is the same company
under another spelling reaches it: equal keys (100: region, brackets, traditional characters,
legal form differ), the bare brand against brand + generic industry words (95: 字节跳动 vs
字节跳动科技, 科技 vs 科技发展), spacing ("Byte Dance" 94.7). It is set above 90 so that a one-letter
typo in a brand (Bytedanse 88.9, Sumit 90.9) or a pinyin typo (讯飞 / 迅飞, 87.5) is not an
automatic collision: a false collision tells a rep someone else owns their customer, which costs
more than a manager's glance.

DEFAULT_POSSIBLE_MATCH = 75: a possible duplicate for a manager. It admits a longer or shorter brand
(飞海 vs 飞海达, 80), a one-character typo in a brand of four or more characters (字节跳动 vs 字节跳跃,
75), a pinyin typo in a short brand (伊利 vs 伊力, 75) and a bare Chinese brand against its full
name with a trade (宁德时代 vs 宁德时代新能源科技, 80). It keeps out one different character in a
two- or three-character brand (飞海 vs 飞鸿, 50; 67), which is how different companies are named,
one brand in another trade (招商银行 vs 招商证券, 70) and brands that merely share a word (Blue
River vs Red River, 73.7; Deutsche Post vs Deutsche Börse, capped at 70).
"""

from bot.matching.index import NameIndex, NameMatch, score
from bot.matching.normalize import company_key

DEFAULT_CLEAR_MATCH = 92.0
DEFAULT_POSSIBLE_MATCH = 75.0

__all__ = [
    "DEFAULT_CLEAR_MATCH",
    "DEFAULT_POSSIBLE_MATCH",
    "NameIndex",
    "NameMatch",
    "company_key",
    "score",
]
