"""Pytest fixtures for the fake Slack; register with ``pytest_plugins`` in tests/conftest.py.

``fake_slack`` starts a fresh :class:`FakeSlack` per test and, at teardown, fails the test
(reported as an error in teardown) when the app sent anything Slack would have rejected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakeslack.server import FakeSlack


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started FakeSlack; teardown fails the test if ``fake_slack.violations`` is non-empty.

    Tests that provoke violations on purpose should assert and clear them with
    ``fake_slack.take_violations()``.
    """
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_violations()
