"""What members and organisers meet first, by clicking only, on a 390 px phone and a 1366 px laptop:
the event pages' primary action on the first screen (and kept on screen on phones), a new member
from sign-up through the guided setup to an RSVP, and an organiser whose past date is refused
next to the field, fixed, published and announced. Screenshots of each step."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from apps.hackathons.models import Hackathon
from apps.meetups import services as meetups
from apps.notifications.models import NotificationEvent
from tests.e2e.conftest import open_section, shoot
from tests.hackathons.factories import hackathon_factory, organiser_factory, participant_factory, running_schedule
from tests.meetups.factories import event_factory
from tests.notifications.live_stack import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
WINDOWS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
PASSWORD = "una-clave-de-prueba-larga-58"


def assert_on_screen(page, selector: str):
    """The element is entirely inside the window as it is now, without scrolling."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{selector} is not rendered"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], f"{selector} is off screen: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], f"{selector} is cut off: {box}"


def assert_action_first_and_kept(page, window: str, name: str):
    assert_on_screen(page, "[data-primary-action]")
    if window == "phone":  # kept on screen while the rest of the page scrolls by
        page.mouse.wheel(0, 5000)
        # Polled from the test: the site's CSP forbids the eval that wait_for_function uses.
        assert wait_until(lambda: page.evaluate("window.scrollY") > 0, timeout=5), "the page did not scroll"
        assert_on_screen(page, "[data-primary-action]")
    shoot(page, name)


@pytest.mark.parametrize("window", WINDOWS)
def test_the_primary_action_is_on_the_first_screen(window, page, log_in_as):
    hackathon = hackathon_factory(
        state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule(),
        description="Un fin de semana para construir.\n\n" + "Texto largo. " * 400,
    )
    event = event_factory(description="Charlas y pizza.\n\n" + "Texto largo. " * 400)
    page.set_viewport_size(WINDOWS[window])
    page.goto(f"/hackathons/{hackathon.slug}/")
    expect(page.locator("[data-primary-action]")).to_have_text("Inscribirme")
    assert_action_first_and_kept(page, window, f"first-screen-01-hackathon-visitor-{window}")
    page.goto(f"/meetups/events/{event.slug}/")
    expect(page.locator("[data-primary-action]")).to_be_visible()
    assert_action_first_and_kept(page, window, f"first-screen-02-meetup-visitor-{window}")

    member = participant_factory(hackathon)
    meetups.rsvp_going(user=member, event=event)
    signed_in = log_in_as(member, "phone" if window == "phone" else "desktop")
    signed_in.set_viewport_size(WINDOWS[window])
    signed_in.goto(f"/hackathons/{hackathon.slug}/")
    expect(signed_in.locator("[data-primary-action]")).to_have_attribute("href", f"/hackathons/{hackathon.slug}/team/")
    assert_action_first_and_kept(signed_in, window, f"first-screen-03-hackathon-registered-{window}")
    signed_in.goto(f"/meetups/events/{event.slug}/")
    expect(signed_in.locator("[data-primary-action]")).to_have_attribute("href", "#ticket")
    assert_action_first_and_kept(signed_in, window, f"first-screen-04-meetup-going-{window}")


@pytest.mark.parametrize("window", WINDOWS)
def test_a_new_member_signs_up_sets_up_and_rsvps_from_the_first_screen(window, page):
    event_factory(title="Modelos abiertos en Zaragoza", description="Texto largo. " * 300)
    email = f"nueva.{window}@example.org"
    page.set_viewport_size(WINDOWS[window])
    page.goto("/")
    open_section(page, "Registrarse")
    page.locator("#id_email").fill(email)
    page.locator("#id_username").fill(f"nueva-{window}")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Registrarse").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    shoot(page, f"newcomer-01-check-your-inbox-{window}")

    # The link from the e-mail the server sent; confirming, then signing in, leads to the setup.
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0))
    page.get_by_role("button", name="Confirmar").click()
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(re.compile(r"/talent/me/first-steps/name/$"))
    expect(page.locator("[data-testid=first-step-progress]")).to_have_text("Paso 1 de 6")
    page.locator("#id_display_name").fill("Nuria Gil")
    shoot(page, f"newcomer-02-first-step-{window}")
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page).to_have_url(re.compile(r"/first-steps/region/$"))
    page.get_by_role("button", name="Saltar este paso").click()
    expect(page).to_have_url(re.compile(r"/first-steps/skills/$"))
    page.get_by_role("link", name="Terminar más tarde").click()

    # My community offers to finish it later; the member goes to the meetup and RSVPs at once.
    expect(page.locator("[data-me-first-steps]")).to_be_visible()
    shoot(page, f"newcomer-03-my-community-{window}")
    open_section(page, "Encuentros")
    page.get_by_role("link", name="Modelos abiertos en Zaragoza").first.click()
    assert_on_screen(page, "[data-primary-action]")
    page.locator("[data-primary-action]").click()
    expect(page.locator("[data-status=going]")).to_be_visible()
    shoot(page, f"newcomer-04-going-{window}")


@pytest.mark.parametrize("window", WINDOWS)
def test_an_organiser_fixes_a_past_date_on_the_page_publishes_and_announces(window, page, log_in_as):
    organiser = organiser_factory(username=f"olga-{window}")
    org = log_in_as(organiser, "phone" if window == "phone" else "desktop")
    org.set_viewport_size(WINDOWS[window])
    open_section(org, "Hackatones")
    org.locator("a[href='/hackathons/new/']").click()
    org.locator("#id_title").fill(f"Hackathon del Ebro {window}")
    org.locator("#id_summary").fill("IA para el río.")
    org.locator("#id_tracks").fill("Agua")
    org.locator("#id_timezone").select_option("Europe/Madrid")
    year = timezone.now().year + 1
    yesterday = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    for field, value in {
        "registration_opens_at": yesterday, "registration_closes_at": f"{year}-03-20T09:00",
        "hacking_starts_at": f"{year}-03-21T09:00", "hacking_ends_at": f"{year}-03-23T18:00",
        "judging_ends_at": f"{year}-03-28T18:00", "results_at": f"{year}-03-30T12:00",
    }.items():
        org.locator(f"#id_{field}").fill(value)
    org.locator("form.card button[type=submit]").click()
    expect(org).to_have_url(re.compile(r"/hackathons/new/$"))  # the same page, the date next to its message
    expect(org.locator(".errorlist").first).to_contain_text("Europe/Madrid")
    shoot(org, f"organiser-01-past-date-refused-{window}")
    org.locator("#id_registration_opens_at").fill(f"{year}-03-01T09:00")
    org.locator("form.card button[type=submit]").click()
    expect(org).to_have_url(re.compile(r"/manage/$"))
    org.locator("form[action$='/manage/transitions/publish/'] button").click()
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "published")
    shoot(org, f"organiser-02-published-{window}")

    org.locator("[data-announce]").click()
    org.locator("#id_title").fill("Ya puedes apuntarte")
    org.locator("#id_body").fill("Abrimos inscripciones en marzo.")
    org.get_by_role("button", name="Vista previa").click()
    expect(org.get_by_test_id("announce-count")).to_be_visible()
    shoot(org, f"organiser-03-announcement-preview-{window}")
    org.get_by_role("button", name="Enviar ahora").click()
    expect(org.locator(".messages")).to_be_visible()
    assert NotificationEvent.objects.filter(kind="announcements.message").count() == 1
