"""People: cached Slack profiles (language, time zone) and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.dialect import insert
from store.models import Person, Role


async def get_person(session: AsyncSession, workspace_id: str, user_id: str) -> Person | None:
    """The stored person, or ``None`` if the bot has never seen them."""
    return await session.get(Person, (workspace_id, user_id))


async def save_profile(
    session: AsyncSession,
    workspace_id: str,
    user_id: str,
    *,
    display_name: str | None,
    locale: str | None,
    tz: str | None,
    is_guest: bool,
    at: datetime,
) -> None:
    """Insert or refresh the cached Slack profile of a person; their role is left as it is.

    An upsert, because the first two requests of a new user may arrive at once.
    """
    profile = {
        "display_name": display_name,
        "locale": locale,
        "tz": tz,
        "is_guest": is_guest,
        "profile_fetched_at": at,
        "updated_at": at,
    }
    statement = insert(session, Person).values(
        workspace_id=workspace_id, user_id=user_id, role=Role.REP, **profile
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["workspace_id", "user_id"], set_=profile)
    )


async def change_profile(
    session: AsyncSession,
    workspace_id: str,
    user_id: str,
    *,
    locale: str | None,
    tz: str | None,
    fetched_at: datetime | None,
) -> None:
    """A profile Slack says has changed: the new locale and time zone where given (``None``
    keeps the stored one), and when it was known (``None``: stale, fetch it again)."""
    values: dict[str, object] = {"profile_fetched_at": fetched_at}
    if locale:
        values["locale"] = locale
    if tz:
        values["tz"] = tz
    await session.execute(
        update(Person)
        .where(Person.workspace_id == workspace_id, Person.user_id == user_id)
        .values(**values)
    )


async def people_by_ids(
    session: AsyncSession, workspace_id: str, user_ids: list[str]
) -> dict[str, Person]:
    """The stored people among ``user_ids``, by user id."""
    if not user_ids:
        return {}
    rows = await session.scalars(
        select(Person).where(Person.workspace_id == workspace_id, Person.user_id.in_(user_ids))
    )
    return {p.user_id: p for p in rows}
