"""The duplicate check (查重): exact on identifiers, fuzzy on company names, at any scale.

Each workspace has an in-memory :class:`~bot.matching.NameIndex` of its customers' name keys,
built from the store at start. Other processes may have added customers since: before every check
the index catches up with the key rows newer than the last one it has seen (rows are inserted only
under the workspace's claim lock, so their ids grow in commit order). Exact identifiers are looked
up in the database itself, which is always current.

``claimbot rekey`` also deletes key rows. When a run finishes it moves the workspace's key
generation on; the next check notices and starts building a fresh index beside the live one,
``REBUILD_ROWS_PER_CHECK`` rows per check (a few tens of milliseconds), and swaps it in once it
has caught up. Until then the live index still answers, new keys included.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching import NameIndex
from bot.rules import Rules
from bot.validation import FieldError, parse_credit_code
from store import customers as customer_store
from store import rekey as rekey_store
from store.models import Claim, ClaimStatus, KeyKind

log = logging.getLogger(__name__)

# Rows a check adds to an index being rebuilt after a rekey: ~20 µs each, so ≈ 40 ms per check.
REBUILD_ROWS_PER_CHECK = 2_000
_LOAD_BATCH = 50_000

# Identifiers that name one company on their own; a company e-mail domain only suggests one.
DECISIVE = (KeyKind.CREDIT_CODE, KeyKind.PHONE, KeyKind.EMAIL, KeyKind.NAME)


@dataclass(frozen=True, slots=True)
class Probe:
    """What to look for: normalised name keys and exact identifiers."""

    name_keys: tuple[str, ...] = ()
    exact: tuple[tuple[KeyKind, str], ...] = ()
    credit_code: str | None = None

    @property
    def email_domain(self) -> str | None:
        """The company domain of the probe's e-mail, if it has one (see ``KeyKind.EMAIL_DOMAIN``)."""
        return next((value for kind, value in self.exact if kind is KeyKind.EMAIL_DOMAIN), None)


@dataclass(frozen=True, slots=True)
class Holder:
    """The claim holding a customer, as anyone may see it: who, in what state, until when."""

    claim_id: int
    owner_id: str
    status: ClaimStatus
    until: datetime | None
    team_id: int | None
    submitted_at: datetime
    submission_key: str | None = None

    @classmethod
    def of(cls, claim: Claim) -> Holder:
        """The holder as seen through its claim row."""
        return cls(
            claim_id=claim.id,
            owner_id=claim.owner_id,
            status=ClaimStatus(claim.status),
            until=claim.protection_until,
            team_id=claim.team_id,
            submitted_at=claim.submitted_at,
            submission_key=claim.submission_key,
        )


@dataclass(frozen=True, slots=True)
class Match:
    """An existing customer that the probe resembles."""

    customer_id: int
    customer_name: str
    matched_on: KeyKind
    score: float
    clear: bool
    holder: Holder | None
    pooled: bool
    region: str | None = None
    # The name resembles, but both sides carry different valid credit codes: another legal
    # entity (matching.credit_code_decides). Shown as information, never a duplicate.
    other_entity: bool = False
    # For a name match: the probe's key and the stored key that matched (to explain the score).
    probe_key: str | None = None
    stored_key: str | None = None

    @property
    def free(self) -> bool:
        """Nobody holds it: never claimed, released to the pool, or its claims ended."""
        return self.holder is None


