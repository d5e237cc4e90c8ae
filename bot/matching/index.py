"""In-memory fuzzy index of one workspace's customer name keys.

A check must not score every stored name (≈ 200 ms at a million). The index files each distinct key
under the character grams of its homophone-folded *brand* only (`fold`: the scorer never rates two
brands above the similarity of their folded forms, so that is what candidates are sought by): the industry words 科技 / 贸易 are shared by hundreds
of thousands of names and carry little weight in `score`, so indexing them would only flood the
candidates. A search counts how many grams each stored key shares with the query brand, keeps the
best `max_candidates`, and scores those with rapidfuzz in one C call. Exact key equality is looked
up separately, so it is always found, however crowded the candidates.

Memory stays flat (about 90 bytes per name at a million, see benchmarks/bench_matching.py): keys
live in a `KeyTable`, postings and per-entry data in `array`s; no Python object exists per name.

Not thread-safe: one index is meant to be used from one event loop.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import islice, pairwise

from rapidfuzz import fuzz, process

from bot.matching.homophones import fold
from bot.matching.keytable import KeyTable
from bot.matching.normalize import split_brand
from bot.matching.scoring import brand_similarity, combine, min_brand_similarity, score

__all__ = ["NameIndex", "NameMatch", "score"]

_NO_ENTRY = -1
# Posting entries counted per search, per candidate slot, before the most common grams are skipped.
# Counting runs in C (~30 ns an entry). At a million names (benchmark, three seeds) 16 keeps recall
# at 99.7–100 % with a p99 near 6 ms; 8 lost up to 1.2 % on English names, whose trigrams are
# common; 24 bought nothing more.
_POSTINGS_PER_CANDIDATE = 16
# One more shared gram outweighs any difference in brand length when ranking candidates.
_GRAM_WEIGHT = 16
_MAX_BRAND_LENGTH = 65535
# Brands up to this many characters (most Chinese ones) are filed under bigrams and skip-grams.
_SHORT_BRAND = 5
# A query of up to _SHORT_BRAND characters looks up bigrams and skip-grams only, yet reaches
# stored brands up to 8 characters at the default threshold (Indel ratio >= 75: "zeno" vs
# "zezono" is 80, and they share no trigram). So brands of 6 to 8 characters are filed under both
# kinds: without it, 3 of 282 matched queries at a million names were missed.
_BOTH_GRAMS_BRAND = 8


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A stored customer whose name key is similar to the query key."""

    customer_id: int
    score: float  # 0..100
    key: str  # the stored key that matched


class NameIndex:
    """In-memory fuzzy index of one workspace's customer name keys."""

    def __init__(self, *, max_candidates: int = 2000) -> None:
        self._max_candidates = max_candidates
        self._keys = KeyTable()
        # Per distinct key (indexed by key id).
        self._brand_end = array("H")  # key[:brand_end] is the brand, the rest the industry
        self._longest_brand = 0
        self._first_entry = array("i")  # newest entry with this key; entries chain via _next_entry
        # Per entry (indexed by the order of `add`).
        self._customer_ids = array("q")
        self._next_entry = array("i")
        # Sorted, for duplicate detection; ids usually arrive in order, so appends are the norm.
        self._entry_ids = array("q")
        # Brand gram (see `_grams`) -> ids of the keys filed under it, in insertion order.
        self._postings: dict[int, array[int]] = {}

    def add(self, entry_id: int, customer_id: int, key: str) -> None:
        """Index one stored name key.

        entry_id: the monotonically increasing row id of the stored name key (a customer may have
        several keys: Chinese name, English name/alias). Adding the same entry_id twice is a no-op.
        An empty key is remembered as seen but not indexed.
        """
        if not self._remember_entry(entry_id) or not key:
            return
        key_count = len(self._keys)
        key_id = self._keys.add(key, fold(key))
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
        folded = self._keys.shadows(candidates)
        folded_brands = [
            text[: self._brand_end[key_id]] for text, key_id in zip(folded, candidates, strict=True)
        ]
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
        self._brand_end.append(min(len(brand), _MAX_BRAND_LENGTH))
        self._longest_brand = max(self._longest_brand, self._brand_end[-1])
        self._first_entry.append(_NO_ENTRY)
        for gram in _grams(fold(brand)):
            posting = self._postings.get(gram)
            if posting is None:
                self._postings[gram] = array("i", (key_id,))
            else:
                posting.append(key_id)

    def _candidates(self, brand: str, brand_cutoff: float) -> list[int]:
        """Key ids worth scoring: those sharing the most grams with the query brand.

        Postings are read rarest first; once the budget is spent the remaining (most common) grams
        are skipped: a key similar enough to matter shares rarer grams with the query as well.
        """
        shortest, longest = _length_window(len(brand), brand_cutoff)
        grams = _query_grams(brand, shortest, longest)
        postings = sorted(
            (posting for gram in grams if (posting := self._postings.get(gram))), key=len
        )
        budget = _POSTINGS_PER_CANDIDATE * self._max_candidates
        shared: Counter[int] = Counter()
        for posting in postings:
            if shared and len(posting) > budget:
                break
            shared.update(posting)
            budget -= len(posting)
        if len(shared) <= self._max_candidates:
            return list(shared)
        # Rank by shared grams, then by closeness in length. Keys sharing fewer grams than the
        # max_candidates-th best cannot get in, and brands of a length that cannot reach the cutoff
        # would only take a candidate's place: leave both out before doing per-key work in Python.
        fewest = _fewest_shared_needed(shared, self._max_candidates)
        brand_end = self._brand_end
        # Brand length -> promise lost for the difference to the query's (absent: out of window).
        length_penalty = {
            other: min(abs(other - len(brand)), _GRAM_WEIGHT - 1)
            for other in range(shortest, min(longest, self._longest_brand) + 1)
        }
        while True:
            promise = {
                key_id: count * _GRAM_WEIGHT - penalty
                for key_id, count in shared.items()
                if count >= fewest
                and (penalty := length_penalty.get(brand_end[key_id])) is not None
            }
            # The best-sharing keys may be out of the length window: then admit keys sharing one
            # gram fewer, rather than leave candidate places empty (that lost real matches).
            if len(promise) >= self._max_candidates or fewest <= 1:
                return _most_promising(promise, self._max_candidates)
            fewest -= 1

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


