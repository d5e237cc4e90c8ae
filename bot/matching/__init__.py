"""Company-name duplicate check: normalised keys, one scorer, an in-memory fuzzy index.

Pure Python, no I/O: the store saves `company_key(name)` per name and feeds the rows to a
`NameIndex` per workspace; the claim flow calls `NameIndex.search`.

Thresholds (chosen from the curated pairs in tests/matching/test_index.py):

DEFAULT_CLEAR_MATCH = 92: a collision, decided without a person. Only what is the same company
under another spelling reaches it: equal keys (100: region, brackets, traditional characters,
legal form differ), the bare brand against brand + industry (95: 字节跳动 vs 字节跳动科技),
the same brand with a near-identical industry (93–95: 科技 vs 科技发展, 网络技术 vs 网络科技),
spacing ("Byte Dance" 94.7). It is set above 90 so that a one-letter typo in a brand
(Bytedanse 88.9, Sumit 90.9) is not an automatic collision: a false collision tells a rep someone
else owns their customer, which costs more than a manager's glance.

DEFAULT_POSSIBLE_MATCH = 75: a possible duplicate for a manager. It admits the same brand in another
trade (飞海科技 vs 飞海贸易, 80), a longer or shorter brand (飞海 vs 飞海达, 80), and a one-character
typo in a brand of four or more characters (字节跳动 vs 字节跳跃 in one industry, 75). It keeps out
one different character in a two- or three-character brand (飞海 vs 飞鸿, 50; 67), which is how
different companies are named, and brands that merely share a word (Blue River vs Red River, 73.7).
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
