"""``claimbot import customers.csv``: load an existing customer list so that the duplicate check
knows history on day one.

Columns (header row, any order, case-insensitive): ``name`` (required), ``other_name``,
``credit_code``, ``phone``, ``email``, ``region``, ``owner`` (a Slack user ID; the customer is
then claimed for them and protected from the import). UTF-8 (with or without BOM) or GB18030,
which is what Excel saves in Chinese Windows. Bad rows are reported with their line numbers and
the good ones still load. A row that names a customer already on record (equal credit code,
phone, e-mail or normalised name) adds its keys to that customer instead of creating a second one,
so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.duplicates import DuplicateChecker, different_entities
from bot.matching import company_key
from bot.rules import Rules
from bot.validation import (
    FieldError,
    clean_text,
    email_match_key,
    parse_credit_code,
    parse_email,
    parse_phone,
)
from store import audit
from store import claims as claim_store
from store import customers as customer_store
from store.db import Database
from store.models import Claim, ClaimStatus, Decision, KeyKind, Via

COLUMNS = ("name", "other_name", "credit_code", "phone", "email", "region", "owner")
BATCH = 500


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    name: str
    name_keys: tuple[str, ...]
    keys: tuple[tuple[KeyKind, str], ...]
    credit_code: str | None
    phone: str | None
    region: str | None
    owner: str | None
    other_name: str | None = None


@dataclass
class ImportReport:
    """What an import did, for the operator."""

    created: int = 0
    merged: int = 0
    claimed: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.merged

    def summary(self) -> str:
        lines = [
            f"{self.loaded} customers loaded ({self.created} new, {self.merged} already on record), "
            f"{self.claimed} claims for their owners; {len(self.problems)} rows not loaded."
        ]
        lines += [f"  line {line}: {problem}" for line, problem in self.problems]
        return "\n".join(lines)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (BOM or not), else GB18030."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


class RowProblem(Exception):
    """A value in one column that cannot be loaded."""

    def __init__(self, column: str, error: FieldError) -> None:
        super().__init__(column, error)
        self.column = column
        self.error = error

    def describe(self) -> str:
        return f"{self.column}: {self.error.message('en')}"


def parse_rows(text: str, report: ImportReport) -> Iterator[ImportRow]:
    """Valid rows; problems go into ``report`` with their line numbers (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    if "name" not in headers:
        report.problems.append((1, "the header must have a 'name' column"))
        return
    unknown = headers - set(COLUMNS) - {""}
    if unknown:
        report.problems.append((1, f"ignored unknown columns: {', '.join(sorted(unknown))}"))
    for record in reader:
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue  # blank lines at the end of a spreadsheet export
        try:
            yield _row(reader.line_num, values)
        except RowProblem as problem:
            report.problems.append((reader.line_num, problem.describe()))


def _column(values: dict[str, str], column: str, parse: Callable[[str], str]) -> str | None:
    text = values.get(column, "")
    if not text:
        return None
    try:
        return parse(text) or None
    except FieldError as error:
        raise RowProblem(column, error) from None


def _row(line: int, values: dict[str, str]) -> ImportRow:
    name = _column(values, "name", lambda t: clean_text(t, max_len=120))
    if not name:
        raise RowProblem("name", FieldError("validation.required"))
    other = _column(values, "other_name", lambda t: clean_text(t, max_len=120))
    name_keys = tuple(k for k in dict.fromkeys([company_key(name), company_key(other or "")]) if k)
    if not name_keys:
        raise RowProblem("name", FieldError("claim.error.name_too_generic"))
    credit_code = _column(values, "credit_code", parse_credit_code)
    phone = _column(values, "phone", parse_phone)
    email = _column(values, "email", lambda t: email_match_key(parse_email(t)))
    owner = values.get("owner") or None
    if owner and not (owner[:1] in ("U", "W") and owner.isalnum()):
        raise RowProblem("owner", FieldError("import.error.owner"))
    identifiers = (
        (KeyKind.CREDIT_CODE, credit_code),
        (KeyKind.PHONE, phone),
        (KeyKind.EMAIL, email),
    )
    keys = [(KeyKind.NAME, k) for k in name_keys] + [(k, v) for k, v in identifiers if v]
    return ImportRow(
        line=line,
        name=name,
        other_name=other,
        name_keys=name_keys,
        keys=tuple(keys),
        credit_code=credit_code,
        phone=phone,
        region=values.get("region") or None,
        owner=owner,
    )


@dataclass
class CustomerImporter:
    """Loads rows in batches, each batch one locked transaction."""

    db: Database
    rules: Rules
    clock: Clock
    checker: DuplicateChecker

    async def load(self, path: Path, workspace_id: str) -> ImportReport:
        """Import ``path`` into ``workspace_id``."""
        report = ImportReport()
        text = read_text(path)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        batch: list[ImportRow] = []
        for row in parse_rows(text, report):
            batch.append(row)
            if len(batch) >= BATCH:
                await self._load_batch(batch, workspace_id, digest, report)
                batch = []
        if batch:
            await self._load_batch(batch, workspace_id, digest, report)
        report.problems.sort()
        return report

    async def _load_batch(
        self, rows: list[ImportRow], workspace_id: str, digest: str, report: ImportReport
    ) -> None:
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            for row in rows:
                found = await customer_store.customers_with_keys(session, workspace_id, row.keys)
                if found and row.credit_code and self.rules.matching.credit_code_decides:
                    # The same name under another valid credit code is another legal entity.
                    codes = await customer_store.get_customers(session, workspace_id, list(found))
                    found = {
                        customer_id: kinds
                        for customer_id, kinds in found.items()
                        if kinds != {KeyKind.NAME}
                        or not different_entities(row.credit_code, codes[customer_id].credit_code)
                    }
                if found:
                    customer_id = min(found)
                    report.merged += 1
                else:
                    customer = await customer_store.add_customer(
                        session,
                        workspace_id,
                        name=row.name,
                        other_name=row.other_name,
                        name_key=row.name_keys[0],
                        credit_code=row.credit_code,
                        region=row.region,
                        created_by=audit.SYSTEM,
                        at=now,
                    )
                    customer_id = customer.id
                    report.created += 1
                await customer_store.add_keys(session, workspace_id, customer_id, row.keys, at=now)
                await audit.record(
                    session,
                    workspace_id,
                    audit.Action.CUSTOMER_IMPORTED,
                    actor_id=audit.SYSTEM,
                    at=now,
                    customer_id=customer_id,
                    data={"line": row.line, "file": digest, "name": row.name},
                )
                if row.owner:
                    problem = await self._claim_for_owner(
                        session, workspace_id, customer_id, row, digest, now, report
                    )
                    if problem:
                        report.problems.append((row.line, problem))
            await self.checker.catch_up(session, workspace_id)

    async def _claim_for_owner(
        self,
        session: AsyncSession,
        workspace_id: str,
        customer_id: int,
        row: ImportRow,
        digest: str,
        now: datetime,
        report: ImportReport,
    ) -> str | None:
        """Claim the customer for the row's owner; a problem to report, or ``None``."""
        key = f"import:{digest}:{row.line}"
        if await claim_store.claim_by_submission(session, workspace_id, key):
            return None  # this file was imported before
        holders = await customer_store.holders_of(session, workspace_id, [customer_id])
        holder = holders.get(customer_id)
        if holder is not None:
            if holder.owner_id == row.owner:
                return None
            return f"owner: the customer is already held by {holder.owner_id}; not claimed for {row.owner}"
        claim = Claim(
            workspace_id=workspace_id,
            customer_id=customer_id,
            owner_id=str(row.owner),
            status=ClaimStatus.ACTIVE,
            via=Via.IMPORT,
            submission_key=key,
            submitted_at=now,
            customer_name=row.name,
            phone=row.phone,
            credit_code=row.credit_code,
            rules_fired={"rules": [], "candidates": []},
            decided_at=now,
            decided_by=audit.SYSTEM,
            decision=Decision.IMPORT,
            protection_until=now + timedelta(days=self.rules.protection.days),
            last_activity_at=now,
        )
        session.add(claim)
        await session.flush()
        await audit.record(
            session,
            workspace_id,
            audit.Action.CLAIM_FILED,
            actor_id=audit.SYSTEM,
            at=now,
            customer_id=customer_id,
            claim_id=claim.id,
            data={"via": "import", "owner_id": row.owner, "line": row.line},
        )
        report.claimed += 1
        return None
