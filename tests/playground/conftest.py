"""Fixtures of the playground's tests: the playground as a process, and a browser on its page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.playground.browser import Page, chromium, need_browser, playground_process


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for a module's scenarios (a fresh profile)."""
    need_browser()
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Page]:
    """A freshly seeded playground, its page open in the browser."""
    with playground_process(tmp_path, "--db", str(tmp_path / "playground.db")) as url:
        yield Page(browser, url)
