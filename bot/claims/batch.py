"""Deciding a batch of submissions in arrival order, in memory, against facts read once.

Claims that arrive together are decided by one locked transaction (group commit, see
:mod:`bot.claims.service`): the facts every decision needs — exact key hits, candidate customers
and their holders, each rep's number of claims, recent releases — are read in a few queries for
the whole batch, then each submission is decided in order against those facts *and against
the decisions before it in the batch*, exactly as if it had its own transaction after theirs.
The writes that follow are a handful of multi-row statements, whatever the batch's size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from bot.claims.approval import ApprovalRule, Filer, rules_fired
from bot.claims.draft import ClaimDraft
from bot.claims.verdict import Refusal
from bot.duplicates import (
    CustomerFacts,
    Holder,
    Match,
    NameHits,
    Probe,
    Scores,
    classify,
    combine,
    merge_hit,
    name_hits,
)
from bot.lifecycle.timeline import protection_end
from bot.matching import NameIndex
from bot.rules import Rules
from store.models import ClaimStatus, KeyKind, Via

ExactKey = tuple[KeyKind, str]


def probe_for(draft: ClaimDraft) -> Probe:
    """The duplicate-check probe for a draft."""
    return Probe(
        name_keys=tuple(draft.name_keys()),
        exact=tuple(draft.exact_keys()),
        credit_code=draft.credit_code,
    )


@dataclass(frozen=True, slots=True)
class Resubmission:
    """What a corrected and resubmitted claim carries of the rejected claim it corrects: its id,
    and the fields changed, ``{field: [before, after]}`` (for the approver)."""

    claim_id: int
    changes: dict[str, list[Any]]


@dataclass
class Submission:
    """One claim submission waiting for its verdict."""

    filer: Filer
    draft: ClaimDraft
    submission_key: str
    origin_channel: str | None = None
    via: Via = Via.FORM
    resubmits: Resubmission | None = None
    probe: Probe = field(init=False)

    def __post_init__(self) -> None:
        self.probe = probe_for(self.draft)


@dataclass
class NewCustomer:
    """A customer first filed in this batch; ``id`` is provisional (negative) until written."""

    id: int
    name: str
    name_key: str
    credit_code: str | None
    region: str | None
    created_by: str
    other_name: str | None = None
    pooled_at: datetime | None = None


class Kind(Enum):
    REPLAY = "replay"  # the same submission, delivered before: answer with its stored verdict
    FILE = "file"  # a new claim (claimed or pending)
    COLLISION = "collision"
    ALREADY_YOURS = "already_yours"
    REFUSED = "refused"


@dataclass
class Decision:
    """What one submission comes to; provisional ids are replaced once the batch is written."""

    submission: Submission
    kind: Kind
    now: datetime
    match: Match | None = None  # the collided-with or already-held customer, or the target
    customer_id: int | None = None  # provisional while negative
    customer_name: str = ""
    claim_id: int | None = None  # provisional (negative) for a claim filed in this batch
    fired: tuple[ApprovalRule, ...] = ()
    possible: tuple[Match, ...] = ()
    other_entities: tuple[Match, ...] = ()  # similar names of other legal entities (information)
    refusal: Refusal | None = None
    refusal_until: datetime | None = None
    same_as: Decision | None = None  # a repeat of an earlier submission in the same batch

    @property
    def pending(self) -> bool:
        return bool(self.fired)


class BatchDecider:
    """Decides submissions one after another, remembering what each decision changed.

    Fed in two steps: the exact-key hits first (enough to find every stored candidate), then,
    through :meth:`learn`, what the store says about those candidates and the filers.
    """

    def __init__(self, rules: Rules, index: NameIndex, exact: Mapping[ExactKey, set[int]]) -> None:
        self.rules = rules
        self.index = index
        self.exact = exact
        self.limit = rules.matching.hint_limit
        self.releases: Mapping[tuple[int, str], datetime] = {}
        self.replays: set[str] = set()
        # What the store says, then what the batch has done so far (seen by later decisions).
        self.local_index = NameIndex()
        self.local_exact: dict[ExactKey, set[int]] = {}
        self.customers: dict[int, CustomerFacts] = {}
        self.holders: dict[int, Holder | None] = {}
        self.holding: dict[str, int] = {}
        self.new_customers: dict[int, NewCustomer] = {}
        self.keys_added: dict[int, list[ExactKey]] = {}
        self.unpooled: set[int] = set()
        self.by_key: dict[str, Decision] = {}
        self._provisional = itertools.count(-1, -1)
        self._entries = itertools.count(1)
        self._stored: dict[int, tuple[dict[int, set[KeyKind]], NameHits]] = {}

    def learn(
        self,
        *,
        customers: Mapping[int, CustomerFacts],
        holders: Mapping[int, Holder | None],
        holding_counts: Mapping[str, int],
        releases: Mapping[tuple[int, str], datetime],
        replays: set[str],
    ) -> None:
        """What the store says about the candidates and the filers."""
        self.customers.update(customers)
        self.holders.update(holders)
        self.holding.update(holding_counts)
        self.releases = releases
        self.replays = replays

    def candidate_ids(self, submissions: Iterable[Submission]) -> set[int]:
        """The stored customers any of ``submissions`` could match (read before deciding)."""
        ids: set[int] = set()
        for submission in submissions:
            ids |= set(self._scores(submission, local=False))
        return ids

    def decide(self, submission: Submission, now: datetime) -> Decision:
        """The decision for ``submission``, taken after every earlier one in the batch."""
        key = submission.submission_key
        if key in self.by_key:
            return Decision(submission, Kind.REPLAY, now, same_as=self.by_key[key])
        if key in self.replays:
            return Decision(submission, Kind.REPLAY, now)
        decision = self._decide(submission, now)
        self.by_key[key] = decision
        return decision

    def _decide(self, submission: Submission, now: datetime) -> Decision:
        probe, filer = submission.probe, submission.filer
        scores = self._scores(submission, local=True)
        matches = classify(probe, scores, self.customers, self.holders, self.rules, self.limit)
        clear = [m for m in matches if m.clear]
        held = [m for m in clear if m.holder is not None]
        if held:
            # The earliest claim holds; that is whom the rep collided with.
            first = min(held, key=lambda m: m.holder.submitted_at if m.holder else now)
            assert first.holder is not None
            if first.holder.submission_key == submission.submission_key:
                return Decision(submission, Kind.REPLAY, now)
            kind = Kind.ALREADY_YOURS if first.holder.owner_id == filer.user_id else Kind.COLLISION
            return Decision(
                submission,
                kind,
                now,
                match=first,
                customer_id=first.customer_id,
                customer_name=first.customer_name,
                claim_id=first.holder.claim_id,
            )

        target = clear[0] if clear else None
        refused = self._refusal(submission, target, now)
        if refused is not None:
            return refused

        possible = tuple(
            m for m in matches if not m.clear and not m.other_entity and m.holder is not None
        )
        other_entities = tuple(m for m in matches if m.other_entity and m.holder is not None)
        fired = tuple(
            rules_fired(
                submission.draft,
                filer,
                self.rules,
                possible_duplicates=possible,
                today=now.date(),
            )
        )
        decision = self._file(submission, target, fired, possible, now)
        decision.other_entities = other_entities
        return decision

    def _refusal(
        self, submission: Submission, target: Match | None, now: datetime
    ) -> Decision | None:
        filer = submission.filer
        name = target.customer_name if target else submission.draft.customer_name
        customer_id = target.customer_id if target else None
        cooldown = self.rules.protection.cooldown_days
        if target is not None and cooldown:
            released = self.releases.get((target.customer_id, filer.user_id))
            if released is not None and released + timedelta(days=cooldown) > now:
                return Decision(
                    submission,
                    Kind.REFUSED,
                    now,
                    customer_id=customer_id,
                    customer_name=name,
                    refusal=Refusal.COOLDOWN,
                    refusal_until=released + timedelta(days=cooldown),
                )
        cap = self.rules.claim_cap
        if cap and self.holding.get(filer.user_id, 0) >= cap:
            return Decision(
                submission,
                Kind.REFUSED,
                now,
                customer_id=customer_id,
                customer_name=name,
                refusal=Refusal.CAP,
            )
        return None

    def _file(
        self,
        submission: Submission,
        target: Match | None,
        fired: tuple[ApprovalRule, ...],
        possible: tuple[Match, ...],
        now: datetime,
    ) -> Decision:
        draft, filer = submission.draft, submission.filer
        if target is None:
            customer = NewCustomer(
                id=next(self._provisional),
                name=draft.customer_name,
                name_key=draft.name_keys()[0],
                other_name=draft.other_name,
                credit_code=draft.credit_code,
                region=draft.region,
                created_by=filer.user_id,
            )
            self.new_customers[customer.id] = customer
            self.customers[customer.id] = customer
            customer_id, customer_name = customer.id, customer.name
        else:
            customer_id, customer_name = target.customer_id, target.customer_name
            if target.pooled:
                self.unpooled.add(customer_id)
        # The new keys are the customer's from now on, for the rest of the batch too.
        keys = draft.exact_keys()
        self.keys_added.setdefault(customer_id, []).extend(keys)
        for kind, value in keys:
            self.local_exact.setdefault((kind, value), set()).add(customer_id)
            if kind is KeyKind.NAME:
                self.local_index.add(next(self._entries), customer_id, value)
        claim_id = next(self._provisional)
        self.holders[customer_id] = Holder(
            claim_id=claim_id,
            owner_id=filer.user_id,
            status=ClaimStatus.PENDING if fired else ClaimStatus.ACTIVE,
            until=None if fired else protection_end(now, self.rules, draft),
            team_id=filer.team_id,
            submitted_at=now,
            submission_key=submission.submission_key,
        )
        self.holding[filer.user_id] = self.holding.get(filer.user_id, 0) + 1
        return Decision(
            submission,
            Kind.FILE,
            now,
            match=target,
            customer_id=customer_id,
            customer_name=customer_name if target else draft.customer_name,
            claim_id=claim_id,
            fired=fired,
            possible=possible,
        )

    def _scores(self, submission: Submission, *, local: bool) -> Scores:
        """Scores against the store (searched once per submission) and, with ``local``, against
        what the batch filed before it."""
        probe = submission.probe
        stored = self._stored.get(id(submission))
        if stored is None:
            stored = self._stored[id(submission)] = (
                _exact_hits(probe, [self.exact]),
                name_hits(probe, [self.index], self.rules, self.limit),
            )
        exact, names = stored
        if local:
            exact = _exact_hits(probe, [self.exact, self.local_exact])
            names = dict(names)
            for customer_id, hit in name_hits(
                probe, [self.local_index], self.rules, self.limit
            ).items():
                merge_hit(names, customer_id, hit)
        return combine(exact, names, probe.email_domain)


def _exact_hits(
    probe: Probe, sources: Iterable[Mapping[ExactKey, set[int]]]
) -> dict[int, set[KeyKind]]:
    hits: dict[int, set[KeyKind]] = {}
    for source in sources:
        for kind, value in probe.exact:
            for customer_id in source.get((kind, value), ()):
                hits.setdefault(customer_id, set()).add(kind)
    return hits
