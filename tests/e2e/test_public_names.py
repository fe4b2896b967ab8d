"""A new member is named by the handle they chose, never by their e-mail address: in the
header (with the bell, on a phone), in a meetup's chat and its presence line, and on the
organiser's check-in list. By clicking, at 390 px and 1366 px, with screenshots."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from apps.accounts.models import User
from tests.chat.conftest import session_cookie
from tests.e2e.conftest import shoot
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "una-clave-de-prueba-larga-31"
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
EMAIL = "lucia.martin.4821@example.org"


def signed_in(browser, base_url, user, viewport):
    context = browser.new_context(base_url=base_url, locale="es-ES", viewport=viewport)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_handle_not_the_address_in_header_chat_presence_and_check_in(page, browser, asgi_url):
    chapter = chapter_factory(name="IA Abierta Sevilla")
    event = event_factory(chapter=chapter, title="Modelos abiertos en la Cartuja")

    # Sign-up on a phone, choosing a handle.
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.get_by_role("button", name="Menú").click()
    page.get_by_role("link", name="Registrarse").first.click()
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_username").fill("lucia-m")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    shoot(page, "names-01-signup-phone")
    page.get_by_role("button", name="Registrarse").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0))
    page.get_by_role("button", name="Confirmar").click()
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(re.compile(r"/talent/me/first-steps/name/$"))  # the guided setup comes first
    page.get_by_role("link", name="Terminar más tarde").click()
    page.locator("a.brand").click()
    expect(page).to_have_url(re.compile(r"/$"))
    # The bell is in the phone's header, outside the folded menu; the greeting uses the handle.
    expect(page.locator(".header-bell")).to_be_in_viewport()
    expect(page.locator(".hero-welcome")).to_contain_text("lucia-m")
    shoot(page, "names-02-home-phone")

    # On a laptop: RSVP from the meetup page, then say hello in its chat.
    lucia = User.objects.get(email=EMAIL)
    member = signed_in(browser, asgi_url, lucia, LAPTOP)
    member.goto(f"/meetups/events/{event.slug}/")
    expect(member.locator(".header-bell")).to_be_visible()
    member.locator("[data-rsvp] form button[type=submit]").click()
    expect(member.locator("[data-status=going]")).to_be_visible()
    member.locator("[data-input]").first.fill("¡Hola! ¿Alguien viene desde Triana?")
    member.locator("[data-input]").first.press("Enter")
    sent = member.locator("[data-messages] .chat-message:not(.is-pending)")
    expect(sent).to_contain_text("lucia-m")
    expect(member.locator("[data-online]")).to_contain_text("lucia-m")
    assert "lucia.martin" not in member.content()
    shoot(member, "names-03-chat-laptop")

    # The organiser's check-in list on a phone names her the same way.
    door = signed_in(browser, asgi_url, chapter.organisers.get(), PHONE)
    door.goto(f"/meetups/events/{event.slug}/dashboard/")
    door.locator(f"a[href='/meetups/events/{event.slug}/check-in/']").click()
    expect(door.locator("[data-check-in=lucia-m]")).to_be_visible()
    expect(door.locator("main")).to_contain_text("lucia-m")
    assert "lucia.martin" not in door.content()
    shoot(door, "names-04-check-in-phone")
