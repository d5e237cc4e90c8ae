"""claimbot rekey: stored name keys recomputed after a normaliser change, resumably, while a bot
runs — and the bot's index follows. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from bot.cli import main
from bot.duplicates import Probe
from bot.matching import company_key
from bot.rekey import Rekeyer
from bot.runtime import Runtime
from store.models import Customer, CustomerKey, KeyKind, RekeyRun
from tests.claims.test_service import WS, draft, rt, submit

__all__ = ["rt"]  # the fixture, shared with the service tests

NAMES = ["北京字节跳动科技有限公司", "招商银行股份有限公司", "Siemens Aktiengesellschaft"]
STALE = "stale-key-{}"


async def file_with_stale_keys(rt: Runtime) -> None:
    """Three customers whose name keys an older normaliser wrote ("stale-key-N")."""
    for number, name in enumerate(NAMES):
        await submit(rt, f"U{number}", draft(name, phone=f"+861380013800{number}"))
    async with rt.db.write() as session:
        customers = list(await session.scalars(select(Customer).order_by(Customer.id)))
        for number, customer in enumerate(customers):
            customer.name_key = STALE.format(number)
            await session.execute(
                update(CustomerKey)
                .where(CustomerKey.customer_id == customer.id, CustomerKey.kind == KeyKind.NAME)
                .values(value=STALE.format(number))
            )


async def name_keys(rt: Runtime) -> list[tuple[str, str]]:
    async with rt.db.session() as session:
        rows = await session.execute(
            select(Customer.name_key, CustomerKey.value)
            .join(CustomerKey, CustomerKey.customer_id == Customer.id)
            .where(CustomerKey.kind == KeyKind.NAME)
            .order_by(Customer.id, CustomerKey.id)
        )
        return [(primary, value) for primary, value in rows]


def name_probe(key: str) -> Probe:
    return Probe(name_keys=(key,), exact=((KeyKind.NAME, key),))


async def test_rekey_replaces_stale_keys_and_the_running_bot_follows(rt: Runtime) -> None:
    await file_with_stale_keys(rt)
    async with rt.db.session() as session:
        rt.checker.indexes.clear()
        await rt.checker.warm(session)  # the running bot, its index built from stale keys
    fresh = company_key(NAMES[0])
    assert await rt.claims.lookup(WS, name_probe(fresh)) == []

    report = await Rekeyer(rt.db, rt.clock).run(WS)

    expected = [company_key(name) for name in NAMES]
    assert await name_keys(rt) == [(key, key) for key in expected]
    assert (report.customers, report.keys_added, report.keys_removed) == (3, 3, 3)
    assert report.generation == 1
    # New keys are new rows: the running bot's next check finds them; after the rebuild its
    # index no longer holds the stale ones either.
    [found] = await rt.claims.lookup(WS, name_probe(fresh))
    assert found.customer_name == NAMES[0] and found.score == 100
    await rt.claims.lookup(WS, name_probe(fresh))
    assert rt.checker.generations[WS] == 1 and WS not in rt.checker.rebuilding
    assert await rt.claims.lookup(WS, name_probe(STALE.format(0))) == []


async def test_a_stopped_run_resumes_where_it_was(rt: Runtime) -> None:
    await file_with_stale_keys(rt)
    rekeyer = Rekeyer(rt.db, rt.clock, batch=1)
    seen: list[int] = []
    first = await rekeyer.run(WS, progress=seen.append, stop_after=1)
    assert (first.customers, first.generation, seen) == (1, 0, [1])
    assert await rekeyer.total(WS) == 2
    second = await rekeyer.run(WS, progress=seen.append)
    assert second.resumed and (second.customers, second.generation) == (3, 1)
    assert seen == [1, 1, 1]
    assert [value for _, value in await name_keys(rt)] == [company_key(n) for n in NAMES]
    # Finished: the next run starts from the first customer again, and changes nothing.
    third = await rekeyer.run(WS)
    assert not third.resumed and (third.customers, third.keys_added, third.keys_removed) == (
        3,
        0,
        0,
    )
    async with rt.db.session() as session:
        run = await session.get(RekeyRun, WS)
    assert run is not None and run.generation == 2 and run.finished_at is not None


async def test_every_name_a_customer_was_filed_under_keeps_its_key(rt: Runtime) -> None:
    await submit(rt, "U1", draft("北京字节跳动科技有限公司", other_name="ByteDance Ltd."))
    await Rekeyer(rt.db, rt.clock).run(WS)
    assert sorted(value for _, value in await name_keys(rt)) == ["bytedance", "字节跳动科技"]


def test_the_command_shows_progress_and_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/claimbot.db")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "customers.csv"
    path.write_text("name,other_name\n招商银行股份有限公司,China Merchants Bank\n", "utf-8")
    assert main(["migrate"]) == 0
    assert main(["import", str(path), "--workspace", "T1"]) == 0
    capsys.readouterr()
    assert main(["rekey", "--workspace", "T1"]) == 0
    out, err = capsys.readouterr()
    assert "T1: 1 customers rekeyed, 0 name keys added, 0 removed; key generation 1." in out
    assert "1/1" in err  # the progress bar


async def test_rekey_files_the_email_domain_of_customers_stored_before_it_was_a_key(
    rt: Runtime,
) -> None:
    await submit(rt, "U1", draft(NAMES[0], email="wang@bytedance.com"))
    await submit(rt, "U2", draft(NAMES[1], phone="+8613800138002", email="li@qq.com"))
    async with rt.db.write() as session:  # as a customer stored before 0.3 has it
        await session.execute(delete(CustomerKey).where(CustomerKey.kind == KeyKind.EMAIL_DOMAIN))
    probe = Probe(exact=((KeyKind.EMAIL_DOMAIN, "bytedance.com"),))
    assert await rt.claims.lookup(WS, probe) == []

    await Rekeyer(rt.db, rt.clock).run(WS)

    async with rt.db.session() as session:
        domains = list(
            await session.scalars(
                select(CustomerKey.value).where(CustomerKey.kind == KeyKind.EMAIL_DOMAIN)
            )
        )
    assert domains == ["bytedance.com"]  # not qq.com: anyone can have an address there
    [found] = await rt.claims.lookup(WS, probe)
    assert found.customer_name == NAMES[0] and found.matched_on is KeyKind.EMAIL_DOMAIN
    assert not found.clear
