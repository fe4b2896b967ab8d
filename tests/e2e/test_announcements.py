"""An organiser announces; another member's badge rings live, and the e-mail's link
unsubscribes with one click, signed out."""

import re
from urllib.parse import urlparse

from django.core import mail
from playwright.sync_api import expect

from apps.hackathons.models import Hackathon
from apps.notifications.models import NotificationPreference
from community.celery import app
from tests.e2e.conftest import ARTIFACTS, save_screenshot, signed_in_page
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule
from tests.notifications.live_stack import wait_until


def test_announcement_rings_the_badge_live_and_the_email_unsubscribes_in_one_click(
    browser, asgi_url, celery_worker
):
    app.control.purge()  # tasks other tests queued without a worker
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    member = participant_factory(hackathon)
    member_page = signed_in_page(browser, asgi_url, member)
    member_page.goto("/notifications/")
    badge = member_page.locator("[data-unread-count]")
    expect(badge).to_be_hidden()
    member_page.wait_for_timeout(500)  # the socket connects after the page loads

    organiser_page = signed_in_page(browser, asgi_url, organiser)
    organiser_page.goto(f"/notifications/announce/hackathon/?hackathon={hackathon.slug}")
    organiser_page.get_by_label("Título").fill("Cambio de sala")
    organiser_page.get_by_label("Mensaje").fill("Nos vemos en el aula 2.")
    organiser_page.get_by_role("button", name="Vista previa").click()
    expect(organiser_page.get_by_test_id("announce-count")).to_contain_text("1 persona")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    save_screenshot(organiser_page, ARTIFACTS / "announce-preview.png")
    organiser_page.get_by_role("button", name="Enviar ahora").click()
    expect(organiser_page.get_by_text("Tu anuncio va de camino")).to_be_visible()

    expect(badge).to_have_text("1", timeout=30_000)  # fanned out by the worker, then pushed
    expect(member_page.locator(".toast")).to_contain_text("Cambio de sala")
    save_screenshot(member_page, ARTIFACTS / "announce-badge.png")

    assert wait_until(lambda: any(m.to == [member.email] for m in mail.outbox), timeout=30)
    message = next(m for m in mail.outbox if m.to == [member.email])
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    link = re.search(r"https?://\S+/notifications/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    signed_out = browser.new_context(base_url=asgi_url, locale="es-ES").new_page()
    signed_out.goto(urlparse(link).path)
    signed_out.get_by_role("button", name="Darme de baja").click()
    expect(signed_out.get_by_text("Ya no recibirás estos correos")).to_be_visible()
    save_screenshot(signed_out, ARTIFACTS / "announce-unsubscribed.png")
    assert NotificationPreference.objects.filter(user=member, kind="announcements.message", mode="off").exists()
    signed_out.context.close()
    member_page.context.close()
    organiser_page.context.close()