@dataclass
class DuplicateChecker:
    """Owns the per-workspace name indexes and answers duplicate checks."""

    rules: Rules
    indexes: dict[str, NameIndex] = field(default_factory=dict)
    # The key generation each live index was built at, and indexes being rebuilt at a newer one.
    generations: dict[str, int] = field(default_factory=dict)
    rebuilding: dict[str, tuple[int, NameIndex]] = field(default_factory=dict)

    def index(self, workspace_id: str) -> NameIndex:
        """The workspace's index (empty until it catches up)."""
        found = self.indexes.get(workspace_id)
        if found is None:
            found = self.indexes[workspace_id] = NameIndex()
        return found

    async def warm(self, session: AsyncSession) -> None:
        """Build every workspace's index from the store (at start, before serving)."""
        for workspace_id in await customer_store.workspaces_with_customers(session):
            added = await self.catch_up(session, workspace_id)
            log.info("name index for %s: %d keys", workspace_id, added)

    async def catch_up(self, session: AsyncSession, workspace_id: str) -> int:
        """Add the name keys stored since the index last looked; returns how many.

        After a rekey (a newer key generation) also takes a step of the index's rebuild.
        """
        generation = await rekey_store.generation(session, workspace_id)
        if workspace_id not in self.indexes:
            self.generations[workspace_id] = generation
        elif self.generations.get(workspace_id, 0) != generation:
            await self._rebuild_step(session, workspace_id, generation)
        return await _load(session, workspace_id, self.index(workspace_id))

    async def _rebuild_step(
        self, session: AsyncSession, workspace_id: str, generation: int
    ) -> None:
        """Load a slice of the rows into a fresh index; swap it in once it has them all."""
        pending = self.rebuilding.get(workspace_id)
        if pending is None or pending[0] != generation:
            pending = self.rebuilding[workspace_id] = (generation, NameIndex())
        index = pending[1]
        loaded = await _load(session, workspace_id, index, limit=REBUILD_ROWS_PER_CHECK)
        if loaded < REBUILD_ROWS_PER_CHECK:
            self.indexes[workspace_id] = index
            self.generations[workspace_id] = generation
            del self.rebuilding[workspace_id]
            log.info("name index for %s rebuilt at key generation %d", workspace_id, generation)

    async def find(
        self, session: AsyncSession, workspace_id: str, probe: Probe, *, limit: int | None = None
    ) -> list[Match]:
        """Existing customers resembling ``probe``: clear matches first, then by score.

        A match is *clear* (the same customer) on an equal credit code, phone, e-mail or name key,
        or on a name score at or above ``matching.clear_match`` — unless both sides carry
        different valid credit codes, which makes them different legal entities whatever their
        names (``Match.other_entity``). Other scores from ``matching.possible_match`` up are
        *possible* duplicates.
        """
        matching = self.rules.matching
        limit = limit or matching.hint_limit
        await self.catch_up(session, workspace_id)
        exact = await customer_store.customers_with_keys(session, workspace_id, probe.exact)
        scores = score_candidates(probe, exact, [self.index(workspace_id)], self.rules, limit)
        if not scores:
            return []
        rows = await customer_store.customers_and_holders(session, workspace_id, list(scores))
        customers = {customer.id: customer for customer, _ in rows}
        holders = {customer.id: None if h is None else Holder.of(h) for customer, h in rows}
        return classify(probe, scores, customers, holders, self.rules, limit)


async def _load(
    session: AsyncSession, workspace_id: str, index: NameIndex, *, limit: int | None = None
) -> int:
    """Add the key rows newer than the index's last (at most ``limit``); returns how many."""
    added = 0
    while limit is None or added < limit:
        batch = _LOAD_BATCH if limit is None else min(_LOAD_BATCH, limit - added)
        rows = await customer_store.name_keys_after(
            session, workspace_id, index.last_entry_id, batch=batch
        )
        for row in rows:
            index.add(row.entry_id, row.customer_id, row.key)
        added += len(rows)
        if len(rows) < batch:
            break
    return added


class CustomerFacts(Protocol):
    """What the duplicate check needs to know about a customer (stored, or filed a moment ago)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def credit_code(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def pooled_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class NameHit:
    """A customer's best name score, and which two keys it came from."""

    score: float
    probe_key: str
    stored_key: str


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate's best score, what it matched on, and for a name the two keys."""

    score: float
    kind: KeyKind
    probe_key: str | None = None
    stored_key: str | None = None


Scores = dict[int, Scored]
NameHits = dict[int, NameHit]


def different_entities(a_code: str | None, b_code: str | None) -> bool:
    """Both credit codes valid and different: two legal entities (the code names exactly one)."""
    if not a_code or not b_code or a_code == b_code:
        return False
    return _valid_code(a_code) and _valid_code(b_code)


def _valid_code(code: str) -> bool:
    try:
        return parse_credit_code(code) == code
    except FieldError:
        return False


