"""The endpoints of ``/api/v1``. Each reads one workspace's data — the token's — and nothing else:
an id of another workspace is simply not found.

What a token sees: the duplicate check answers exactly what ``/claim check`` answers anyone (who
holds a customer, in what state, until when — never another rep's contacts). Lists and reads of
claims and customers see the whole workspace, as an admin's export does: a token is an
integration credential that only an admin can create.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from typing import Protocol, TypeVar

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from bot.api.errors import ApiError, Code
from bot.api.models import (
    CheckMatch,
    CheckQuery,
    CheckResult,
    ClaimHistory,
    ClaimOut,
    ClaimPage,
    ClaimQuery,
    CustomerOut,
    CustomerPage,
    CustomerQuery,
    FieldProblem,
    FilingResult,
    HistoryEvent,
    NewClaim,
    PageQuery,
)
from bot.api.routes import Call, endpoint
from bot.claims.draft import parse_form
from bot.claims.lookup import probe_for_query
from bot.history import LEFT_OUT
from bot.i18n import t
from store import api_reads, audit
from store import claims as claim_store
from store.api_tokens import READ_WRITE
from store.customers import customers_and_holders
from store.models import Via

log = logging.getLogger(__name__)

_CURSOR = "v1:"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_LATER = {"Retry-After": "30"}


def encode_cursor(last_id: int) -> str:
    """An opaque cursor after ``last_id``."""
    return base64.urlsafe_b64encode(f"{_CURSOR}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor continues after (0 for the first page)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR)
    if not text.startswith(_CURSOR) or not number.isdigit() or len(number) > 18:
        raise ApiError(Code.INVALID_REQUEST, message_key="api.error.bad_cursor")
    return int(number)


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=_Identified)


def paged(rows: list[Item], limit: int) -> tuple[list[Item], str | None]:
    """A page of ``limit`` from ``limit + 1`` rows read, and the cursor if there are more."""
    items = rows[:limit]
    return items, encode_cursor(items[-1].id) if len(rows) > limit else None


def page_size(call: Call, query: PageQuery) -> int:
    """The page size asked for, within the rules' maximum."""
    rules = call.rt.rules.api
    return min(query.limit or rules.page_size, rules.max_page_size)


@endpoint(
    "GET",
    "/customers/check",
    summary="The duplicate check of /claim check: who holds a customer like this one",
    query=CheckQuery,
    response=CheckResult,
)
async def check_customer(call: Call) -> CheckResult:
    query: CheckQuery = call.query
    probe = probe_for_query(query.q)
    if probe is None:
        raise ApiError(
            Code.INVALID_REQUEST,
            fields=[FieldProblem(field="q", message=t("api.error.check_query", call.lang))],
        )
    matches = await call.rt.claims.lookup(call.caller.workspace_id, probe)
    return CheckResult(query=query.q, matches=[CheckMatch.of(m) for m in matches])


@endpoint(
    "GET",
    "/claims",
    summary="Claims of the workspace, oldest first, filtered, a page at a time",
    query=ClaimQuery,
    response=ClaimPage,
)
async def list_claims(call: Call) -> ClaimPage:
    query: ClaimQuery = call.query
    limit = page_size(call, query)
    where = api_reads.ClaimFilter(
        status=query.status,
        owner_id=query.owner_id,
        customer_id=query.customer_id,
        team_id=query.team_id,
        submitted_since=query.submitted_since,
        submitted_before=query.submitted_before,
    )
    async with call.rt.db.session() as session:
        rows = await api_reads.claims_page(
            session,
            call.caller.workspace_id,
            where,
            after=decode_cursor(query.cursor),
            limit=limit + 1,
        )
    items, next_cursor = paged([ClaimOut.of(c) for c in rows], limit)
    return ClaimPage(items=items, next_cursor=next_cursor)


@endpoint(
    "GET",
    "/claims/{claim_id}",
    summary="One claim",
    response=ClaimOut,
    errors=(Code.NOT_FOUND,),
)
async def get_claim(call: Call) -> ClaimOut:
    async with call.rt.db.session() as session:
        claim = await claim_store.get_claim(
            session, call.caller.workspace_id, call.path_id("claim_id")
        )
    if claim is None:
        raise ApiError(Code.NOT_FOUND)
    return ClaimOut.of(claim)


