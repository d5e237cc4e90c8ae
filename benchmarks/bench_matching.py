"""Benchmark of the company-name duplicate check: build, memory, latency, recall.

    python -m benchmarks.bench_matching                      # 1,000,000 names, 400 queries
    python -m benchmarks.bench_matching --names 100000       # quick mode
    python -m benchmarks.bench_matching --curated            # precision / recall on real names

Latency is one check as the claim flow runs it: `company_key(query)` + `NameIndex.search`.
Recall is measured against a brute-force scan of every distinct stored key with the same scorer and
threshold. The scan first asks rapidfuzz (in C) for every brand within `min_brand_similarity` of the
query brand, then applies `score` to those. That pre-filter drops nothing that could reach the
threshold (`score` never exceeds what the brand similarity allows; tests/matching pins this), so it
is the full scan, only fast enough to run at a million names.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from benchmarks.curated import Judged, figures, judge, load_pairs
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


@dataclass(frozen=True, slots=True)
class Reference:
    """Brute-force answer for one query: the best score and every customer that reaches it."""

    best_score: float
    best_customers: frozenset[int]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print a plain-text table."""
    args = _parse_args(argv)
    if args.curated:
        _curated(verbose=args.verbose)
        return
    rows: list[tuple[str, str]] = []

    started = time.perf_counter()
    names = company_names(args.names, seed=args.seed)
    rows.append(("names generated", f"{len(names):,} in {time.perf_counter() - started:.1f} s"))

    started = time.perf_counter()
    keys = [company_key(name) for name in names]
    elapsed = time.perf_counter() - started
    rows.append(
        ("company_key, all names", f"{elapsed:.1f} s ({elapsed / len(names) * 1e6:.0f} µs/name)")
    )
    rows.append(("distinct keys", f"{len(set(keys)):,} ({keys.count(''):,} empty, not indexed)"))

    # Customer i owns name i; ids start at 1 like database rows.
    entries = [(number, number, key) for number, key in enumerate(keys, start=1)]

    tracemalloc.start()
    traced = _build(entries)
    index_bytes, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced  # tracing slows the build down threefold: time a second, untraced build
    rows.append(
        (
            "index memory (tracemalloc)",
            f"{index_bytes / 2**20:.1f} MiB ({index_bytes / len(names):.0f} B/name)",
        )
    )

    started = time.perf_counter()
    index = _build(entries)
    rows.append(("index build", f"{time.perf_counter() - started:.1f} s"))

    queries = query_names(names, args.queries, seed=args.seed + 1)
    min_score = args.min_score
    for query in queries:  # warm-up: first-touch costs are not what a check pays
        index.search(company_key(query), min_score=min_score)
    latencies: list[float] = []
    results: list[list[NameMatch]] = []
    for query in queries:
        started = time.perf_counter()
        found = index.search(company_key(query), min_score=min_score)
        latencies.append((time.perf_counter() - started) * 1000)
        results.append(found)
    rows.append(("queries", f"{len(queries)} (half altered copies, half new names)"))
    rows.append(
        (
            "check latency p50 / p90 / p99 / max",
            " / ".join(f"{value:.2f}" for value in _percentiles(latencies)) + " ms",
        )
    )
    copies = len(queries) // 2  # query_names: altered copies first, then brand-new names
    for label, part in (("altered copies", results[:copies]), ("new names", results[copies:])):
        clear = sum(1 for found in part if found and found[0].score >= DEFAULT_CLEAR_MATCH)
        possible = sum(1 for found in part if found) - clear
        rows.append(
            (
                f"{label}: clear / possible / none",
                f"{clear} / {possible} / {len(part) - clear - possible}",
            )
        )
    reasons = _why_new_names_match(queries[copies:], results[copies:])
    rows.append(
        (
            "new names matched: why",
            ", ".join(f"{count} {reason}" for reason, count in reasons.most_common()) or "none",
        )
    )

    started = time.perf_counter()
    references = _brute_force(entries, queries, min_score)
    elapsed = time.perf_counter() - started
    rows.append(("brute force", f"{elapsed:.1f} s ({elapsed / len(queries) * 1000:.0f} ms/query)"))

    matched = [
        (ref, found) for ref, found in zip(references, results, strict=True) if ref.best_customers
    ]
    recalled = sum(1 for ref, found in matched if _returns_best(ref, found))
    top_one = sum(1 for ref, found in matched if _top_is_best(ref, found))
    total = len(matched)
    rows.append((f"queries with a match >= {min_score:g}", f"{total}"))
    rows.append(("recall vs brute force", f"{recalled}/{total} = {_share(recalled, total)}"))
    rows.append(("top-1 agreement", f"{top_one}/{total} = {_share(top_one, total)}"))

    _print_table(f"Duplicate check, {args.names:,} names, min_score {min_score:g}", rows)
    for query, ref, found in zip(queries, references, results, strict=True):
        if ref.best_customers and not _returns_best(ref, found):
            print(
                f"  missed: {query!r} best {ref.best_score:.1f}, index: "
                f"{[(match.key, match.score) for match in found[:2]]}"
            )


