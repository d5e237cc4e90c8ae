"""Floors on the curated real-name pairs (tests/matching/data/real_pairs.csv).

The duplicate check must flag (hold or collide) at least 98 % of the pairs that are one customer,
and at most 2 % of the pairs that are different customers, on every part of the set: the part it
was tuned on, the held-out part and the part written after tuning. `python -m
benchmarks.bench_matching --curated --verbose` prints the figures and every misjudged pair.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.curated import figures, judge, load_pairs
from bot.matching import company_key

MIN_RECALL = 0.98
MAX_FALSE_ALARMS = 0.02

PAIRS = load_pairs()


@pytest.mark.parametrize("split", ["tune", "holdout", "fresh"])
def test_floors_hold_on_every_part(split: str) -> None:
    part = figures([j for j in judge(PAIRS) if j.pair.split == split])
    assert part.recall >= MIN_RECALL, part
    assert part.false_alarm_rate <= MAX_FALSE_ALARMS, part


def test_the_set_is_large_balanced_and_well_formed() -> None:
    assert len(PAIRS) >= 300
    assert len({pair.id for pair in PAIRS}) == len(PAIRS)
    labels = Counter(pair.label for pair in PAIRS)
    assert min(labels.values()) >= 100, labels
    assert all(pair.reason and pair.stored and pair.claimed for pair in PAIRS)
    # Every name leaves something to compare: a pair of empty keys would test nothing.
    assert all(company_key(pair.stored) and company_key(pair.claimed) for pair in PAIRS)


def test_the_spellings_and_look_alikes_the_issue_names_are_covered() -> None:
    kinds = {pair.kind for pair in PAIRS}
    assert {
        "zh-traditional",
        "zh-fullwidth",
        "zh-brackets",
        "zh-region-moved",
        "zh-region-dropped",
        "zh-branch",
        "zh-typo",
        "zh-legal-form",
        "en-legal-form",
        "en-ampersand",
        "bank-vs-securities",
        "group",
        "shared-brand-word",
        "same-industry",
        "one-char",
        "en-shared-word",
    } <= kinds
