"""On a phone: a member finds a meetup and RSVPs; a second member is waitlisted; the first
cancels; the second is offered the place, confirms and is going; the organiser checks them in."""

import pytest
from playwright.sync_api import expect

from apps.meetups.models import Event, Rsvp
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import ARTIFACTS, save_screenshot
from tests.meetups.factories import chapter_factory, event_factory

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_rsvp_waitlist_offer_and_check_in_on_a_phone(live_server, screenshot, page, log_in_as):
    chapter = chapter_factory(name="IA Abierta Madrid")
    organiser = chapter.organisers.get()
    event = event_factory(chapter=chapter, title="Agentes con modelos abiertos", capacity=1,
                          waitlist_mode=Event.WaitlistMode.OFFER)
    ana, bruno = UserFactory(username="ana"), UserFactory(username="bruno")

    # Ana finds the meetup in the list and RSVPs.
    first = log_in_as(ana)
    first.set_viewport_size(PHONE)
    first.goto("/meetups/")
    save_screenshot(first, _artifact("meetups-00-list"))
    first.locator(f"[data-event={event.slug}] h2 a").click()
    first.locator("[data-rsvp] form button[type=submit]").click()
    expect(first.locator("[data-status=going]")).to_be_visible()
    expect(first.locator(".mu-ticket img")).to_be_visible()
    save_screenshot(first, _artifact("meetups-01-going"))

    # Bruno lands on the waitlist.
    second = log_in_as(bruno)
    second.set_viewport_size(PHONE)
    second.goto(f"/meetups/events/{event.slug}/")
    second.locator("[data-rsvp] form button[type=submit]").click()
    expect(second.locator("[data-status=waitlisted]")).to_be_visible()
    save_screenshot(second, _artifact("meetups-02-waitlisted"))

    # Ana cannot go after all: Bruno is offered the place, confirms and is going.
    first.locator("[data-rsvp] form button[type=submit]").click()
    expect(first.locator("[data-status]")).to_have_count(0)
    second.reload()
    expect(second.locator("[data-status=offered]")).to_be_visible()
    save_screenshot(second, _artifact("meetups-03-offered"))
    second.locator("form[action$='accept-offer/'] button").click()
    expect(second.locator("[data-status=going]")).to_be_visible()
    save_screenshot(second, _artifact("meetups-04-confirmed"))

    # The organiser checks Bruno in from the phone-friendly list.
    door = log_in_as(organiser)
    door.set_viewport_size(PHONE)
    door.goto(f"/meetups/events/{event.slug}/dashboard/")
    save_screenshot(door, _artifact("meetups-05-dashboard"))
    door.locator(f"a[href='/meetups/events/{event.slug}/check-in/']").click()
    door.locator("[data-check-in=bruno]").click()
    expect(door.locator("[data-checked-in]")).to_contain_text("1")
    save_screenshot(door, _artifact("meetups-06-check-in"))
    assert Rsvp.objects.get(user=bruno).checked_in_at is not None
    assert Rsvp.objects.get(user=ana).status == Rsvp.Status.NOT_GOING


def _artifact(name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
