"""Browser journeys: Playwright drives Debian's Chromium against a live server."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from bench.asgi_servers import asgi_servers
from tests.accounts.factories import PASSWORD
from tests.asgi_server import migrated_test_database_url

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# The two windows a journey runs in: a desktop and a phone.
WINDOWS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


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
def asgi_url():
    """An ASGI server of the platform on this test's database, for pages that need a socket
    (the chat); `live_server` serves no WebSockets."""
    env = {
        "DJANGO_SETTINGS_MODULE": "community.settings.test",
        "DATABASE_URL": migrated_test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    with asgi_servers(1, env=env) as servers:
        yield f"http://127.0.0.1:{servers[0][0]}"


def save_screenshot(page, path) -> None:
    """Save the whole page at `path`. Chromium now and then answers "Unable to capture
    screenshot" while it is still painting a frame; that says nothing of the page, so the
    capture is tried again after the next frame (three times at most)."""
    for attempt in range(3):
        try:
            page.screenshot(path=str(path), full_page=True)
            return
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => resolve()))")


@pytest.fixture
def screenshot(page):
    """Save what the user sees under artifacts/screenshots/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str):
        save_screenshot(page, ARTIFACTS / f"{name}.png")

    return take


@pytest.fixture
def log_in_as(browser, live_server):
    """`log_in_as(user)`: a page in a browser session of that person's own, signed in.

    Journeys with several people (organiser, participants, judge) give each one a session;
    all are closed at the end of the test so no server thread stays open.
    """
    opened = []

    def log_in(user, window: str = "desktop"):
        page = signed_in_page(browser, live_server.url, user, viewport=WINDOWS[window])
        opened.append(page.context)
        return page

    yield log_in
    for context in opened:
        context.close()


def signed_in_page(browser, base_url: str, user, viewport=None):
    """A new browser session of `user`'s own on the server at `base_url`, signed in."""
    context = browser.new_context(base_url=base_url, locale="es-ES", viewport=viewport or WINDOWS["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".account-name")).to_have_text(user.username)
    return page


def open_section(page, name: str):
    """Click a link of the header (a main section or the account menu), unfolding the menu first
    when the window is too narrow to show it: how a person gets anywhere without typing a URL."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    link = page.locator("#site-nav").get_by_role("link", name=name, exact=True).first
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def shoot(page, name: str):
    """Fail if the page is wider than its window, then save what the person sees (once the page
    a click opened has loaded: its document is empty while it is still arriving)."""
    page.wait_for_load_state("load")
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{page.url} is {wider}px wider than its {page.viewport_size['width']}px window"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    save_screenshot(page, ARTIFACTS / f"{name}.png")
