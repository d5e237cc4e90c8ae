"""Pytest fixtures for the fake Slack; register with ``pytest_plugins`` in tests/conftest.py.

``fake_slack`` starts a fresh :class:`~bot.fakeslack.FakeSlack` per test and, at teardown, fails
the test (reported as an error in teardown) when the app sent anything Slack would have rejected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.fakeslack.clock import ManualClock
from bot.fakeslack.server import FakeSlack


def assert_no_violations(fake: FakeSlack) -> None:
    """Fail the current test, listing every violation, if any was recorded."""
    report = fake.violation_report()
    if report is not None:
        pytest.fail(report, pytrace=False)


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started FakeSlack; teardown fails the test if ``fake_slack.violations`` is non-empty.

    Tests that provoke violations on purpose should assert and clear them with
    ``fake_slack.take_violations()``. Its clock (trigger_id and response_url expiry) moves only
    with ``fake_slack.clock.advance(seconds)``, so a slow machine never expires anything.
    """
    fake = FakeSlack(clock=ManualClock())
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert_no_violations(fake)
