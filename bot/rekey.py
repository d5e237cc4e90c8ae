"""``claimbot rekey``: recompute every stored name key after the normaliser or its word lists
changed (bot/matching), while the bot runs; and every e-mail domain key (customers stored before
the domain was a key, or after the free-mail list changed).

For each customer, every name it is known by (its name and other name, and the names of every
claim filed on it) is keyed again with :func:`company_key`; keys no name yields any more are
deleted, new ones added. Customers are rewritten in batches, each under the workspace's claim lock
(so a batch and a claim decision never interleave, and new key rows keep growing ids in commit
order). After each batch the run records the last customer done: a run that is stopped resumes
there. When it finishes, the workspace's key *generation* moves on; a running bot notices on its
next duplicate check, picks up the new keys at once (they are new rows) and rebuilds its index
in the background to drop the deleted ones.

Customers imported before the other name was stored (migration 0005) lose a key made only from
that other name if the new normaliser keys it differently; re-importing the file restores it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.matching import company_key
from bot.validation import email_company_domain
from store import rekey as rekey_store
from store.db import Database

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True, slots=True)
class RekeyReport:
    """What a run did in one workspace (counting the batches of a resumed run too)."""

    workspace_id: str
    customers: int
    keys_added: int
    keys_removed: int
    generation: int
    resumed: bool

    def summary(self) -> str:
        """One line for the operator."""
        resumed = " (resumed)" if self.resumed else ""
        return (
            f"{self.workspace_id}: {self.customers:,} customers rekeyed{resumed}, "
            f"{self.keys_added:,} name keys added, {self.keys_removed:,} removed; "
            f"key generation {self.generation}."
        )


@dataclass
class Rekeyer:
    """Recomputes one workspace's stored name keys."""

    db: Database
    clock: Clock
    batch: int = BATCH

    async def total(self, workspace_id: str, *, restart: bool = False) -> int:
        """Customers the next run will go through (all, or those left by an unfinished run)."""
        async with self.db.session() as session:
            after = 0
            if not restart:
                run = await rekey_store.get_run(session, workspace_id)
                if run is not None and run.finished_at is None:
                    after = run.last_customer_id
            return await rekey_store.customers_left(session, workspace_id, after)

    async def run(
        self,
        workspace_id: str,
        *,
        restart: bool = False,
        progress: Callable[[int], object] | None = None,
        stop_after: int | None = None,
    ) -> RekeyReport:
        """Rekey ``workspace_id``; ``progress(n)`` after each batch of n customers.

        ``stop_after``: stop (unfinished, resumable) after that many batches (tests, and an
        operator who wants to spread the work).
        """
        async with self.db.write() as session:
            run = await rekey_store.start_run(
                session, workspace_id, self.clock.now(), restart=restart
            )
            resumed = run.last_customer_id > 0
            last_id = run.last_customer_id
        batches = 0
        while stop_after is None or batches < stop_after:
            done = await self._batch(workspace_id, last_id)
            if done is None:
                break
            last_id, count = done
            batches += 1
            if progress is not None:
                progress(count)
        else:
            return await self._report(workspace_id, resumed, finished=False)
        async with self.db.locked(workspace_id) as session:
            await rekey_store.finish_run(session, workspace_id, self.clock.now())
        return await self._report(workspace_id, resumed, finished=True)

    async def _batch(self, workspace_id: str, after_id: int) -> tuple[int, int] | None:
        """Rekey the customers after ``after_id``; (last id, how many), None when none is left."""
        async with self.db.locked(workspace_id) as session:
            customers = await rekey_store.customers_after(
                session, workspace_id, after_id, self.batch
            )
            if not customers:
                return None
            added: list[tuple[int, str]] = []
            removed: list[int] = []
            name_keys: dict[int, str] = {}
            domains_added: list[tuple[int, str]] = []
            domains_removed: list[int] = []
            for customer in customers:
                # The company domains of its e-mails, as the free-mail list now stands.
                domains = {d for e in customer.emails if (d := email_company_domain(e))}
                domains_added += [
                    (customer.customer_id, d)
                    for d in sorted(domains)
                    if d not in customer.email_domains
                ]
                domains_removed += [
                    row for d, row in customer.email_domains.items() if d not in domains
                ]
                keys = [k for k in dict.fromkeys(company_key(n) for n in customer.names) if k]
                if not keys:
                    continue  # nothing distinctive any more: keep what it has, lose no match
                added += [(customer.customer_id, k) for k in keys if k not in customer.keys]
                removed += [row for value, row in customer.keys.items() if value not in keys]
                primary = company_key(customer.name) or keys[0]
                if primary != customer.name_key:
                    name_keys[customer.customer_id] = primary
            now = self.clock.now()
            await rekey_store.replace_name_keys(
                session,
                workspace_id,
                added=added,
                removed=removed + domains_removed,
                name_keys=name_keys,
                at=now,
                domains_added=domains_added,
            )
            last_id = customers[-1].customer_id
            await rekey_store.save_progress(
                session,
                workspace_id,
                last_customer_id=last_id,
                customers=len(customers),
                added=len(added),
                removed=len(removed),
            )
        return last_id, len(customers)

    async def _report(self, workspace_id: str, resumed: bool, *, finished: bool) -> RekeyReport:
        async with self.db.session() as session:
            run = await rekey_store.get_run(session, workspace_id)
            assert run is not None
            report = RekeyReport(
                workspace_id=workspace_id,
                customers=run.customers_done,
                keys_added=run.keys_added,
                keys_removed=run.keys_removed,
                generation=run.generation,
                resumed=resumed,
            )
        log.info("rekey %s: %s", "finished" if finished else "stopped", report.summary())
        return report
