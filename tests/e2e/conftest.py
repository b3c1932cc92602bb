"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser runs in the test thread and the portal in the live server's
thread. Screenshots for the README are written only when
STAGEGATE_SCREENSHOTS=1, so an ordinary test run never rewrites them.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import IN_CI
from tests.factories import PASSWORD
from tests.identity import identity_provider  # noqa: F401 (a fixture: the sign-in journey's provider)

CHROMIUM = os.getenv("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT_MS = 15_000
# The machine running the suite may be busy; a slow page is not a failed one.
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def browser(live_server, django_db_serialized_rollback) -> Browser:
    """A Chromium per test, started after the database is restored and stopped before the next test.

    Playwright's sync API runs the test in a greenlet with its own context
    variables, where Django keeps its connections. Started once per session it
    would hide, from every later test, the serialized copy the transactional
    tests restore the roles and gate policy from; started after the restore
    and stopped at the end of each test, it leaves the rest of the suite as it
    found it. Serialized rollback restores the rows migrations create, which
    the live server's flush would otherwise remove.
    """
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI must not skip browser tests: no Chromium at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    # The ORM calls the tests make are plain synchronous code, but Django sees
    # Playwright's event loop in the thread and would refuse them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
            # The test's own ORM calls opened connections in Playwright's context; close them
            # there, or the test database cannot be dropped at the end of the run.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) per person; all are closed after the test."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()
    return page


def screenshot(page: Page, name: str) -> Path | None:
    """Save docs/screenshots/<name>.png when STAGEGATE_SCREENSHOTS=1; otherwise do nothing."""
    if os.getenv("STAGEGATE_SCREENSHOTS", "") not in ("1", "true", "yes"):
        return None
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
