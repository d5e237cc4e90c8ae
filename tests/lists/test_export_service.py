"""The export against a real database (SQLite and PostgreSQL): who exports what, rows streamed
in batches from a server-side cursor, cells Excel reads safely."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from bot.export import ExportScope, cell
from bot.runtime import Runtime
from store import export as export_store
from tests.approvals.conftest import A1, M1, M3, R1, R2, R3, WS
from tests.lists.conftest import distinct_name, ordinary


def claims_in(path: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("claims.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_managers_export_their_teams_admins_everything_reps_nothing(
    rt: Runtime, tmp_path: Path
) -> None:
    await ordinary(rt, R1, "上海艾克美机器人有限公司", "+862155550101")
    await ordinary(rt, R3, "深圳华强电子有限公司", "+8613600136000")
    assert await rt.exporter.scope_for(WS, R2) is None
    assert await rt.exporter.scope_for(WS, A1) == ExportScope()
    east = await rt.exporter.scope_for(WS, M1)
    assert east is not None and east.team_ids is not None and len(east.team_ids) == 1
    report = await rt.exporter.write_zip(WS, east, None, tmp_path / "east.zip")
    assert (report.claims, report.followups, report.events) == (1, 0, 2)
    assert [c["owner_id"] for c in claims_in(tmp_path / "east.zip")] == [R1]
    south = await rt.exporter.scope_for(WS, M3)
    assert south is not None
    await rt.exporter.write_zip(WS, south, None, tmp_path / "south.zip")
    assert [c["customer_name"] for c in claims_in(tmp_path / "south.zip")] == [
        "深圳华强电子有限公司"
    ]
    everything = await rt.exporter.write_zip(WS, ExportScope(), None, tmp_path / "all.zip")
    assert everything.claims == 2 and everything.events == 4
    other = await rt.exporter.write_zip("T2", ExportScope(), None, tmp_path / "t2.zip")
    assert (other.claims, other.events) == (0, 0), "another workspace's rows never leak"


async def test_rows_are_streamed_in_batches(rt: Runtime) -> None:
    for n in range(7):
        await ordinary(rt, R1, distinct_name(n), f"+86139{n:08d}")
    query = export_store.claims_query(WS, None, None)
    async with rt.db.session() as session:
        sizes = [len(batch) async for batch in export_store.stream(session, query, batch=3)]
    assert sizes == [3, 3, 1]
    since = datetime(2030, 1, 1, tzinfo=UTC)
    async with rt.db.session() as session:
        later = export_store.claims_query(WS, None, since)
        assert [b async for b in export_store.stream(session, later)] == []


def test_cells_read_in_excel_as_they_were_typed() -> None:
    assert cell(None) == "" and cell(Decimal("500000.00")) == "500000.00"
    assert cell(date(2026, 11, 1)) == "2026-11-01"
    assert cell(datetime(2026, 11, 1, 2, tzinfo=UTC)) == "2026-11-01T02:00:00+00:00"
    assert cell({"名称": "字节"}) == '{"名称": "字节"}'
    assert cell("+86 138 0013 8000") == "+86 138 0013 8000"
    assert cell("-12.5") == "-12.5"
    for formula in ("=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3*cmd", "\tx"):
        assert cell(formula) == "'" + formula
    assert cell("北京字节跳动") == "北京字节跳动"
