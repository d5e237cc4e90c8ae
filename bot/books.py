"""Handing over a rep's whole book (销售离职交接): every pending and active claim of one rep to
another, in one step — ``/claim handover @from @to <reason>`` with a preview and a confirmation,
or ``claimbot handover`` for large books.

Decisions the issue left open, made here:

- Who: an admin, or a manager who manages the teams of both reps (the same right as a
  transfer, :meth:`Directory.can_decide`, on the leaving rep's claims).
- What: pending and active claims. Won deals stay with the rep who won them; ended claims hold
  nothing. Each moves exactly as a manager's transfer does (:func:`bot.handover.hand_over`): the
  old claim ends (``transferred``), the new one is active from now with a fresh protection
  period. A pending claim handed over is active too: the manager handing it over is deciding it.
- The receiving rep's cap does not apply (a manager's decision, as with transfers); the answer
  says how many they hold now.
- All of it runs in one unit of work under the claim lock, so a book is handed over whole or not
  at all, ordered with filings; each claim gets its own audit event (``claim.transferred``, with
  ``by: handover``), and each side one summary DM rather than one per customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.directory import Directory
from bot.handover import hand_over_claim
from bot.notify import Notice, enqueue
from bot.notify.kinds import NoticeKind
from bot.rules import Rules
from store import audit
from store import claims as claim_store
from store.db import Database
from store.models import Claim, ClaimStatus

# How many customers a preview and a summary DM name (the rest are counted).
NAMED = 20
# The most claims one handover moves (a book larger than this is handed over in several runs).
BOOK_LIMIT = 5000


class BookRefusal(StrEnum):
    """Why a book was not handed over."""

    NOT_MANAGER = "not_manager"  # not an admin, nor a manager of both reps' teams
    SAME_REP = "same_rep"  # from and to are the same person
    EMPTY = "empty"  # the rep holds no pending or active claim


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One claim of the book, as a preview lists it."""

    claim_id: int
    customer_name: str
    status: ClaimStatus


@dataclass(frozen=True, slots=True)
class Book:
    """A preview of a handover, or what came of it."""

    from_id: str
    to_id: str
    refusal: BookRefusal | None = None
    entries: tuple[BookEntry, ...] = field(default=())
    # After a handover: how many claims the receiving rep holds now, and the cap.
    holding: int = 0
    cap: int = 0
    done: bool = False

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def active(self) -> int:
        return sum(1 for e in self.entries if e.status is ClaimStatus.ACTIVE)

    @property
    def pending(self) -> int:
        return sum(1 for e in self.entries if e.status is ClaimStatus.PENDING)


@dataclass
class BookHandover:
    """A rep's whole book to another rep."""

    db: Database
    rules: Rules
    clock: Clock
    directory: Directory

    async def preview(self, workspace_id: str, actor_id: str, from_id: str, to_id: str) -> Book:
        """What a handover would move now (or why it may not be done)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.write() as session:
            claims, refused = await self._book(session, workspace_id, actor_id, from_id, to_id)
            return refused or Book(from_id, to_id, entries=_entries(claims))

    async def hand_over(
        self, workspace_id: str, actor_id: str, from_id: str, to_id: str, reason: str
    ) -> Book:
        """Move every pending and active claim of ``from_id`` to ``to_id``, all or nothing."""
        await self.directory.ensure_seeded(workspace_id)
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            claims, refused = await self._book(session, workspace_id, actor_id, from_id, to_id)
            if refused is not None:
                return refused
            target = await self.directory.member(session, workspace_id, to_id)
            home = target.home_team
            for claim in claims:
                await hand_over_claim(
                    session,
                    claim,
                    to_id=to_id,
                    to_team=home.team_id if home else None,
                    actor_id=actor_id,
                    reason=reason,
                    submission_key=f"handover:{claim.id}",
                    rules=self.rules,
                    now=now,
                    audit_data={"by": "handover", "was": claim.status},
                )
            book = Book(from_id, to_id, entries=_entries(claims), done=True)
            await self._tell(session, workspace_id, actor_id, book, reason, now)
            return Book(
                from_id,
                to_id,
                entries=book.entries,
                holding=await claim_store.count_holding(session, workspace_id, to_id),
                cap=self.rules.claim_cap,
                done=True,
            )

    async def _book(
        self, session: AsyncSession, workspace_id: str, actor_id: str, from_id: str, to_id: str
    ) -> tuple[list[Claim], Book | None]:
        if from_id == to_id:
            return [], Book(from_id, to_id, BookRefusal.SAME_REP)
        if not await self._may(session, workspace_id, actor_id, from_id, to_id):
            await audit.record(
                session,
                workspace_id,
                audit.Action.ACCESS_REFUSED,
                actor_id=actor_id,
                at=self.clock.now(),
                data={"action": "handover", "from_id": from_id, "to_id": to_id},
            )
            return [], Book(from_id, to_id, BookRefusal.NOT_MANAGER)
        claims = list(
            await claim_store.claims_of_owner(
                session,
                workspace_id,
                from_id,
                [ClaimStatus.PENDING, ClaimStatus.ACTIVE],
                limit=BOOK_LIMIT,
            )
        )
        if not claims:
            return [], Book(from_id, to_id, BookRefusal.EMPTY)
        claims.sort(key=lambda c: (c.submitted_at, c.id))
        return claims, None

    async def _may(
        self, session: AsyncSession, workspace_id: str, actor_id: str, from_id: str, to_id: str
    ) -> bool:
        """An admin, or a manager of both reps' teams (never one's own book)."""
        actor = await self.directory.member(session, workspace_id, actor_id)
        if actor.is_admin:
            return True
        if not await self.directory.can_decide(
            session, workspace_id, actor_id, owner_id=from_id, team_id=None
        ):
            return False
        target = await self.directory.member(session, workspace_id, to_id)
        return bool(target.team_ids & actor.managed_team_ids)

    async def _tell(
        self,
        session: AsyncSession,
        workspace_id: str,
        actor_id: str,
        book: Book,
        reason: str,
        now: datetime,
    ) -> None:
        payload = {
            "actor_id": actor_id,
            "from_id": book.from_id,
            "to_id": book.to_id,
            "reason": reason,
            "count": len(book.entries),
            "customers": [e.customer_name for e in book.entries[:NAMED]],
        }
        first = book.entries[0].claim_id
        for kind, recipient in (
            (NoticeKind.BOOK_HANDED_AWAY, book.from_id),
            (NoticeKind.BOOK_HANDED_TO, book.to_id),
        ):
            await enqueue(
                session,
                workspace_id,
                Notice(
                    kind=kind,
                    recipient=recipient,
                    dedupe_key=f"handover:{first}:{kind}",
                    payload=payload,
                ),
                at=now,
            )


def _entries(claims: list[Claim]) -> tuple[BookEntry, ...]:
    return tuple(BookEntry(c.id, c.customer_name, ClaimStatus(c.status)) for c in claims)
