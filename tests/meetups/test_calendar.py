"""Calendars parsed back with icalendar: time zones, cancellations, the secret personal feed."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from apps.meetups import services
from apps.meetups.models import Event
from tests.accounts.factories import UserFactory
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db
CANARIAS = zoneinfo.ZoneInfo("Atlantic/Canary")


def events_in(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return [c for c in Calendar.from_ical(response.content).walk("VEVENT")]


def test_event_ics_keeps_the_events_own_time_zone(client):
    starts = datetime(2031, 3, 14, 18, 30, tzinfo=CANARIAS)
    event = event_factory(
        title="IA en Canarias", timezone="Atlantic/Canary", starts_at=starts,
        ends_at=datetime(2031, 3, 14, 20, 0, tzinfo=CANARIAS),
    )
    [vevent] = events_in(client.get(f"/meetups/events/{event.slug}/calendar.ics"))
    start = vevent.decoded("dtstart")
    assert start == starts and str(start.tzinfo) == "Atlantic/Canary"
    assert (start.hour, start.minute) == (18, 30)
    assert vevent.decoded("dtend") == datetime(2031, 3, 14, 20, 0, tzinfo=CANARIAS)
    assert str(vevent["summary"]) == "IA en Canarias"
    assert "STATUS" not in vevent
    cal = Calendar.from_ical(client.get(f"/meetups/events/{event.slug}/calendar.ics").content)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Atlantic/Canary"]


def test_cancelled_event_is_marked(client):
    event = event_factory()
    services.event_transition(actor=event.organisers.get(), event=event, action="cancel", reason="Lluvia")
    [vevent] = events_in(client.get(f"/meetups/events/{event.slug}/calendar.ics"))
    assert str(vevent["status"]) == "CANCELLED"


def test_hidden_address_only_in_the_attendees_calendar(client):
    event = event_factory(address_visibility=Event.AddressVisibility.ATTENDEES, address="Calle Secreta 1")
    [vevent] = events_in(client.get(f"/meetups/events/{event.slug}/calendar.ics"))
    assert "Secreta" not in str(vevent["location"])
    attendee = UserFactory()
    services.rsvp_going(user=attendee, event=event)
    client.force_login(attendee)
    [vevent] = events_in(client.get(f"/meetups/events/{event.slug}/calendar.ics"))
    assert "Calle Secreta 1" in str(vevent["location"])


def test_chapter_feed_lists_its_published_events_not_drafts(client):
    chapter = chapter_factory()
    shown = event_factory(chapter=chapter, title="Publicado")
    event_factory(chapter=chapter, title="Borrador", publish=False)
    vevents = events_in(client.get(f"/meetups/chapters/{chapter.slug}/calendar.ics"))
    assert [str(v["summary"]) for v in vevents] == [shown.title]


def test_personal_feed_lists_events_going_and_reset_kills_the_old_url(client):
    member = UserFactory()
    going = event_factory(title="Voy")
    event_factory(title="No voy")
    services.rsvp_going(user=member, event=going)
    client.force_login(member)
    url = client.get("/api/meetups/calendar/").json()["url"]
    path = url.split("testserver")[-1]
    client.logout()  # the feed works without a session, as calendar apps fetch it
    assert [str(v["summary"]) for v in events_in(client.get(path))] == ["Voy"]
    client.force_login(member)
    new_url = client.post("/api/meetups/calendar/").json()["url"]
    assert new_url != url
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get(new_url.split("testserver")[-1]).status_code == 200


def test_hackathon_calendar_still_served_by_the_shared_code(client):
    from tests.hackathons.factories import hackathon_factory

    hackathon = hackathon_factory(state="registration_open")
    vevents = events_in(client.get(f"/hackathons/{hackathon.slug}/calendar.ics"))
    assert len(vevents) == 4
    assert str(vevents[0].decoded("dtstart").tzinfo) == hackathon.timezone


def test_the_event_page_offers_google_and_outlook_beside_the_ics(client):
    from urllib.parse import parse_qs, urlsplit

    event = event_factory(title="Agentes abiertos")
    page = client.get(f"/meetups/events/{event.slug}/")
    links = page.context["calendar_links"]
    google = parse_qs(urlsplit(links["google"]).query)
    start, end = (moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for moment in (event.starts_at, event.ends_at))
    assert google["text"] == ["Agentes abiertos"] and google["dates"] == [f"{start}/{end}"]
    assert google["ctz"] == [event.timezone] and f"/meetups/events/{event.slug}/" in google["details"][0]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert outlook["subject"] == ["Agentes abiertos"] and outlook["rru"] == ["addevent"]
    body = page.content.decode()
    assert "calendar.google.com" in body and "outlook.live.com" in body and f"/meetups/events/{event.slug}/calendar.ics" in body
