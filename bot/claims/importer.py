"""``claimbot import customers.csv``: load an existing customer list so that the duplicate check
knows history on day one.

Columns (header row, any order, case-insensitive): ``name`` (required), ``other_name``,
``credit_code``, ``phone``, ``email``, ``region``, ``owner`` (a Slack user ID; the customer is
then claimed for them and protected from the import), ``claimed_at`` and ``last_followup`` (dates
such as ``2026-03-31`` or ``2026/3/31 14:00``, in the rules' time zone): the claim's protection
runs from ``claimed_at`` and its idle clock from ``last_followup`` (else ``claimed_at``), exactly as
if it had been approved and followed up then, so an imported book does not all fall due on one day.
Without them both clocks start at the import.

Encodings: a BOM decides (UTF-8, UTF-16); else strict UTF-8; else GB18030 (mainland Excel) or Big5
(Taiwan, Hong Kong) as charset-normalizer judges; anything else is refused with one sentence. Bad
rows are reported with their line numbers and the good ones still load. A row that names a
customer already on record (equal credit code, phone, e-mail or normalised name) adds its keys to
that customer instead of creating a second one, and is audited only when it adds something, so
importing the same file twice adds nothing at all.

Rows are written in batches of ``BATCH``, each batch one transaction under the workspace's claim
lock: one lookup of every key in the batch, bulk inserts, and the matching index updated once.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from charset_normalizer import from_bytes
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.duplicates import DuplicateChecker, different_entities
from bot.lifecycle.timeline import Due, Timeline, protection_end
from bot.matching import company_key
from bot.rules import Rules
from bot.validation import (
    FieldError,
    clean_text,
    email_company_domain,
    email_match_key,
    parse_credit_code,
    parse_email,
    parse_phone,
)
from store import audit
from store import claims as claim_store
from store import customers as customer_store
from store.db import Database
from store.models import ClaimStatus, Decision, KeyKind, Via

COLUMNS = (
    "name",
    "other_name",
    "credit_code",
    "phone",
    "email",
    "region",
    "owner",
    "claimed_at",
    "last_followup",
)
BATCH = 1000
# The legacy encodings a customer list arrives in once UTF-8 has failed, by the names
# charset-normalizer gives them: GB18030 reads all of the GB family; Big5 and its Hong Kong variant.
LEGACY = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "big5hkscs": "big5",
    "cp950": "big5",
}


class UnreadableFile(ValueError):
    """The file is in no encoding the importer reads; the message is one sentence for the operator."""


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
    email: str | None = None
    claimed_at: datetime | None = None
    last_followup: datetime | None = None


@dataclass
class ImportReport:
    """What an import did, for the operator."""

    read: int = 0
    created: int = 0
    merged: int = 0
    claimed: int = 0
    # Imported claims whose clocks say they are already past their reclaim: the next sweep
    # releases them (a book the team let lapse, or a claimed_at typed a year too early).
    already_due: int = 0
    encoding: str = "utf-8"
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.merged

    def summary(self) -> str:
        lines = [
            f"{self.read} rows read ({self.encoding}). "
            f"{self.loaded} customers loaded ({self.created} new, {self.merged} already on record), "
            f"{self.claimed} claims for their owners; {len(self.problems)} rows not loaded."
        ]
        if self.already_due:
            lines.append(
                f"{self.already_due} imported claims are already past their reclaim date "
                "(claimed_at / last_followup): the next sweep releases them to the pool."
            )
        lines += [f"  line {line}: {problem}" for line, problem in self.problems]
        return "\n".join(lines)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes, name: str = "the file") -> tuple[str, str]:
    """``raw``'s text and the encoding it was read in.

    A BOM decides; else strict UTF-8; else GB18030 or Big5, whichever charset-normalizer finds
    coherent (both decode many byte strings without error, so the decoder alone cannot tell).
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec.removesuffix("-sig")
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"{name} starts with a {codec.removesuffix('-sig').upper()} byte-order mark "
                    "but is not valid in it: save it again as UTF-8 CSV."
                ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Judged against every encoding, not just these two: a Korean or Japanese list must be
    # refused, not read as GB18030 mojibake.
    best = from_bytes(raw).best()
    found = best.encoding if best is not None else ""
    family = LEGACY.get(found)
    if family is None:
        raise UnreadableFile(
            f"{name} is not in UTF-8, UTF-16, GB18030 or Big5: save it again as UTF-8 CSV."
        )
    try:
        return raw.decode(family if family == "gb18030" else found), family
    except UnicodeDecodeError:  # pragma: no cover - the detector decoded it already
        raise UnreadableFile(f"{name} is not valid {family}: save it again as UTF-8 CSV.") from None


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and its encoding (see :func:`decode`)."""
    return decode(path.read_bytes(), str(path))


class RowProblem(Exception):
    """A value in one column that cannot be loaded."""

    def __init__(self, column: str, error: FieldError | str) -> None:
        super().__init__(column, error)
        self.column = column
        self.error = error

    def describe(self) -> str:
        text = self.error if isinstance(self.error, str) else self.error.message("en")
        return f"{self.column}: {text}"


def parse_rows(
    text: str, report: ImportReport, *, zone: ZoneInfo, now: datetime
) -> Iterator[ImportRow]:
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
        report.read += 1
        try:
            yield _row(reader.line_num, values, zone, now)
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


_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _moment(values: dict[str, str], column: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    text = values.get(column, "")
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        y, mo, d, h, mi, sec = (int(p) for p in match.groups(default="0"))
        moment = datetime(y, mo, d, h, mi, sec, tzinfo=zone).astimezone(UTC)
    except ValueError:
        raise RowProblem(column, f"'{text}' is not a date like 2026-03-31") from None
    if moment > now:
        raise RowProblem(column, f"{text} is in the future")
    return moment


def _row(line: int, values: dict[str, str], zone: ZoneInfo, now: datetime) -> ImportRow:
    name = _column(values, "name", lambda t: clean_text(t, max_len=120))
    if not name:
        raise RowProblem("name", FieldError("validation.required"))
    other = _column(values, "other_name", lambda t: clean_text(t, max_len=120))
    names = [name, other] if other else [name]
    name_keys = tuple(k for k in dict.fromkeys(company_key(n) for n in names) if k)
    if not name_keys:
        raise RowProblem("name", FieldError("claim.error.name_too_generic"))
    credit_code = _column(values, "credit_code", parse_credit_code)
    phone = _column(values, "phone", parse_phone)
    email = _column(values, "email", parse_email)
    region = _column(values, "region", lambda t: clean_text(t, max_len=75))
    owner = values.get("owner") or None
    if owner and not (owner[:1] in ("U", "W") and owner.isalnum()):
        raise RowProblem("owner", FieldError("import.error.owner"))
    claimed_at = _moment(values, "claimed_at", zone, now)
    last_followup = _moment(values, "last_followup", zone, now)
    if claimed_at and last_followup and last_followup < claimed_at:
        raise RowProblem("last_followup", "before claimed_at")
    identifiers = (
        (KeyKind.CREDIT_CODE, credit_code),
        (KeyKind.PHONE, phone),
        (KeyKind.EMAIL, email_match_key(email) if email else None),
        (KeyKind.EMAIL_DOMAIN, email_company_domain(email) if email else None),
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
        email=email,
        region=region,
        owner=owner,
        claimed_at=claimed_at,
        last_followup=last_followup,
    )


ProgressHook = Callable[[int], None]


@dataclass
class _Plan:
    """One batch worked out in memory before it is written."""

    customers: list[dict[str, Any]] = field(default_factory=list)  # new, by -(temp id) - 1
    keys: list[tuple[int, KeyKind, str]] = field(default_factory=list)
    events: list[tuple[int, ImportRow]] = field(default_factory=list)  # customer, row audited
    claims: list[tuple[int, ImportRow]] = field(default_factory=list)


@dataclass
class CustomerImporter:
    """Loads rows in batches, each batch one locked transaction."""

    db: Database
    rules: Rules
    clock: Clock
    checker: DuplicateChecker

    async def load(
        self, path: Path, workspace_id: str, progress: ProgressHook | None = None
    ) -> ImportReport:
        """Import ``path`` into ``workspace_id``; ``progress`` hears how many rows each batch
        handled. Raises :class:`UnreadableFile` before writing anything."""
        text, encoding = read_text(path)
        report = ImportReport(encoding=encoding)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        batch: list[ImportRow] = []
        rows = parse_rows(text, report, zone=self.rules.zone, now=self.clock.now())
        seen = 0
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                await self._load_batch(batch, workspace_id, digest, report)
                batch = []
            if progress is not None and report.read - seen >= 100:
                progress(report.read - seen)
                seen = report.read
        if batch:
            await self._load_batch(batch, workspace_id, digest, report)
        if progress is not None and report.read > seen:
            progress(report.read - seen)
        report.problems.sort()
        return report

    async def _load_batch(
        self, rows: list[ImportRow], workspace_id: str, digest: str, report: ImportReport
    ) -> None:
        now = self.clock.now()
        async with self.db.locked(workspace_id) as session:
            plan = await self._plan(session, rows, workspace_id, digest, report, now)
            new_ids = await customer_store.insert_customers(session, plan.customers)

            def real(customer_id: int) -> int:
                return new_ids[-customer_id - 1] if customer_id < 0 else customer_id

            await customer_store.add_keys_many(
                session,
                workspace_id,
                [(real(c), kind, value) for c, kind, value in plan.keys],
                at=now,
            )
            claims = [
                self._claim(workspace_id, real(c), row, digest, now) for c, row in plan.claims
            ]
            claim_ids = await claim_store.insert_claims(session, claims)
            await customer_store.unpool(session, workspace_id, [c["customer_id"] for c in claims])
            event = {"workspace_id": workspace_id, "at": now, "actor_id": audit.SYSTEM}
            await audit.record_many(
                session,
                [
                    event
                    | {
                        "action": audit.Action.CUSTOMER_IMPORTED.value,
                        "customer_id": real(c),
                        "claim_id": None,
                        "data": {"line": row.line, "file": digest, "name": row.name},
                    }
                    for c, row in plan.events
                ]
                + [
                    event
                    | {
                        "action": audit.Action.CLAIM_FILED.value,
                        "customer_id": claim["customer_id"],
                        "claim_id": claim_id,
                        "data": {"via": "import", "owner_id": claim["owner_id"], "line": row.line},
                    }
                    for claim, claim_id, (_, row) in zip(
                        claims, claim_ids, plan.claims, strict=True
                    )
                ],
            )
            await self.checker.catch_up(session, workspace_id)
        report.claimed += len(claims)
        report.already_due += sum(
            Due.RECLAIM
            in Timeline.of(
                last_activity_at=claim["last_activity_at"],
                protection_until=claim["protection_until"],
                rules=self.rules.protection_for(claim),
            ).due(now)
            for claim in claims
        )

    async def _plan(
        self,
        session: AsyncSession,
        rows: list[ImportRow],
        workspace_id: str,
        digest: str,
        report: ImportReport,
        now: datetime,
    ) -> _Plan:
        """Which rows make new customers, which merge into which, what is new about each, and
        which claims to file: three queries for the whole batch, then memory only."""
        plan = _Plan()
        keys = [key for row in rows for key in row.keys]
        # Rows merge on every key but the e-mail domain, which a whole group's companies share: the
        # domain's owners are looked up only among the customers found, to know whether they have
        # it already (all of them would be thousands of customers a batch, more with every batch).
        owners = await customer_store.key_owners(
            session, workspace_id, [key for key in keys if key[0] is not KeyKind.EMAIL_DOMAIN]
        )
        known = await customer_store.get_customers(
            session, workspace_id, sorted({c for ids in owners.values() for c in ids})
        )
        domains = [key for key in keys if key[0] is KeyKind.EMAIL_DOMAIN]
        if domains and known:
            found_domains = await customer_store.key_owners(
                session, workspace_id, domains, among=list(known)
            )
            for key, ids in found_domains.items():
                owners.setdefault(key, set()).update(ids)
        codes: dict[int, str | None] = {c: known[c].credit_code for c in known}
        submitted = await claim_store.seen_submissions(
            session, workspace_id, [_submission(digest, row) for row in rows if row.owner]
        )
        held = await customer_store.holders_of(session, workspace_id, sorted(known))
        holders = {c: claim.owner_id for c, claim in held.items()}
        for row in rows:
            found: dict[int, set[KeyKind]] = {}
            for key in row.keys:
                if key[0] is KeyKind.EMAIL_DOMAIN:
                    continue  # two companies may share a domain (a group's): stored, not merged on
                for customer_id in owners.get(key, ()):
                    found.setdefault(customer_id, set()).add(key[0])
            if found and row.credit_code and self.rules.matching.credit_code_decides:
                # The same name under another valid credit code is another legal entity.
                found = {
                    customer_id: kinds
                    for customer_id, kinds in found.items()
                    if kinds != {KeyKind.NAME}
                    or not different_entities(row.credit_code, codes.get(customer_id))
                }
            created = not found
            if found:
                on_record = [c for c in found if c > 0]
                customer_id = min(on_record) if on_record else max(found)
                report.merged += 1
            else:
                plan.customers.append(
                    {
                        "workspace_id": workspace_id,
                        "name": row.name,
                        "name_key": row.name_keys[0],
                        "other_name": row.other_name,
                        "credit_code": row.credit_code,
                        "region": row.region,
                        "created_by": audit.SYSTEM,
                        "created_at": now,
                    }
                )
                customer_id = -len(plan.customers)
                codes[customer_id] = row.credit_code
                report.created += 1
            new_keys = [key for key in row.keys if customer_id not in owners.get(key, ())]
            for key in new_keys:
                owners.setdefault(key, set()).add(customer_id)
                plan.keys.append((customer_id, *key))
            if created or new_keys:
                plan.events.append((customer_id, row))
            if row.owner and _submission(digest, row) not in submitted:
                holder = holders.get(customer_id)
                if holder is None:
                    holders[customer_id] = row.owner
                    plan.claims.append((customer_id, row))
                elif holder != row.owner:
                    report.problems.append(
                        (
                            row.line,
                            f"owner: the customer is already held by {holder}; "
                            f"not claimed for {row.owner}",
                        )
                    )
        return plan

    def _claim(
        self, workspace_id: str, customer_id: int, row: ImportRow, digest: str, now: datetime
    ) -> dict[str, Any]:
        """The active claim of an imported row: approved at ``claimed_at`` (else now), idle since
        ``last_followup`` (else since it was claimed), protected as the rules protect an approval."""
        claimed_at = row.claimed_at or now
        return {
            "workspace_id": workspace_id,
            "customer_id": customer_id,
            "owner_id": str(row.owner),
            "team_id": None,
            "status": ClaimStatus.ACTIVE.value,
            "via": Via.IMPORT.value,
            "submission_key": _submission(digest, row),
            "submitted_at": claimed_at,
            "customer_name": row.name,
            "other_name": row.other_name,
            "phone": row.phone,
            "email": row.email,
            "credit_code": row.credit_code,
            "region": row.region,
            "rules_fired": {"rules": [], "candidates": []},
            "decided_at": claimed_at,
            "decided_by": audit.SYSTEM,
            "decision": Decision.IMPORT.value,
            # An import row has no source channel: only region segments apply to it.
            "protection_until": protection_end(claimed_at, self.rules, {"region": row.region}),
            "last_activity_at": row.last_followup or claimed_at,
        }


def _submission(digest: str, row: ImportRow) -> str:
    """The claim's idempotency key: this file, this line."""
    return f"import:{digest}:{row.line}"
