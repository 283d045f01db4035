"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against a real
``keepword serve`` process over the demo portfolio, clock on the demo's Monday.

Every page a test opens is screenshotted under test-output/screenshots/, and any console
error fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from keepword.bootstrap import open_keepword
from keepword.config import Settings
from keepword.demo import DEMO_USERS
from keepword.services.portfolio import stored_version
from tests.e2e.cli import PASSWORD, clean_env, keepword
from tests.e2e.server import start_server, stop_server

CHROMIUM = Path(os.environ.get("KEEPWORD_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
DEMO_DAY = "2026-11-23T09:00:00Z"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("KEEPWORD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


class Served:
    """``keepword serve`` over the demo, its clock set by ``KEEPWORD_NOW``."""

    def __init__(self, db: str, env: dict[str, str]) -> None:
        self.db, self.env = db, env
        self.server, self.base = start_server(["--db", db, "serve"], env)

    def restart(self, now: str) -> None:
        """Serve the same database as of ``now`` (time passing between two steps)."""
        stop_server(self.server)
        self.env = {**self.env, "KEEPWORD_NOW": now}
        self.server, self.base = start_server(["--db", self.db, "serve"], self.env)

    def url(self, path: str) -> str:
        return self.base + path

    def version(self) -> str:
        """The stored state's version: it changes with every write (each appends an event)."""
        keepword = open_keepword(Settings(database_url=self.db, actor="test"))
        try:
            return stored_version(keepword.uow)
        finally:
            keepword.close()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``keepword demo`` loaded into a file once, its demo users' passwords set to the test
    password: each test serves a copy (loading and hashing seven passwords took 20 s)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**clean_env(folder), "KEEPWORD_NOW": DEMO_DAY}
    db = folder / "demo.db"
    loaded = keepword("--db", str(db), "demo", "--no-serve", env=env)
    assert loaded.code == 0, loaded.stderr
    for name, _, _ in DEMO_USERS:
        changed = keepword("--db", str(db), "user", "passwd", name, "--password-stdin", env=env,
                           input=PASSWORD + "\n")  # fmt: skip
        assert changed.code == 0, changed.stderr
    return db


@pytest.fixture
def served(tmp_path: Path, demo_database: Path) -> Iterator[Served]:
    """``keepword serve`` on a copy of the loaded demo, clock on the demo's Monday."""
    env = {**clean_env(tmp_path), "KEEPWORD_NOW": DEMO_DAY}
    db = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):  # the whole database, whatever SQLite left beside it
        source = demo_database.with_name(demo_database.name + suffix)
        if source.exists():
            shutil.copyfile(source, db.with_name(db.name + suffix))
    running = Served(str(db), env)
    yield running
    stop_server(running.server)


def log_in(page: Page, served: Served, name: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(served.url("/login"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def page(fresh_page: Page, served: Served) -> Page:
    """A browser page logged in as the demo's delivery lead (beth)."""
    log_in(fresh_page, served, "beth")
    return fresh_page


def cookies_of(page: Page) -> dict[str, str]:
    """The page's cookies, for fetching a file as the logged-in user outside the browser."""
    return {c["name"]: c["value"] for c in page.context.cookies() if "name" in c and "value" in c}


class Console:
    """The console errors and failed requests of a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []  # e.g. the 422 of a form refused on purpose

    def listen(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(e in message.text for e in self.expected):
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def fresh_page(browser: Browser, console: Console) -> Iterator[Page]:
    """A page in a browser context of its own, logged in as nobody."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.on("console", console.listen)
    opened.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
    yield opened
    context.close()
    assert console.errors == [], f"console errors: {console.errors}"


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-output/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
