"""Browser journeys: Playwright drives Debian's Chromium against a live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.accounts.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package.")
    # Playwright's sync API keeps an event loop in the test thread while the browser is
    # open; the ORM calls the tests make there (fixtures, database flushes) stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save what the user sees under artifacts/screenshots/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def log_in_as(browser, live_server):
    """`log_in_as(user)`: a page in a browser session of that person's own, signed in.

    Journeys with several people (organiser, participants, judge) give each one a session;
    all are closed at the end of the test so no server thread stays open.
    """
    opened = []

    def log_in(user):
        page = signed_in_page(browser, live_server.url, user)
        opened.append(page.context)
        return page

    yield log_in
    for context in opened:
        context.close()


def signed_in_page(browser, base_url: str, user):
    """A new browser session of `user`'s own on the server at `base_url`, signed in."""
    context = browser.new_context(base_url=base_url, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-name")).to_have_text(user.email)
    return page
