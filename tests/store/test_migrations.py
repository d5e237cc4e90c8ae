"""The schema comes from migrations, the same on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from store.db import Database
from store.migrate import current_revision, downgrade, head_revision, upgrade
from store.models import AuditEvent, Base, Claim, ClaimStatus, Customer

EXPECTED_TABLES = {
    "people",
    "teams",
    "team_members",
    "customers",
    "customer_keys",
    "claims",
    "followups",
    "collisions",
    "extension_requests",
    "posted_messages",
    "audit_events",
    "outbox",
}


async def table_names(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_every_table_and_records_the_head(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await current_revision(db) is None
        await upgrade(db)
        assert await table_names(db) >= EXPECTED_TABLES
        assert await current_revision(db) == head_revision()
        await upgrade(db)  # a second start migrates nothing and fails nothing
        assert await current_revision(db) == head_revision()
    finally:
        await db.dispose()


async def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(
    database_url: str,
) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        await downgrade(db, "base")
        assert await table_names(db) - {"alembic_version"} == set()
        await upgrade(db)
        assert await table_names(db) >= EXPECTED_TABLES
    finally:
        await db.dispose()


async def test_models_and_migrations_agree(db: Database) -> None:
    """A model change without a migration (or the reverse) fails here, not in production."""
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == []


async def test_round_trip_keeps_microseconds_utc_and_decimals(db: Database) -> None:
    filed = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
    async with db.session() as session:
        customer = Customer(
            workspace_id="T1",
            name="字节跳动科技有限公司",
            name_key="字节跳动科技",
            created_at=filed,
        )
        session.add(customer)
        await session.flush()
        session.add(
            Claim(
                workspace_id="T1",
                customer_id=customer.id,
                owner_id="U1",
                status=ClaimStatus.ACTIVE,
                submission_key="k1",
                submitted_at=filed,
                customer_name=customer.name,
                deal_size=Decimal("1234567.89"),
                rules_fired={"rules": ["deal_size"]},
                protection_until=filed + timedelta(days=90),
            )
        )
    async with db.session() as session:
        claim = (await session.scalars(select(Claim))).one()
    assert claim.submitted_at == filed
    assert claim.submitted_at.tzinfo is not None
    assert claim.deal_size == Decimal("1234567.89")
    assert claim.rules_fired == {"rules": ["deal_size"]}


async def test_the_database_refuses_a_second_holder_of_one_customer(db: Database) -> None:
    """Beneath the claim lock, the partial unique index is the last guard against two owners."""
    now = datetime.now(UTC)
    async with db.session() as session:
        customer = Customer(workspace_id="T1", name="ACME", name_key="acme", created_at=now)
        session.add(customer)
        await session.flush()
        customer_id = customer.id

    def claim(owner: str, status: ClaimStatus, key: str) -> Claim:
        return Claim(
            workspace_id="T1",
            customer_id=customer_id,
            owner_id=owner,
            status=status,
            submission_key=key,
            submitted_at=now,
            customer_name="ACME",
        )

    async with db.session() as session:
        session.add(claim("U1", ClaimStatus.ACTIVE, "a"))
        session.add(claim("U2", ClaimStatus.RELEASED, "b"))  # history does not hold
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            session.add(claim("U3", ClaimStatus.PENDING, "c"))


async def test_audit_rows_are_kept_in_order(db: Database) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.session() as session:
        for i in range(3):
            session.add(
                AuditEvent(
                    workspace_id="T1",
                    at=base + timedelta(microseconds=i),
                    actor_id="U1",
                    action="claim.filed",
                    data={"n": i},
                )
            )
    async with db.session() as session:
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.at))).all()
    assert [e.data["n"] for e in events] == [0, 1, 2]
