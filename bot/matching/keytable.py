"""Distinct company keys numbered 0, 1, 2 … in a few flat arrays instead of a dict of str objects.

At a million keys a `dict[str, int]` plus a list of the key strings costs ~150 bytes per key; this
table costs ~40: UTF-8 text in one bytearray, end offsets, 32 bits of each key's hash, and an
open-addressing slot array. Lookups and inserts are a handful of array reads in Python (about a microsecond).

Hashes come from Python's `hash(str)`, which is salted per process: the table lives in memory only.
"""

from __future__ import annotations

from array import array

_EMPTY = -1
_INITIAL_SLOTS = 1024
_HASH_BITS = 0xFFFFFFFF


class KeyTable:
    """Interns keys: `add` returns a stable dense id, `find` the id of a known key or -1."""

    __slots__ = ("_ends", "_hashes", "_slots", "_text")

    def __init__(self) -> None:
        self._text = bytearray()
        self._ends = array("I")  # key i occupies _text[_ends[i-1]:_ends[i]] (text < 4 GiB)
        self._hashes = array("I")  # low 32 bits of hash(key): slot number and quick rejection
        self._slots = array("i", [_EMPTY]) * _INITIAL_SLOTS

    def __len__(self) -> int:
        return len(self._ends)

    def find(self, key: str) -> int:
        """Id of `key`, or -1 when it was never added."""
        return self._slots[self._slot_of(key, hash(key) & _HASH_BITS)]

    def add(self, key: str) -> int:
        """Id of `key`, adding it first if it is new."""
        key_hash = hash(key) & _HASH_BITS
        slot = self._slot_of(key, key_hash)
        if self._slots[slot] != _EMPTY:
            return self._slots[slot]
        key_id = len(self._ends)
        encoded = key.encode()
        self._text += encoded
        self._ends.append(len(self._text))
        self._hashes.append(key_hash)
        self._slots[slot] = key_id
        # Keep the table at most half full so probe runs stay short.
        if 2 * len(self._ends) > len(self._slots):
            self._grow()
        return key_id

    def key(self, key_id: int) -> str:
        """The key with this id."""
        start = self._ends[key_id - 1] if key_id else 0
        return self._text[start : self._ends[key_id]].decode()

    def keys(self, key_ids: list[int]) -> list[str]:
        """The keys with these ids (one call for many: the per-key cost is what counts here)."""
        text, ends = self._text, self._ends
        return [
            text[ends[key_id - 1] if key_id else 0 : ends[key_id]].decode() for key_id in key_ids
        ]

    def _slot_of(self, key: str, key_hash: int) -> int:
        """The slot holding `key`, or the empty slot where it would go (linear probing)."""
        slots, hashes = self._slots, self._hashes
        mask = len(slots) - 1
        slot = key_hash & mask
        while (key_id := slots[slot]) != _EMPTY:
            if hashes[key_id] == key_hash and self.key(key_id) == key:
                return slot
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        slots = array("i", [_EMPTY]) * (2 * len(self._slots))
        mask = len(slots) - 1
        for key_id, key_hash in enumerate(self._hashes):
            slot = key_hash & mask
            while slots[slot] != _EMPTY:
                slot = (slot + 1) & mask
            slots[slot] = key_id
        self._slots = slots