def _why_new_names_match(
    queries: Sequence[str], results: Sequence[list[NameMatch]]
) -> Counter[str]:
    """Why a brand-new name draws a match, judged on its best match.

    Near-duplicates the dense synthetic corpus really contains (two-character brands drawn from a
    few hundred characters repeat): "same key" (that very name under another region or legal
    form), "same brand" (the brand in another trade). The scorer's leniency: "homophone brand"
    (the brands sound alike, see `fold`), "brand 1 edit" (one character or letter inserted,
    dropped or changed), "other" (anything looser).
    """
    reasons: Counter[str] = Counter()
    for query, found in zip(queries, results, strict=True):
        if not found:
            continue
        query_brand, _industry = split_brand(company_key(query))
        stored_brand, _industry = split_brand(found[0].key)
        if found[0].score == 100:
            reasons["same key"] += 1
        elif stored_brand == query_brand:
            reasons["same brand"] += 1
        elif fold(stored_brand) == fold(query_brand):
            reasons["homophone brand"] += 1
        elif Levenshtein.distance(stored_brand, query_brand) == 1:
            reasons["brand 1 edit"] += 1
        else:
            reasons["other"] += 1
    return reasons


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--names", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-score", type=float, default=DEFAULT_POSSIBLE_MATCH)
    parser.add_argument(
        "--curated",
        action="store_true",
        help="precision and recall on the curated real-name pairs instead of the synthetic million",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="with --curated: list every misjudged pair"
    )
    return parser.parse_args(argv)


def _curated(*, verbose: bool) -> None:
    """Precision / recall on tests/matching/data/real_pairs.csv, per split and overall."""
    judged = judge(load_pairs())
    rows: list[tuple[str, str]] = []
    for split in ("tune", "holdout", "fresh", "all"):
        part = [j for j in judged if split in ("all", j.pair.split)]
        part_figures = figures(part)
        rows.append(
            (
                f"{split}: same-customer recall",
                f"{part_figures.same_flagged}/{part_figures.same} = "
                f"{_share(part_figures.same_flagged, part_figures.same)} "
                f"({part_figures.same_collisions} collisions)",
            )
        )
        rows.append(
            (
                f"{split}: different customers held or collided",
                f"{part_figures.different_flagged}/{part_figures.different} = "
                f"{_share(part_figures.different_flagged, part_figures.different)} "
                f"({part_figures.different_collisions} collisions)",
            )
        )
        rows.append((f"{split}: precision", f"{100 * part_figures.precision:.1f} %"))
    _print_table(
        f"Curated real-name pairs, clear {DEFAULT_CLEAR_MATCH:g} / possible "
        f"{DEFAULT_POSSIBLE_MATCH:g}",
        rows,
    )
    wrong: list[Judged] = [j for j in judged if not j.correct]
    print(f"misjudged: {len(wrong)}")
    if verbose:
        for j in wrong:
            print(
                f"  {j.pair.id} {j.pair.label} {j.pair.kind}: {j.outcome} {j.score:.1f} "
                f"{j.stored_key!r} vs {j.claimed_key!r}  ({j.pair.reason})"
            )


def _build(entries: Sequence[tuple[int, int, str]]) -> NameIndex:
    index = NameIndex()
    for entry_id, customer_id, key in entries:
        index.add(entry_id, customer_id, key)
    return index


def _brute_force(
    entries: Sequence[tuple[int, int, str]], queries: Sequence[str], min_score: float
) -> list[Reference]:
    """Best match of each query over every stored key, independent of NameIndex."""
    customers_by_key: dict[str, set[int]] = defaultdict(set)
    for _entry_id, customer_id, key in entries:
        if key:
            customers_by_key[key].add(customer_id)
    stored_keys = list(customers_by_key)
    # The scorer never rates two brands above the similarity of their folded forms.
    stored_brands = [fold(split_brand(key)[0]) for key in stored_keys]
    cutoff = min_brand_similarity(min_score)
    references = []
    for query in queries:
        query_key = company_key(query)
        best_score, best_customers = 0.0, set[int]()
        if query_key:
            query_brand = fold(split_brand(query_key)[0])
            hits = process.extract(
                query_brand, stored_brands, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )
            for _brand, _similarity, position in hits:
                key = stored_keys[position]
                key_score = score(query_key, key)
                if key_score < min_score or key_score < best_score:
                    continue
                if key_score > best_score:
                    best_score, best_customers = key_score, set()
                best_customers |= customers_by_key[key]
        references.append(Reference(best_score, frozenset(best_customers)))
    return references


def _returns_best(ref: Reference, found: Sequence[NameMatch]) -> bool:
    """The index returned one of the brute force's best customers, with the best score."""
    return any(
        match.customer_id in ref.best_customers and match.score == ref.best_score for match in found
    )


def _top_is_best(ref: Reference, found: Sequence[NameMatch]) -> bool:
    return bool(found) and _returns_best(ref, found[:1])


def _percentiles(values: list[float]) -> tuple[float, float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[89], cuts[98], max(values)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def _print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(title)
    print("-" * (width + 3 + max(len(value) for _, value in rows)))
    for label, value in rows:
        print(f"{label:<{width}} | {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
