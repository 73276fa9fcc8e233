"""Browser tests: real ``simulcast serve`` processes, the built pages, Debian's Chromium.

Playwright drives /usr/bin/chromium (never a browser of its own: nothing is downloaded).
Each test gets its own browser; every page it opens records its console errors and any
JavaScript dialog, and the test fails if a dialog ever opens (an injected script ran).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from simulcast.web.pages import DIST
from tests.e2e.territory import write_territory
from tests.helpers import ADMIN, Api
from tests.process import Served, Servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 1024, "height": 768}
LAPTOP = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture(autouse=True)
def _needs_chromium_and_built_pages() -> None:
    """Fail clearly (never skip: CI must run these) when the machine lacks what they need."""
    if not (DIST / "join.html").is_file():
        pytest.fail(
            "the pages are not built: run `make setup` (npm ci && npm run build in dashboards/)"
        )
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run installs it)")


@dataclass
class Tab:
    """A page and what it showed that a person should never see."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@dataclass
class Browsers:
    browser: Browser
    tabs: list[Tab] = field(default_factory=list)

    async def open(
        self,
        url: str,
        viewport: dict[str, int] = LAPTOP,
        *,
        admin: bool = False,
        lang: str | None = None,
        **options: Any,
    ) -> Tab:
        """A new browser context (its own storage, like another device) on ``url``."""
        context: BrowserContext = await self.browser.new_context(viewport=viewport, **options)
        if admin:  # the console's token, as if typed once in this tab
            await context.add_init_script(f"sessionStorage.setItem('simulcast.admin', '{ADMIN}')")
        if lang:
            await context.add_init_script(f"localStorage.setItem('simulcast.lang', '{lang}')")
        page = await context.new_page()
        tab = Tab(page)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        page.on("dialog", lambda dialog: _dismiss(tab, dialog))
        await page.goto(url)
        self.tabs.append(tab)
        return tab


async def _dismiss(tab: Tab, dialog: Any) -> None:
    """Record it (the test fails at teardown) and close it, so the page goes on."""
    tab.dialogs.append(dialog.message)
    await dialog.dismiss()


@pytest.fixture
async def browsers() -> AsyncIterator[Browsers]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        opened = Browsers(browser)
        try:
            yield opened
            for tab in opened.tabs:
                assert tab.dialogs == [], f"{tab.page.url}: dialogs {tab.dialogs}"
                assert tab.errors == [], f"{tab.page.url}: script errors {tab.errors}"
        finally:
            await browser.close()


@dataclass
class Live:
    """A running controller and a REST client for it."""

    served: Served
    api: Api

    @property
    def base(self) -> str:
        return self.served.url


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    async with Servers(tmp_path) as started:
        yield started


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def controller(servers: Servers, http: aiohttp.ClientSession, tmp_path: Path) -> Live:
    served = await servers.start(tmp_path / "simulcast.db")
    return Live(served, Api(served.url, http))


@pytest.fixture
async def territory_controller(
    servers: Servers, http: aiohttp.ClientSession, tmp_path: Path
) -> Live:
    """A controller for a territory of 60 rooms (tests/e2e/territory.py)."""
    served = await servers.start(tmp_path / "simulcast.db", rooms=write_territory(tmp_path))
    return Live(served, Api(served.url, http))


async def screenshot(tab: Tab, name: str) -> None:
    """Keep a picture of the page for docs/screenshots (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await tab.page.evaluate("window.scrollTo(0, 0)")
    await tab.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
