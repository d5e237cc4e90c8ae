"""The curated evaluation set: real company names, labelled same / different customer.

`tests/matching/data/real_pairs.csv` holds pairs of public company names (listed companies in
Shanghai, Shenzhen, Hong Kong, New York, London, Frankfurt and Tokyo, their subsidiaries and
branches, well-known private companies): a stored customer, a name a rep types, whether they are
the same customer, and why. Three parts (`split`):

- `tune` (279 pairs): the normaliser and scorer were tuned on these;
- `holdout` (158 pairs): written with `tune`, before any tuning, and kept out of it. Looked at once
  the tuning on `tune` was done (recall 100 %, false alarms 5.0 %); three of its four false alarms
  then led to general changes (控股 kept apart from 集团, `motor` as an industry word, the 公司 mark
  of a registered name without an industry, which a `tune` pair also needed);
- `fresh` (60 pairs): written after all tuning, to check the final scorer on names it never saw.

A pair is *flagged* when the duplicate check would act on it: a collision (score >= clear_match) or
a hold for a manager (score >= possible_match). Same-customer recall is the share of same pairs
flagged; the false-alarm rate the share of different pairs flagged.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.matching import DEFAULT_CLEAR_MATCH, DEFAULT_POSSIBLE_MATCH, company_key, score

PAIRS_CSV = (
    Path(__file__).resolve().parent.parent / "tests" / "matching" / "data" / "real_pairs.csv"
)

Label = Literal["same", "different"]
Split = Literal["tune", "holdout", "fresh"]
Outcome = Literal["collision", "held", "none"]


@dataclass(frozen=True, slots=True)
class Pair:
    """One labelled pair of the curated set."""

    id: str
    split: Split
    label: Label
    kind: str
    stored: str
    claimed: str
    reason: str


@dataclass(frozen=True, slots=True)
class Judged:
    """A pair with what the duplicate check makes of it."""

    pair: Pair
    stored_key: str
    claimed_key: str
    score: float
    outcome: Outcome

    @property
    def flagged(self) -> bool:
        return self.outcome != "none"

    @property
    def correct(self) -> bool:
        return self.flagged == (self.pair.label == "same")


@dataclass(frozen=True, slots=True)
class Figures:
    """Precision and recall of one part of the set."""

    same: int
    different: int
    same_flagged: int
    same_collisions: int
    different_flagged: int
    different_collisions: int

    @property
    def recall(self) -> float:
        """Share of same-customer pairs the check flags (collision or hold)."""
        return self.same_flagged / self.same if self.same else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of different-customer pairs held or reported as a collision."""
        return self.different_flagged / self.different if self.different else 0.0

    @property
    def precision(self) -> float:
        """Share of flagged pairs that really are the same customer."""
        flagged = self.same_flagged + self.different_flagged
        return self.same_flagged / flagged if flagged else 1.0


def load_pairs(path: Path = PAIRS_CSV) -> list[Pair]:
    """Every pair of the curated set, in file order."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Pair(
                id=row["id"],
                split=_split(row["split"]),
                label=_label(row["label"]),
                kind=row["kind"],
                stored=row["stored"],
                claimed=row["claimed"],
                reason=row["reason"],
            )
            for row in csv.DictReader(file)
        ]


def judge(
    pairs: Iterable[Pair],
    *,
    clear_match: float = DEFAULT_CLEAR_MATCH,
    possible_match: float = DEFAULT_POSSIBLE_MATCH,
) -> list[Judged]:
    """What the duplicate check makes of each pair (names only, no identifiers)."""
    judged = []
    for pair in pairs:
        stored_key, claimed_key = company_key(pair.stored), company_key(pair.claimed)
        pair_score = score(stored_key, claimed_key)
        outcome: Outcome = (
            "collision"
            if pair_score >= clear_match
            else "held"
            if pair_score >= possible_match
            else "none"
        )
        judged.append(Judged(pair, stored_key, claimed_key, pair_score, outcome))
    return judged


def figures(judged: Sequence[Judged]) -> Figures:
    """Precision / recall of the judged pairs."""
    counts = Counter((j.pair.label, j.outcome) for j in judged)
    return Figures(
        same=sum(n for (label, _), n in counts.items() if label == "same"),
        different=sum(n for (label, _), n in counts.items() if label == "different"),
        same_flagged=counts["same", "collision"] + counts["same", "held"],
        same_collisions=counts["same", "collision"],
        different_flagged=counts["different", "collision"] + counts["different", "held"],
        different_collisions=counts["different", "collision"],
    )


def _split(value: str) -> Split:
    if value == "tune":
        return "tune"
    if value == "holdout":
        return "holdout"
    if value == "fresh":
        return "fresh"
    raise ValueError(f"split must be tune, holdout or fresh, not {value!r}")


def _label(value: str) -> Label:
    if value == "same":
        return "same"
    if value == "different":
        return "different"
    raise ValueError(f"label must be same or different, not {value!r}")
