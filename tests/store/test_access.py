"""The access rule (store/access.py): the database and Python answer alike on every case, and each
scope keeps exactly the claims it names."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import combinations

from sqlalchemy import select

from store.access import ClaimScope, belongs_to, fresh_claim, within
from store.db import Database
from store.models import Claim, ClaimStatus, Customer, Team, TeamMember

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
W = "T1"

# Teams A and B. Reps: ua (member of A), ub (member of B), uab (member of both), un (no team),
# ma (manages A: a manager's own claim without a team belongs to no team they manage).
MEMBERS = {"ua": ["A"], "ub": ["B"], "uab": ["A", "B"], "un": []}
MANAGERS = {"ma": ["A"]}


async def _seed(db: Database) -> tuple[dict[str, int], list[tuple[int, str, int | None]]]:
    """The teams' ids and (claim id, owner, team id) for every owner × (no team, A, B)."""
    async with db.write() as session:
        teams = {name: Team(workspace_id=W, name=name, created_at=AT) for name in ("A", "B")}
        session.add_all(teams.values())
        await session.flush()
        ids = {name: team.id for name, team in teams.items()}
        for people, manager in ((MEMBERS, False), (MANAGERS, True)):
            for user, names in people.items():
                for name in names:
                    session.add(
                        TeamMember(
                            workspace_id=W, team_id=ids[name], user_id=user, is_manager=manager
                        )
                    )
        claims: list[tuple[int, str, int | None]] = []
        n = 0
        for owner in [*MEMBERS, *MANAGERS]:
            for team in (None, "A", "B"):
                n += 1
                customer = Customer(workspace_id=W, name=f"c{n}", name_key=f"c{n}", created_at=AT)
                session.add(customer)
                await session.flush()
                claim = Claim(
                    workspace_id=W,
                    customer_id=customer.id,
                    owner_id=owner,
                    team_id=ids[team] if team else None,
                    status=ClaimStatus.RELEASED.value,
                    submission_key=f"k{n}",
                    submitted_at=AT,
                    customer_name=f"c{n}",
                )
                session.add(claim)
                await session.flush()
                claims.append((claim.id, owner, claim.team_id))
    return ids, claims


async def _selected(db: Database, scope: ClaimScope) -> set[int]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Claim.id).where(Claim.workspace_id == W, *within(scope))
        )
        return set(rows)


async def test_sql_and_python_agree_on_which_claims_belong_to_which_teams(db: Database) -> None:
    ids, claims = await _seed(db)
    member_of = {u: {ids[t] for t in names} for u, names in MEMBERS.items()}
    for size in range(len(ids) + 1):
        for chosen in combinations(ids.values(), size):
            expected = {
                claim_id
                for claim_id, owner, team_id in claims
                if belongs_to(
                    chosen, claim_team_id=team_id, owner_team_ids=member_of.get(owner, set())
                )
            }
            assert await _selected(db, ClaimScope.of_teams(chosen)) == expected, chosen


async def test_each_scope_keeps_the_claims_it_names(db: Database) -> None:
    ids, claims = await _seed(db)
    everything = {claim_id for claim_id, _, _ in claims}
    assert await _selected(db, ClaimScope.everyone()) == everything
    assert await _selected(db, ClaimScope.of_teams([])) == set()
    assert ClaimScope.of_teams([]).is_empty
    assert await _selected(db, ClaimScope.of_owner("ua")) == {c for c, o, _ in claims if o == "ua"}
    # Team A: filed under A by anyone, or filed without a team by a member of A. Not the manager's
    # own teamless claim, nor a member's claim filed under B.
    by_a = {
        (o, t) for c, o, t in claims if c in await _selected(db, ClaimScope.of_teams([ids["A"]]))
    }
    assert by_a == {
        ("ua", None),
        ("uab", None),
        *((owner, ids["A"]) for owner in [*MEMBERS, *MANAGERS]),
    }
    both = ClaimScope(owner_id="uab", team_ids=frozenset([ids["B"]]))
    assert {(o, t) for c, o, t in claims if c in await _selected(db, both)} == {
        ("uab", None),
        ("uab", ids["B"]),
    }


async def test_fresh_claim_refuses_another_workspaces_id(db: Database) -> None:
    _, claims = await _seed(db)
    claim_id = claims[0][0]
    async with db.session() as session:
        assert (await fresh_claim(session, W, claim_id)) is not None
        assert await fresh_claim(session, "T2", claim_id) is None
        assert await fresh_claim(session, W, claim_id + 10_000) is None
