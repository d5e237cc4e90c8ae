"""Who may see a claim's full details and who decides it, by role and team (both backends)."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from store.models import Role
from tests.approvals.conftest import A1, M1, M2, M3, R1, R2, R3, WS, pending, stored


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (R1, True),  # the owner
        (R2, False),  # a rep of the same team
        (R3, False),  # a rep of another team
        ("UPARTNER", False),  # a partner
        (M1, True),  # a manager of the owner's team
        (M3, False),  # a manager of another team
        (A1, True),  # an admin
    ],
)
async def test_full_details_are_for_the_owner_their_managers_and_admins(
    rt: Runtime, viewer: str, sees: bool
) -> None:
    claim = await stored(rt, await pending(rt, R1))
    async with rt.db.session() as session:
        assert (
            await rt.directory.can_see(
                session, WS, viewer, owner_id=claim.owner_id, team_id=claim.team_id
            )
            is sees
        )
    page = await rt.approvals.pending_for(WS, viewer)
    listed = [c.claim_id for c in page.cases]
    # The pending list, which shows contacts, follows the same line (the owner decides nothing).
    assert listed == ([claim.id] if sees and viewer != R1 else [])


async def test_a_manager_whose_role_was_set_to_rep_is_skipped_for_the_card(rt: Runtime) -> None:
    await rt.roles.set_role(WS, A1, M1, Role.REP)
    claim = await stored(rt, await pending(rt, R1))
    async with rt.db.session() as session:
        assert await rt.directory.approvers(session, WS, R1, claim.team_id) == [M2]
    await rt.roles.set_role(WS, A1, M2, Role.PARTNER)
    async with rt.db.session() as session:
        assert await rt.directory.approvers(session, WS, R1, claim.team_id) == [A1]
