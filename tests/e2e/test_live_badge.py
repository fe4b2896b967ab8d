"""The notification badge lives through a restart of the server: its socket reconnects by
itself (frontend/static/js/live.js) and catches up with what it missed, no reload needed."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.asgi_server import running_asgi_server
from tests.chat.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_badge_changes_after_the_server_restarts_without_a_reload(browser):
    member = UserFactory()
    with running_asgi_server() as server:
        context = browser.new_context(base_url=server.url, locale="es-ES")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(member), "url": server.url}])
        page = context.new_page()
        page.goto("/")
        badge = page.locator("[data-unread-count]")
        expect(badge).to_be_hidden()
        opened = page.evaluate("performance.timeOrigin")
        notify(recipients=[member], kind="test.live", title="Antes del reinicio", email=False)
        expect(badge).to_have_text("1")
        port = server.port
    expect(badge).to_have_text("1")  # the server is gone; the page stays as it was

    with running_asgi_server(port=port) as server:
        notify(recipients=[member], kind="test.live", title="Después del reinicio", email=False)
        expect(badge).to_have_text("2", timeout=60_000)  # back-off after a restart: up to 30 s
        assert page.evaluate("performance.timeOrigin") == opened  # the same page, never reloaded
    context.close()
