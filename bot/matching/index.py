"""In-memory fuzzy index of one workspace's customer name keys.

A check must not score every stored name (≈ 200 ms at a million). The index files each distinct key
under the character pairs of its homophone-folded *brand* only (`fold`: the scorer never rates two
brands above the similarity of their folded forms, so that is what candidates are sought by): the
industry words 科技 / 贸易 are shared by hundreds of thousands of names and carry little weight in
`score`, so indexing them would only flood the candidates. Exact key equality is looked up
separately.

Which keys are candidates follows from a bound, not a ranking (`grams.fewest_shared_grams`): a brand
of length lb that the scorer could rate at the cutoff shares at least t(lb) pairs with the query.
So every posting of the query's pairs is counted (numpy, one pass in C) and a key is a candidate
when its count reaches t for its brand's length. (Reading only the rarest postings, as a prefix
filter allows, left more candidates to score: slower at a million names, measured.) Lengths for
which nothing can be promised (one-character brands, cutoffs far below the default) are scanned
whole. The index therefore returns everything a
scan of every stored key would, whatever the corpus; the old rule (the 2,000 keys sharing the most
grams) lost 3 of 282 matches at a million names.

Memory (see benchmarks/bench_matching.py): keys live in a `KeyTable`, postings and per-entry data
in `array`s; the one Python object per distinct key is its folded brand, a short str kept because
candidates are scored by the thousand. Counting runs in numpy.

Not thread-safe: one index is meant to be used from one event loop.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.matching.grams import brand_grams, fewest_shared_grams
from bot.matching.homophones import fold
from bot.matching.keytable import KeyTable
from bot.matching.normalize import split_brand
from bot.matching.scoring import brand_similarity, combine, min_brand_similarity, score

__all__ = ["NameIndex", "NameMatch", "score"]

_NO_ENTRY = -1
_MAX_BRAND_LENGTH = 65535
_UNREACHABLE = np.iinfo(np.int32).max
# np.bincount allocates and scans a counter per stored key (8 MB at a million): worth it only
# when the entries to count are more than about a sixteenth of the keys; fewer are sorted.
_SORT_OR_COUNT = 16


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A stored customer whose name key is similar to the query key."""

    customer_id: int
    score: float  # 0..100
    key: str  # the stored key that matched