def score_candidates(
    probe: Probe,
    exact: dict[int, set[KeyKind]],
    indexes: Sequence[NameIndex],
    rules: Rules,
    limit: int,
) -> Scores:
    """Each candidate customer's best score and what it matched on: 100 for an equal
    identifier, else the best name score at or above ``matching.possible_match``, else 100 on
    the same company e-mail domain."""
    return combine(exact, name_hits(probe, indexes, rules, limit), probe.email_domain)


def name_hits(probe: Probe, indexes: Sequence[NameIndex], rules: Rules, limit: int) -> NameHits:
    """The best fuzzy name score per customer across ``indexes``."""
    hits: NameHits = {}
    for index in indexes:
        for key in probe.name_keys:
            for hit in index.search(key, min_score=rules.matching.possible_match, limit=limit * 2):
                merge_hit(hits, hit.customer_id, NameHit(hit.score, key, hit.key))
    return hits


def merge_hit(hits: NameHits, customer_id: int, hit: NameHit) -> None:
    """Keep ``hit`` if it is the customer's best so far."""
    best = hits.get(customer_id)
    if best is None or best.score < hit.score:
        hits[customer_id] = hit


def combine(
    exact: dict[int, set[KeyKind]], names: NameHits, email_domain: str | None = None
) -> Scores:
    """Exact hits (100, on the most decisive identifier) and name scores, best per customer;
    a customer found on nothing but ``email_domain`` is scored 100 on it (both keys the domain,
    to explain the match) and never takes the place of a name score."""
    scores: Scores = {}
    for customer_id, kinds in exact.items():
        kind = next((k for k in DECISIVE if k in kinds), None)
        if kind is None:
            continue  # only the e-mail domain in common: below, if no name resembles
        hit = names.get(customer_id) if kind is KeyKind.NAME else None
        scores[customer_id] = Scored(
            100.0, kind, hit.probe_key if hit else None, hit.stored_key if hit else None
        )
    for customer_id, hit in names.items():
        if customer_id not in scores or scores[customer_id].score < hit.score:
            scores[customer_id] = Scored(hit.score, KeyKind.NAME, hit.probe_key, hit.stored_key)
    for customer_id, kinds in exact.items():
        if email_domain and KeyKind.EMAIL_DOMAIN in kinds and customer_id not in scores:
            scores[customer_id] = Scored(100.0, KeyKind.EMAIL_DOMAIN, email_domain, email_domain)
    return scores


def classify(
    probe: Probe,
    scores: Scores,
    customers: Mapping[int, CustomerFacts],
    holders: Mapping[int, Holder | None],
    rules: Rules,
    limit: int,
) -> list[Match]:
    """Matches in answer order (clear first, identifiers before names, then by score).

    A match is *clear* (the same customer) on an equal identifier or a name score at or above
    ``matching.clear_match`` (never on the same company e-mail domain alone) — unless both sides carry different valid credit codes, which makes
    them different legal entities whatever their names: never clear, and with
    ``matching.credit_code_decides`` not a duplicate at all (``Match.other_entity``).
    """
    matching = rules.matching
    matches = []
    for customer_id, scored in scores.items():
        score, kind = scored.score, scored.kind
        customer = customers.get(customer_id)
        if customer is None:
            continue  # an index entry whose row is gone or was never committed
        hint = kind in (KeyKind.NAME, KeyKind.EMAIL_DOMAIN)
        # A shared company e-mail domain only suggests the same company (a group's companies
        # share one): a possible duplicate for a manager, never a collision by itself.
        clear = not hint or (kind is KeyKind.NAME and score >= matching.clear_match)
        other_entity = hint and different_entities(probe.credit_code, customer.credit_code)
        if other_entity:
            clear = False
            other_entity = matching.credit_code_decides
        matches.append(
            Match(
                customer_id=customer_id,
                customer_name=customer.name,
                matched_on=kind,
                score=score,
                clear=clear,
                holder=holders.get(customer_id),
                pooled=customer.pooled_at is not None,
                region=customer.region,
                other_entity=other_entity,
                probe_key=scored.probe_key,
                stored_key=scored.stored_key,
            )
        )
    matches.sort(key=lambda m: (not m.clear, m.matched_on is KeyKind.NAME, -m.score, m.customer_id))
    return matches[:limit]
