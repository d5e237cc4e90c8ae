"""Export for the CRM: claims, follow-ups and audit events as CSV.

Packaging: three files — ``claims.csv``, ``followups.csv``, ``audit.csv`` — each UTF-8 with a
byte-order mark, so that Excel opens Chinese text correctly, comma-separated with a header row
of stable English column names (a CRM import maps them once). Times are ISO 8601 in UTC. The
three go into one ``.zip`` (``/claim export`` uploads it to the caller's DM; ``claimbot export
--out FILE.zip``), side by side into a directory (``--out DIR/``), or, for ``--out NAME.csv``, the
claims to ``NAME.csv`` with ``NAME-followups.csv`` and ``NAME-audit.csv`` beside it.

Who exports what: an admin (and the command line) the whole workspace; a manager the claims of
the teams they manage, the follow-ups on them and the audit events about them; a rep or partner
nothing. ``since`` keeps claims filed or changed since then (filed, decided, followed up or
ended), follow-ups logged since then and audit events since then.

Rows are streamed from the database in batches into the files, never loaded at once. A cell that
Excel would run as a formula (starting with ``=``, ``@``, a tab, or a sign not followed by a
number) is prefixed with an apostrophe; phone numbers such as ``+8613800138000`` stay as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select

from bot.clock import Clock
from bot.directory import Directory
from store import export as store
from store.db import Database
from store.models import Role

CLAIMS_FILE = "claims.csv"
FOLLOWUPS_FILE = "followups.csv"
AUDIT_FILE = "audit.csv"
FILES = (CLAIMS_FILE, FOLLOWUPS_FILE, AUDIT_FILE)

CLAIM_HEADER = (
    "claim_id",
    "customer_id",
    "customer_name",
    "other_name",
    "owner_id",
    "owner_name",
    "team",
    "status",
    "via",
    "submitted_at",
    "decided_at",
    "decided_by",
    "decision",
    "decision_reason",
    "protection_until",
    "last_activity_at",
    "stage",
    "extensions_granted",
    "ended_at",
    "end_reason",
    "contact_name",
    "phone",
    "email",
    "credit_code",
    "need_summary",
    "region",
    "source_channel",
    "deal_size",
    "first_contact_on",
    # The customer profile fields (form.profile) as one JSON object, {"industry": "finance", …}:
    # the same column whatever fields the rules have had over time.
    "profile",
)
FOLLOWUP_HEADER = (
    "followup_id",
    "claim_id",
    "customer_id",
    "customer_name",
    "author_id",
    "happened_at",
    "method",
    "summary",
    "next_step",
    "next_step_on",
    "stage",
    "created_at",
)
AUDIT_HEADER = ("event_id", "at", "actor_id", "action", "customer_id", "claim_id", "data")

_NUMBER = re.compile(r"[+-]?[\d][\d .()-]*")
_FORMULA_START = ("=", "@", "\t", "\r")

OpenEntry = Callable[[str], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True, slots=True)
class ExportScope:
    """The teams whose claims are exported; ``None``: the whole workspace."""

    team_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What was written, and where."""

    path: Path
    claims: int
    followups: int
    events: int

    def summary(self) -> str:
        return (
            f"{self.claims} claims, {self.followups} follow-ups and {self.events} audit events "
            f"written to {self.path}"
        )


def parse_since(text: str, zone: ZoneInfo) -> datetime:
    """``--since``: an ISO-8601 date (midnight in ``zone``) or date-time; raises ValueError."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def cell(value: Any) -> str:
    """One CSV cell: times in ISO 8601, JSON for documents, formula-looking text made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_START) or (text[:1] in ("+", "-") and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def file_name(workspace_id: str, at: datetime) -> str:
    """The zip's name: ``claimbot-export-T123-20261123.zip``."""
    return f"claimbot-export-{workspace_id}-{at.strftime('%Y%m%d')}.zip"


@dataclass
class Exporter:
    """Writes the export for a workspace (or some of its teams)."""

    db: Database
    clock: Clock
    directory: Directory

    async def scope_for(self, workspace_id: str, user_id: str) -> ExportScope | None:
        """What ``user_id`` may export: everything (admin), their managed teams (manager), or
        nothing (``None``: reps, partners, managers of no team)."""
        await self.directory.ensure_seeded(workspace_id)
        async with self.db.session() as session:
            member = await self.directory.member(session, workspace_id, user_id)
        if member.is_admin:
            return ExportScope()
        if member.role is Role.MANAGER and member.managed_team_ids:
            return ExportScope(frozenset(member.managed_team_ids))
        return None

    async def write_zip(
        self, workspace_id: str, scope: ExportScope, since: datetime | None, path: Path
    ) -> ExportReport:
        """The three CSV files in one zip at ``path``."""
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            @contextmanager
            def entry(name: str) -> Iterator[IO[bytes]]:
                with archive.open(name, "w", force_zip64=True) as raw:
                    yield raw

            counts = await self._write(workspace_id, scope, since, entry)
        return ExportReport(path, *counts)

    async def write_files(
        self,
        workspace_id: str,
        scope: ExportScope,
        since: datetime | None,
        targets: Mapping[str, Path],
        shown: Path,
    ) -> ExportReport:
        """The three CSV files, each where ``targets`` says (by file name); ``shown`` is where
        the report says they went. Directories are created as needed."""

        @contextmanager
        def entry(name: str) -> Iterator[IO[bytes]]:
            target = targets[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as raw:
                yield raw

        counts = await self._write(workspace_id, scope, since, entry)
        return ExportReport(shown, *counts)

    async def _write(
        self, workspace_id: str, scope: ExportScope, since: datetime | None, entry: OpenEntry
    ) -> tuple[int, int, int]:
        teams = scope.team_ids
        tables = (
            (CLAIMS_FILE, CLAIM_HEADER, store.claims_query(workspace_id, teams, since)),
            (FOLLOWUPS_FILE, FOLLOWUP_HEADER, store.followups_query(workspace_id, teams, since)),
            (AUDIT_FILE, AUDIT_HEADER, store.audit_query(workspace_id, teams, since)),
        )
        counts = []
        for name, header, query in tables:
            with entry(name) as raw:
                counts.append(await self._table(raw, header, query))
        return counts[0], counts[1], counts[2]

    async def _table(
        self, raw: IO[bytes], header: tuple[str, ...], query: Select[*tuple[Any, ...]]
    ) -> int:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        written = 0
        async with self.db.session() as session:
            async for batch in store.stream(session, query):
                writer.writerows([cell(value) for value in row] for row in batch)
                written += len(batch)
                text.flush()
        text.flush()
        text.detach()
        return written
