"""A person who uses no mouse: sign up, confirm, RSVP to a meetup and write in its chat with keys only.

Every control is reached with Tab (never clicked), shows where the focus is, and is worked
with Enter or by typing. The chat runs on a real Daphne process, since it needs its socket.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.accounts.models import User
from tests.e2e.conftest import ARTIFACTS, save_screenshot
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "una-clave-de-teclado-larga-57"
TAB_LIMIT = 150


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab until the focus is on `selector`, checking on the way that the focus is visible."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(
                """() => { const style = getComputedStyle(document.activeElement);
                           return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                                  || style.boxShadow !== 'none'; }"""
            ), f"the focus on {selector} is not visible on {page.url}"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_sign_up_rsvp_and_chat_with_the_keyboard_alone(browser, live_server, asgi_url):  # noqa: F811
    event = event_factory(chapter=chapter_factory(name="IA Abierta Bilbao"), title="Modelos abiertos sin ratón")
    shots = ARTIFACTS / "keyboard"
    shots.mkdir(parents=True, exist_ok=True)

    # Sign up and confirm the address (the page the e-mail's link opens).
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/signup/")
    tab_to(page, ".skip-link")  # the first stop of every page jumps over the header
    type_into(page, "#id_email", "teclado@example.org")
    type_into(page, "#id_username", "teclado")
    type_into(page, "#id_password1", PASSWORD)
    type_into(page, "#id_password2", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/confirm-email/"))
    assert User.objects.get(username="teclado").emailaddress_set.get().verified
    context.close()

    # Sign in where the chat's socket lives, RSVP from the event page and say hello.
    context = browser.new_context(base_url=asgi_url, locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    type_into(page, "#id_login", "teclado@example.org")
    type_into(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".account-name")).to_have_count(1)
    page.goto("/meetups/")
    tab_to(page, f'main a[href="/meetups/events/{event.slug}/"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/meetups/events/{event.slug}/$"))
    tab_to(page, f'form[action="/meetups/events/{event.slug}/rsvp/"] button[type=submit]')
    page.keyboard.press("Enter")
    expect(page.locator("[data-rsvp] [data-status=going]")).to_be_visible()
    save_screenshot(page, shots / "01-going.png")

    tab_to(page, "[data-chat] [data-input]")
    page.keyboard.type("Hola, llego en metro")
    page.keyboard.press("Enter")
    expect(page.locator("[data-messages] .chat-message:not(.is-pending)")).to_contain_text("Hola, llego en metro")
    # New messages are read out politely, without taking the focus away from what the person types.
    assert page.locator("[data-chat] [aria-live=polite]").count() >= 1
    assert page.evaluate("document.activeElement.matches('[data-input]')")
    save_screenshot(page, shots / "02-chat.png")
    context.close()


@pytest.mark.parametrize("path", ["/", "/meetups/", "/hackathons/", "/talent/", "/transparency/", "/accessibility/"])
def test_pages_fit_a_320_pixel_window_without_sideways_scrolling(browser, live_server, path):
    """WCAG 1.4.10: content reflows at 320 CSS pixels (what 200 % zoom gives on a 640 px window)."""
    context = browser.new_context(base_url=live_server.url, locale="es-ES", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(path)
    wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert wider <= 0, f"{path} is {wider}px wider than a 320px window"
