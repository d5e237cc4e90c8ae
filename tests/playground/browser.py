"""A headless Chromium driving ``claimbot playground``'s page, as a person would.

The playground runs as its own process (``python -m bot playground --no-open --port 0``); the
browser is Debian's ``chromium`` with its ``chromedriver``. Without them the browser tests skip
with the reason, except in CI (``CI=true``), where ``.ci/run`` installs them and a skip would hide
a broken page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900", "--lang=en-US",
)  # fmt: skip
WAIT = 15.0

# The seeded people (bot/playground/seed.py).
WANG, LI, ZHAO, EMMA, ADAM, CHEN = (
    "U0PGWANG01", "U0PGLIQI02", "U0PGZHAO03", "U0PGEMMA04", "U0PGADAM05", "U0PGCHEN06",
)  # fmt: skip
POOL = "C0PGPOOL01"
APPROVALS = "C0PGAPPRV1"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


def need_browser() -> None:
    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@contextmanager
def playground_process(folder: Path, *args: str) -> Iterator[str]:
    """``claimbot playground`` as a process of its own; yields the page's URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "bot", "playground", "--no-open", "--port", "0", *args]
    log = (folder / "playground.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"http://\S+", line)
        if not found:
            log.seek(0)
            raise AssertionError(f"the playground did not start: {line!r}\n{log.read()}")
        yield found.group(0)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Page:
    """The playground's page in the browser, with the few gestures a person makes."""

    driver: Any
    url: str

    def act_as(self, user_id: str) -> None:
        self.driver.get(f"{self.url}?as={user_id}#as={user_id}")
        self.wait_text("#act-as option:checked", "")
        self.wait(
            lambda: (
                self.driver.execute_script("return page.state && page.state.viewer.id") == user_id
            )
        )

    def wait(self, condition: Any, timeout: float = WAIT, what: str = "") -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            lambda _d: condition(), message=what
        )

    def find(self, css: str) -> Any:

        return self.wait(lambda: self._visible(css), what=f"nothing visible matches {css}")

    def click(self, css: str) -> None:
        """Click what ``css`` matches, again if a redraw replaced it in between (as people do)."""
        self._click_found(lambda: self._visible(css), f"could not click {css}")

    def _click_found(self, find: Any, what: str) -> None:
        from selenium.common.exceptions import (
            ElementNotInteractableException,
            StaleElementReferenceException,
        )

        def clicked() -> bool:
            try:
                element = find()
                if element is None:
                    return False
                element.click()
            except (StaleElementReferenceException, ElementNotInteractableException):
                return False
            return True

        self.wait(clicked, what=what)

    def _visible(self, css: str) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        try:
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed():
                    return element
        except StaleElementReferenceException:
            return None
        return None

    def text(self, css: str) -> str:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        try:
            return "\n".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css))
        except StaleElementReferenceException:
            return ""

    def wait_text(self, css: str, expected: str, timeout: float = WAIT) -> str:
        """Wait until the elements matching ``css`` show ``expected``; their text."""
        self.wait(
            lambda: expected in self.text(css),
            timeout,
            what=f"{expected!r} never appeared in {css}; it reads: {self.text(css)!r}",
        )
        return self.text(css)

    def open(self, conversation: str) -> None:
        self.click(f'.conversation-link[data-id="{conversation}"]')
        self.wait(
            lambda: (
                "active"
                in self.find(f'.conversation-link[data-id="{conversation}"]').get_attribute("class")
            )
        )

    def command(self, text: str) -> None:
        box = self.find("#composer-input")
        box.clear()
        box.send_keys(text)
        self.click("#composer-send")

    def modal(self, callback_id: str) -> Any:
        return self.find(f'dialog.modal[data-callback-id="{callback_id}"]')

    def fill(self, values: dict[str, str]) -> None:
        """Type into (or choose in) the open modal's inputs, by block id."""
        from selenium.webdriver.support.ui import Select

        for block_id, value in values.items():
            field = self.find(
                f'dialog.modal .block.input-block[data-block-id="{block_id}"] [data-key]'
            )
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)

    def submit(self) -> None:
        self.click("dialog.modal .modal-submit")

    def click_button(self, scope: str, label: str) -> None:
        """Click the button labelled ``label`` inside ``scope``."""

        def button() -> Any:
            from selenium.webdriver.common.by import By

            for candidate in self.driver.find_elements(By.CSS_SELECTOR, f"{scope} button.btn"):
                if candidate.is_displayed() and candidate.text.strip() == label:
                    return candidate
            return None

        self._click_found(button, f"no button {label!r} in {scope}")

    def click_in_message(self, containing: str, label: str) -> None:
        """Click the button ``label`` of the message that mentions ``containing``."""
        from selenium.webdriver.common.by import By

        xpath = (
            f"//article[contains(@class, 'message')][contains(., '{containing}')]"
            f"//button[contains(@class, 'btn')][normalize-space(.)='{label}']"
        )
        self._click_found(
            lambda: (self.driver.find_elements(By.XPATH, xpath) or [None])[-1],
            f"no button {label!r} on a message about {containing!r}",
        )

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        time.sleep(0.3)  # let the last redraw settle
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def chromium(profile: Path) -> Any:
    """Headless Chromium with a fresh profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
