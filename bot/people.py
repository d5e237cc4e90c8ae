"""Who a Slack user is to us: their language and time zone, from ``users.info``, cached.

The language follows the user's Slack locale; a user whose profile cannot be read gets the
workspace default from the rules. Profiles are cached in memory and in the ``people`` table so a
busy bot calls ``users.info`` about once per user per day, not once per click.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.i18n import Lang, language_of_locale
from bot.rules import Rules
from store import people as people_store
from store.db import Database, DatabaseUnavailable, answer_within

log = logging.getLogger(__name__)

PROFILE_TTL = timedelta(hours=24)
# Seconds the profile's database look-up may take before users.info answers instead (a hung
# database must not eat the 3 s a request has to answer in).
PROFILE_LOOKUP_SECONDS = 0.5
# Refreshes are spread over the last tenth of the day (per user, stably), so that a team which
# started using the bot on the same morning does not ask users.info all at once a day later.
PROFILE_TTL_SPREAD = PROFILE_TTL / 10
# A profile Slack did not give us (429, timeout) is asked for again this soon: an assumed
# language must not stick for a day.
FALLBACK_TTL = timedelta(minutes=5)


def refresh_after(user_id: str) -> timedelta:
    """How long ``user_id``'s fetched profile is kept: a day less up to a tenth, per user."""
    share = int(hashlib.blake2b(user_id.encode(), digest_size=2).hexdigest(), 16) / 0xFFFF
    return PROFILE_TTL - PROFILE_TTL_SPREAD * share


@dataclass(frozen=True, slots=True)
class Profile:
    """The parts of a Slack profile the bot acts on."""

    user_id: str
    lang: Lang
    tz: ZoneInfo
    display_name: str | None = None
    is_guest: bool = False


class PeopleDirectory:
    """Looks up and caches profiles per (workspace, user)."""

    def __init__(self, db: Database, rules: Rules, clock: Clock) -> None:
        self._db = db
        self._rules = rules
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[Profile, object]] = {}
        # Bumped by each user_change: a look-up that began before the change must not cache
        # the profile it read (it may be the old one, and would be kept for a day).
        self._changes: dict[tuple[str, str], int] = {}

    def default_profile(self, user_id: str) -> Profile:
        """The profile assumed when Slack cannot tell us more."""
        return Profile(user_id=user_id, lang=self._rules.language, tz=self._rules.zone)

    def forget(self, workspace_id: str, user_id: str) -> None:
        """Drop a cached profile (e.g. after ``user_change``)."""
        self._cache.pop((workspace_id, user_id), None)

    async def changed(self, workspace_id: str, user: dict[str, object]) -> None:
        """``user_change``: Slack sent the user's new profile; keep it from now on."""
        user_id = str(user.get("id") or "")
        if not user_id:
            return
        key = (workspace_id, user_id)
        self._changes[key] = self._changes.get(key, 0) + 1
        self.forget(workspace_id, user_id)
        # The event's user object has the time zone but not always the locale: without it the
        # stored profile is marked stale, so the next lookup asks users.info.
        locale = user.get("locale")
        tz = user.get("tz")
        has_locale = isinstance(locale, str) and bool(locale)
        async with self._db.session() as session:
            await people_store.change_profile(
                session,
                workspace_id,
                user_id,
                locale=str(locale) if has_locale else None,
                tz=str(tz) if isinstance(tz, str) and tz else None,
                fetched_at=self._clock.now() if has_locale else None,
            )
        # A look-up running while the change was written may have read the old row (a snapshot
        # taken before the commit): it must neither have cached it nor cache it now.
        self._changes[key] += 1
        self.forget(workspace_id, user_id)

    async def profile(
        self, workspace_id: str, user_id: str, client: AsyncWebClient | None
    ) -> Profile:
        """The user's profile: memory, then the database, then ``users.info``; when Slack does
        not answer, the last profile we had (however old) beats a guess, for a few minutes."""
        now = self._clock.now()
        key = (workspace_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:  # type: ignore[operator]
            return cached[0]
        generation = self._changes.get(key, 0)

        reachable = True
        try:
            # A short budget of its own: a hung database must leave the request time to answer.
            with answer_within(PROFILE_LOOKUP_SECONDS):
                async with self._db.session() as session:
                    person = await people_store.get_person(session, workspace_id, user_id)
        except DatabaseUnavailable:
            # The language is worth having even when the database is away: the user is about
            # to be told, in their language, to try again.
            person, reachable = None, False
        known = (
            None
            if person is None or person.profile_fetched_at is None
            else self._profile(
                user_id, person.locale, person.tz, person.display_name, person.is_guest
            )
        )
        keep = refresh_after(user_id)
        fresh = (
            known is not None
            and person is not None
            and person.profile_fetched_at is not None
            and person.profile_fetched_at + keep > now
        )
        profile: Profile | None = known if fresh else None
        if profile is None and client is not None:
            profile = await self._fetch(workspace_id, user_id, client, save=reachable)
        if profile is None:
            profile = known or self.default_profile(user_id)
            keep = FALLBACK_TTL
        if self._changes.get(key, 0) == generation:
            self._cache[key] = (profile, now + keep)
        return profile

    async def _fetch(
        self, workspace_id: str, user_id: str, client: AsyncWebClient, *, save: bool = True
    ) -> Profile | None:
        """The profile from ``users.info`` (saved unless ``save`` is false), or ``None`` when
        Slack did not give it."""
        try:
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return None
        except (ClientError, TimeoutError, OSError) as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.__class__.__name__)
            return None
        user = response.get("user") or {}
        profile = self._profile(
            user_id,
            user.get("locale"),
            user.get("tz"),
            (user.get("profile") or {}).get("display_name") or user.get("real_name"),
            bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        )
        if not save:
            return profile
        try:
            async with self._db.session() as session:
                await people_store.save_profile(
                    session,
                    workspace_id,
                    user_id,
                    display_name=profile.display_name,
                    locale=user.get("locale"),
                    tz=user.get("tz"),
                    is_guest=profile.is_guest,
                    at=self._clock.now(),
                )
        except DatabaseUnavailable:
            log.warning("profile of %s not cached: database unavailable", user_id)
        return profile

    def _profile(
        self,
        user_id: str,
        locale: str | None,
        tz_name: str | None,
        display_name: str | None,
        is_guest: bool,
    ) -> Profile:
        try:
            tz = ZoneInfo(tz_name) if tz_name else self._rules.zone
        except (ZoneInfoNotFoundError, ValueError):
            tz = self._rules.zone
        return Profile(
            user_id=user_id,
            lang=language_of_locale(locale, self._rules.language),
            tz=tz,
            display_name=display_name,
            is_guest=is_guest,
        )