def _fewest_shared_needed(shared: Counter[int], limit: int) -> int:
    """Shared grams of the `limit`-th best key: keys sharing fewer cannot be among the best."""
    keys_per_count = Counter(shared.values())
    at_least = 0
    for count in sorted(keys_per_count, reverse=True):
        at_least += keys_per_count[count]
        if at_least >= limit:
            return count
    return 1


def _most_promising(promise: dict[int, int], limit: int) -> list[int]:
    """The `limit` keys of highest promise (ties in posting order). Promises are small integers, so
    find the threshold from their histogram instead of sorting with a Python key function."""
    if len(promise) <= limit:
        return list(promise)
    keys_per_value = Counter(promise.values())
    threshold, admitted = 0, 0
    for value in sorted(keys_per_value, reverse=True):
        if admitted + keys_per_value[value] > limit:
            threshold = value
            break
        admitted += keys_per_value[value]
    chosen = [key_id for key_id, value in promise.items() if value > threshold]
    ties = (key_id for key_id, value in promise.items() if value == threshold)
    chosen.extend(islice(ties, limit - len(chosen)))
    return chosen


def _grams(brand: str) -> set[int]:
    """What a stored brand is filed under, as ints.

    Short brands (up to five characters) under bigrams and skip-grams, a one-character brand under
    the character; longer Latin brands under trigrams (26² bigrams are far too common), longer
    Chinese ones under bigrams; brands of six to eight characters under both kinds (see
    _BOTH_GRAMS_BRAND).
    """
    codes = [ord(char) for char in brand.replace(" ", "")]
    if len(brand) <= _SHORT_BRAND:
        return set(codes) if len(codes) == 1 else _short_grams(codes)
    grams = _long_grams(codes, latin=brand.isascii())
    if len(brand) <= _BOTH_GRAMS_BRAND:
        grams |= _short_grams(codes)
    return grams


def _query_grams(brand: str, shortest: int, longest: int) -> set[int]:
    """What a query brand looks up: the grams of every brand length in [shortest, longest]."""
    codes = [ord(char) for char in brand.replace(" ", "")]
    grams: set[int] = set()
    if shortest <= _BOTH_GRAMS_BRAND:  # stored brands of up to 8 characters have short grams
        grams = _short_grams(codes)
        if shortest <= 1:
            grams.update(codes)
    if longest > _SHORT_BRAND:
        grams |= _long_grams(codes, latin=brand.isascii())
    return grams


def _short_grams(codes: list[int]) -> set[int]:
    """Adjacent character pairs and pairs one character apart (skip-grams).

    Without skip-grams 秀亨奔 and 秀奔 (ratio 80) share no gram at all: in a brand of a few
    characters one insertion or deletion breaks every adjacent pair. Both kinds share one code
    space, so the skip-gram 秀_奔 of one brand meets the bigram 秀奔 of the other.
    """
    grams = {(first << 21) | second for first, second in pairwise(codes)}
    grams.update((first << 21) | second for first, second in zip(codes, codes[2:], strict=False))
    return grams


def _long_grams(codes: list[int], *, latin: bool) -> set[int]:
    if latin:
        triples = zip(codes, codes[1:], codes[2:], strict=False)
        return {(first << 42) | (second << 21) | third for first, second, third in triples}
    return {(first << 21) | second for first, second in pairwise(codes)}


def _length_window(length: int, cutoff: float) -> tuple[int, int]:
    """Brand lengths that can reach `cutoff` against a brand of `length` (Indel ratio bound)."""
    if cutoff <= 0:
        return 0, _MAX_BRAND_LENGTH
    # ratio <= 200 * shorter / (shorter + longer)
    longest = int(length * (200 - cutoff) / cutoff + 1e-9)
    shortest = -(-length * cutoff // (200 - cutoff))
    return int(shortest), min(longest, _MAX_BRAND_LENGTH)
