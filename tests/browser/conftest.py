"""Browser tests: the real Rasa server, action server and gateway (started like `make run`, on
free ports with throw-away databases) driven through Debian's chromium by Playwright.

Chromium is /usr/bin/chromium (scripts/install_browser.sh installs it); Playwright never
downloads a browser here. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from stack import Stack, throwaway_stack  # noqa: E402

from chat_steps import DESKTOP  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPO / "var" / "screenshots"


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory) -> Iterator[Stack]:
    # test_browser_embed.py's portal runs on 127.0.0.2 (any port): the only origin besides the
    # gateway's own allowed to show /chat in a frame (CSP frame-ancestors)
    env = {"ASSISTANT_TODAY": "2026-11-22", "PORTAL_ORIGINS": "http://127.0.0.2:*"}
    with throwaway_stack(tmp_path_factory.mktemp("web-stack"), env) as running:
        yield running


@pytest.fixture(scope="session")
def base_url(web_stack: Stack) -> str:
    return web_stack.url


# Module scope: Playwright's sync API keeps an event loop running in the main thread while it
# lives, which would break asyncio.run() in the test modules collected after the browser tests.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh (make test does)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageErrors(list):
    """JavaScript errors and console errors seen by a context's pages; the test fails if any
    occurred, except those containing a text the test expects (``allow``)."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed: list[str] = []

    def allow(self, text: str) -> None:
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        return [e for e in self if not any(a in e for a in self.allowed)]


def _watch(page: Page, errors: PageErrors) -> None:
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)


@pytest.fixture
def new_context(browser: Browser) -> Iterator:
    """Factory of isolated browser contexts (own localStorage); JS errors fail the test."""
    made: list[tuple[BrowserContext, PageErrors]] = []

    def make(**options) -> tuple[BrowserContext, PageErrors]:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "zh-CN")
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        errors = PageErrors()
        context.on("page", lambda page: _watch(page, errors))
        made.append((context, errors))
        return context, errors

    yield make
    problems = [e for _, errors in made for e in errors.unexpected()]
    for context, _ in made:
        context.close()
    assert not problems, "errors in the page:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context) -> Page:
    context, _ = new_context()
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