class NameIndex:
    """In-memory fuzzy index of one workspace's customer name keys."""

    def __init__(self) -> None:
        self._keys = KeyTable()
        # Per distinct key (indexed by key id).
        self._brand_end = array("H")  # key[:brand_end] is the brand, the rest the industry
        self._longest_brand = 0
        # Each key's homophone-folded brand as a str: candidates are scored by the thousand, and
        # a list lookup is ~10x cheaper than cutting the brand out of the key table each time.
        self._folded_brands: list[str] = []
        self._first_entry = array("i")  # newest entry with this key; entries chain via _next_entry
        # Per entry (indexed by the order of `add`).
        self._customer_ids = array("q")
        self._next_entry = array("i")
        # Sorted, for duplicate detection; ids usually arrive in order, so appends are the norm.
        self._entry_ids = array("q")
        # Brand gram (see `grams.brand_grams`) -> ids of the keys filed under it, in insertion order.
        self._postings: dict[int, array[int]] = {}
        # Brand length -> ids of the keys with a brand that long (for lengths the bound cannot help).
        self._keys_by_length: dict[int, array[int]] = {}

    def add(self, entry_id: int, customer_id: int, key: str) -> None:
        """Index one stored name key.

        entry_id: the monotonically increasing row id of the stored name key (a customer may have
        several keys: Chinese name, English name/alias). Adding the same entry_id twice is a no-op.
        An empty key is remembered as seen but not indexed.
        """
        if not self._remember_entry(entry_id) or not key:
            return
        key_count = len(self._keys)
        key_id = self._keys.add(key)
        if key_id == key_count:
            self._index_new_key(key_id, key)
        self._customer_ids.append(customer_id)
        self._next_entry.append(self._first_entry[key_id])
        self._first_entry[key_id] = len(self._customer_ids) - 1

    @property
    def last_entry_id(self) -> int:
        """Highest entry_id added, 0 when empty (the store loads newer rows from there)."""
        return self._entry_ids[-1] if self._entry_ids else 0

    def search(self, key: str, *, min_score: float, limit: int = 5) -> list[NameMatch]:
        """Best match per customer, best first, score >= min_score. Exact key equality scores 100.

        Ties are ordered by customer id so the answer is stable.
        """
        if not key or limit <= 0 or min_score > 100:
            return []
        brand, industry = split_brand(key)
        folded_brand = fold(brand)
        brand_cutoff = min_brand_similarity(min_score)
        scores: dict[int, float] = {}  # key id -> score
        exact_id = self._keys.find(key)
        if exact_id >= 0:
            scores[exact_id] = 100.0
        candidates = [c for c in self._candidates(folded_brand, brand_cutoff) if c != exact_id]
        folded_brands = [self._folded_brands[key_id] for key_id in candidates]
        hits = process.extract(
            folded_brand, folded_brands, scorer=fuzz.ratio, score_cutoff=brand_cutoff, limit=None
        )
        if not hits:
            return self._best_per_customer(scores, limit)
        stored = self._keys.keys([candidates[position] for _brand, _sim, position in hits])
        for (_brand, folded_similarity, position), text in zip(hits, stored, strict=True):
            key_id = candidates[position]
            brand_end = self._brand_end[key_id]
            similarity = brand_similarity(brand, text[:brand_end], folded_similarity)
            key_score = combine(similarity, industry, text[brand_end:].lstrip())
            if key_score >= min_score:
                scores[key_id] = key_score
        return self._best_per_customer(scores, limit)

    def __len__(self) -> int:
        """Number of indexed name keys (entries), counting repeated keys once per entry."""
        return len(self._customer_ids)

    def _remember_entry(self, entry_id: int) -> bool:
        """Record entry_id; False when it was seen before."""
        if not self._entry_ids or entry_id > self._entry_ids[-1]:
            self._entry_ids.append(entry_id)
            return True
        # Rows may become visible out of id order (concurrent transactions): insert, don't drop.
        position = bisect_left(self._entry_ids, entry_id)
        if self._entry_ids[position] == entry_id:
            return False
        self._entry_ids.insert(position, entry_id)
        return True

    def _index_new_key(self, key_id: int, key: str) -> None:
        brand, _industry = split_brand(key)
        length = min(len(brand), _MAX_BRAND_LENGTH)
        self._brand_end.append(length)
        self._folded_brands.append(fold(brand))
        self._longest_brand = max(self._longest_brand, length)
        self._first_entry.append(_NO_ENTRY)
        self._keys_by_length.setdefault(length, array("i")).append(key_id)
        for gram in brand_grams(self._folded_brands[-1]):
            posting = self._postings.get(gram)
            if posting is None:
                self._postings[gram] = array("i", (key_id,))
            else:
                posting.append(key_id)

    def _candidates(self, brand: str, brand_cutoff: float) -> list[int]:
        """Key ids worth scoring: every key whose brand could be rated ``brand_cutoff``."""
        shortest, longest = _length_window(len(brand), brand_cutoff)
        window = range(shortest, min(longest, self._longest_brand) + 1)
        required: dict[int, int] = {}
        candidates: list[int] = []
        for length, fewest in fewest_shared_grams(brand, window, brand_cutoff).items():
            if fewest > 0:
                required[length] = fewest
            else:
                candidates.extend(self._keys_by_length.get(length, ()))
        if required:
            candidates.extend(self._sharing(brand_grams(brand), required))
        return candidates

    def _sharing(self, grams: set[int], required: dict[int, int]) -> list[int]:
        """Keys sharing at least ``required[length of their brand]`` of ``grams``."""
        postings = [posting for gram in grams if (posting := self._postings.get(gram))]
        if not postings:
            return []
        entries = np.concatenate([np.frombuffer(posting, dtype=np.int32) for posting in postings])
        if len(entries) * _SORT_OR_COUNT < len(self._brand_end):
            # Few entries (most Chinese brands): sorting them beats a counter per stored key.
            key_ids, counts = np.unique(entries, return_counts=True)
        else:
            counted = np.bincount(entries)  # one pass in C, ten times faster than sorting
            key_ids = np.flatnonzero(counted)
            counts = counted[key_ids]
        # Brand length -> grams a key must share; the last slot stands for every length beyond.
        needed = np.full(max(required) + 2, _UNREACHABLE, dtype=np.int32)
        for length, fewest in required.items():
            needed[length] = fewest
        lengths = np.frombuffer(self._brand_end, dtype=np.uint16)[key_ids]
        keep = counts >= needed[np.minimum(lengths, len(needed) - 1)]
        chosen: list[int] = key_ids[keep].tolist()
        return chosen

    def _best_per_customer(self, scores: dict[int, float], limit: int) -> list[NameMatch]:
        best: dict[int, NameMatch] = {}
        previous_score = 101.0
        for key_id, key_score in sorted(scores.items(), key=lambda item: -item[1]):
            # Keys arrive best first: once `limit` customers are in, only ties can still matter.
            if len(best) >= limit and key_score < previous_score:
                break
            previous_score = key_score
            key = self._keys.key(key_id)
            entry = self._first_entry[key_id]
            while entry != _NO_ENTRY:
                customer_id = self._customer_ids[entry]
                if customer_id not in best:
                    best[customer_id] = NameMatch(customer_id, key_score, key)
                entry = self._next_entry[entry]
        ranked = sorted(best.values(), key=lambda match: (-match.score, match.customer_id))
        return ranked[:limit]


def _length_window(length: int, cutoff: float) -> tuple[int, int]:
    """Brand lengths that can reach `cutoff` against a brand of `length` (Indel ratio bound)."""
    if cutoff <= 0:
        return 0, _MAX_BRAND_LENGTH
    # ratio <= 200 * shorter / (shorter + longer)
    longest = int(length * (200 - cutoff) / cutoff + 1e-9)
    shortest = -(-length * cutoff // (200 - cutoff))
    return int(shortest), min(longest, _MAX_BRAND_LENGTH)
