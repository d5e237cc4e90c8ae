"""The grams a brand is filed under, and how many of them a similar brand must share.

Every brand is filed under its *pairs*: adjacent characters (bigrams) and characters one apart
(skip-grams), in one code space, so the skip-gram 秀_奔 of 秀亨奔 meets the bigram 秀奔 of 秀奔.

The scorer rates two brands at most their Indel ratio, ``200 · LCS / (la + lb)``. So a stored brand
of length lb within reach of a cutoff c keeps a common subsequence of at least
``c · (la + lb) / 200`` characters with the query: the query loses at most ``la − LCS`` characters
and has at most ``lb − LCS`` inserted. Every pair of the query whose two characters are kept, and
which ends up at most two characters apart, is a pair of the stored brand as well. The fewest pairs
that can survive such edits is a lower bound on the grams a candidate shares with the query; the
index reads postings and admits candidates by that bound, so it finds every brand the scorer could
rate at the cutoff, by construction, not by tuning.

Spaces are not filed (Latin brands of several words): dropping them from both brands never adds
to the edits, so the bound computed on the lengths with spaces still holds.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import pairwise

import numpy as np

__all__ = ["brand_grams", "fewest_shared_grams"]

# Up to this many characters the bound is computed exactly (a small dynamic programme, cached);
# beyond, a union bound: each deleted character breaks at most the 4 pairs it is part of, each
# inserted one at most 2 (a pair across one insertion is still a skip-gram). The union bound
# proves nothing for the short Chinese brands (4 characters, one changed: it allows 5 − 4 − 2 < 0
# shared grams, the exact answer is 2); from 6 characters on it is positive at the default cutoff.
_EXACT_UP_TO = 32
_NEVER = 1 << 30  # a budget not yet reached
_PAIR_SPAN = 2
_OCCURRENCE_SHIFT = 42  # a pair is two 21-bit code points


def brand_grams(brand: str) -> set[int]:
    """What a brand is filed under and looked up by: its pairs as ints (none for one character).

    A pair that occurs again is filed again with its occurrence number (花花花 has 花花 twice), so
    two brands share as many grams as they have pairs in common, counting repeats: a query made of
    one repeated sound (华化花, which fold to one character) still has several grams to share.
    """
    occurrences: dict[int, int] = {}
    grams = set()
    for pair in _pairs(_codes(brand)):
        seen = occurrences.get(pair, 0)
        occurrences[pair] = seen + 1
        grams.add(pair | seen << _OCCURRENCE_SHIFT)
    return grams


def _positions(length: int) -> int:
    """Pair positions in a brand of ``length`` characters (a repeated pair counts each time)."""
    return sum(max(length - span, 0) for span in range(1, _PAIR_SPAN + 1))


def fewest_shared_grams(query: str, stored_lengths: range, cutoff: float) -> dict[int, int]:
    """For each stored brand length within reach: the grams any brand of that length rated at
    least ``cutoff`` (Indel ratio) against ``query`` shares with it; 0 or less when nothing can be
    promised. Lengths that cannot reach the cutoff are left out. Lengths count spaces, as the
    ratio does.
    """
    codes = _codes(query)
    fewest: dict[int, int] = {}
    for stored_length in stored_lengths:
        common = max(math.ceil(cutoff * (len(query) + stored_length) / 200 - 1e-9), 0)
        if common > min(len(query), stored_length):
            continue
        deletions, insertions = len(query) - common, stored_length - common
        fewest[stored_length] = _fewest_surviving_capped(len(codes), deletions, insertions)
    return fewest


def _codes(brand: str) -> list[int]:
    return [ord(char) for char in brand.replace(" ", "")]


def _pairs(codes: list[int]) -> list[int]:
    """Adjacent characters and characters one apart, in one code space, in order of position."""
    pairs = [(first << 21) | second for first, second in pairwise(codes)]
    pairs += [(first << 21) | second for first, second in zip(codes, codes[2:], strict=False)]
    return pairs


def _fewest_surviving_capped(length: int, deletions: int, insertions: int) -> int:
    """Fewest pair positions of a ``length``-character string left intact by at most
    ``deletions`` deleted and ``insertions`` inserted characters."""
    if length > _EXACT_UP_TO:
        return _positions(length) - 4 * deletions - 2 * insertions
    table = _fewest_surviving_table(length)
    # Two insertions in every gap already break every pair: more change nothing.
    return int(table[min(deletions, length), min(insertions, table.shape[1] - 1)])


@lru_cache(maxsize=_EXACT_UP_TO + 1)
def _fewest_surviving_table(length: int) -> np.ndarray:
    """[deletions, insertions] -> fewest intact pair positions, for every budget at once.

    Position by position: delete the character or not, insert 0, 1 or 2 characters before it
    (more change nothing for pairs at most two apart). The state keeps the last two choices, which
    decide whether the pairs ending at the next character survive; each state holds the fewest
    survivors for every number of deletions and insertions used so far (a few ms for 30
    characters, once per length).
    """
    shape = (length + 1, _PAIR_SPAN * length + 1)
    start = np.full(shape, _NEVER, dtype=np.int32)
    start[0, 0] = 0
    layer: dict[tuple[tuple[int, int], ...], np.ndarray] = {(): start}
    for position in range(length):
        following: dict[tuple[tuple[int, int], ...], np.ndarray] = {}
        for recent, survived in layer.items():
            for deleted in (0, 1):
                for inserted in range(_PAIR_SPAN + 1 if position else 1):
                    choices = (*recent, (deleted, inserted))
                    gained = 0 if deleted else _intact_pairs_ending_here(choices, position)
                    moved = np.full(shape, _NEVER, dtype=np.int32)
                    moved[deleted:, inserted:] = (
                        survived[: shape[0] - deleted, : shape[1] - inserted] + gained
                    )
                    state = choices[-_PAIR_SPAN:]
                    if state in following:
                        np.minimum(following[state], moved, out=following[state])
                    else:
                        following[state] = moved
        layer = following
    fewest = np.minimum.reduce(list(layer.values()))
    # At most so many edits: the fewest over every smaller budget too.
    return np.minimum.accumulate(np.minimum.accumulate(fewest, axis=0), axis=1)


def _intact_pairs_ending_here(choices: tuple[tuple[int, int], ...], position: int) -> int:
    """Pairs (start, position) whose start is kept and that stay at most two characters apart."""
    intact = 0
    for span in range(1, min(_PAIR_SPAN, position) + 1):
        start_deleted = choices[-1 - span][0]
        if start_deleted:
            continue
        between = choices[-span:]
        deleted_between = sum(deleted for deleted, _inserted in between[:-1])
        inserted_between = sum(inserted for _deleted, inserted in between)
        if span - deleted_between + inserted_between <= _PAIR_SPAN:
            intact += 1
    return intact