@endpoint(
    "GET",
    "/claims/{claim_id}/history",
    summary="A claim's audit events, oldest first (refused attempts left out)",
    response=ClaimHistory,
    errors=(Code.NOT_FOUND,),
)
async def claim_history(call: Call) -> ClaimHistory:
    workspace_id, claim_id = call.caller.workspace_id, call.path_id("claim_id")
    async with call.rt.db.session() as session:
        if await claim_store.get_claim(session, workspace_id, claim_id) is None:
            raise ApiError(Code.NOT_FOUND)
        events = await audit.events_for_claim(session, workspace_id, claim_id)
    return ClaimHistory(
        claim_id=claim_id,
        events=[HistoryEvent.of(e) for e in events if e.action not in LEFT_OUT],
    )


@endpoint(
    "POST",
    "/claims",
    summary="File a claim on behalf of a Slack user, as the claim form does; the rep is told "
    "in Slack. Send an Idempotency-Key header to make retries safe.",
    scope=READ_WRITE,
    body=NewClaim,
    response=FilingResult,
    errors=(Code.INSUFFICIENT_SCOPE, Code.INVALID_REQUEST, Code.UNKNOWN_USER),
)
async def file_claim(call: Call) -> FilingResult:
    rt, body, workspace_id = call.rt, call.body, call.caller.workspace_id
    assert isinstance(body, NewClaim)
    client = await rt.clients.for_workspace(workspace_id)
    try:
        found = await client.users_info(user=body.user_id)
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "user_not_visible"):
            raise ApiError(Code.UNKNOWN_USER) from None
        log.warning("users.info for an API filing failed: %s", exc.response.get("error"))
        raise ApiError(
            Code.UNAVAILABLE, message_key="api.error.slack_unavailable", headers=RETRY_LATER
        ) from None
    except (ClientError, TimeoutError) as exc:
        log.warning("users.info for an API filing failed: %r", exc)
        raise ApiError(
            Code.UNAVAILABLE, message_key="api.error.slack_unavailable", headers=RETRY_LATER
        ) from None
    user = found.get("user") or {}
    if user.get("deleted") or user.get("is_bot"):
        raise ApiError(Code.UNKNOWN_USER)
    profile = await rt.people.profile(workspace_id, body.user_id, client)
    today = rt.clock.now().astimezone(profile.tz).date()
    parsed = parse_form(body.form_fields(), rt.rules, today=today)
    if isinstance(parsed, dict):
        raise ApiError(
            Code.INVALID_REQUEST,
            fields=[
                FieldProblem(field=str(field), message=error.message(call.lang))
                for field, error in parsed.items()
            ],
        )
    verdict = await rt.claims.submit(
        workspace_id=workspace_id,
        filer=await rt.directory.filer(workspace_id, profile),
        draft=parsed,
        submission_key=submission_key(call),
        via=Via.API,
    )
    rt.outbox.kick()  # the rep's verdict DM, and the holder's notice of a collision
    return FilingResult.of(verdict)


def submission_key(call: Call) -> str:
    """One filing per Idempotency-Key and token (a retried request gets the first verdict)."""
    given = call.request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not given:
        return f"api:{uuid.uuid4()}"
    if len(given) > 80 or not given.isascii() or not given.isprintable():
        raise ApiError(
            Code.INVALID_REQUEST,
            fields=[
                FieldProblem(
                    field=IDEMPOTENCY_HEADER, message=t("api.error.idempotency_key", call.lang)
                )
            ],
        )
    return f"api:{call.caller.token_id}:{given}"


@endpoint(
    "GET",
    "/customers",
    summary="Customers of the workspace with their holders, oldest first, a page at a time",
    query=CustomerQuery,
    response=CustomerPage,
)
async def list_customers(call: Call) -> CustomerPage:
    query: CustomerQuery = call.query
    limit = page_size(call, query)
    async with call.rt.db.session() as session:
        rows = await api_reads.customers_page(
            session,
            call.caller.workspace_id,
            pooled=query.pooled,
            created_since=query.created_since,
            after=decode_cursor(query.cursor),
            limit=limit + 1,
        )
    items, next_cursor = paged([CustomerOut.of(c, holder) for c, holder in rows], limit)
    return CustomerPage(items=items, next_cursor=next_cursor)


@endpoint(
    "GET",
    "/customers/{customer_id}",
    summary="One customer and who holds it",
    response=CustomerOut,
    errors=(Code.NOT_FOUND,),
)
async def get_customer(call: Call) -> CustomerOut:
    customer_id = call.path_id("customer_id")
    async with call.rt.db.session() as session:
        rows = await customers_and_holders(session, call.caller.workspace_id, [customer_id])
    if not rows:
        raise ApiError(Code.NOT_FOUND)
    return CustomerOut.of(*rows[0])
