"""The new-event form refuses impossible dates next to the field where they were typed,
read in the event's own time zone, before anything reaches the service."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.meetups.models import Event

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Encuentro", "timezone": "America/Mexico_City", "starts_at": "2031-05-01T18:00",
    "ends_at": "2031-05-01T20:00", "venue": "Sala", "address_visibility": "everyone", "languages": "es",
    "join_policy": "open", "max_guests": 0, "waitlist_mode": "promote", "offer_hours": 24,
}


def post(organiser, **changes):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(organiser)
    return client.post("/meetups/new/", {**FORM, **changes})


def errors_of(response) -> dict:
    assert response.status_code == 200
    return response.context["form"].errors


def test_a_start_in_the_past_is_refused_next_to_it_with_the_time_now_in_the_events_zone(world):
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    errors = errors_of(post(world["organiser"], starts_at=yesterday, ends_at="2031-05-01T20:00"))
    assert list(errors) == ["starts_at"]
    assert "America/Mexico_City" in errors["starts_at"][0]
    assert not Event.objects.filter(title="Encuentro").exists()


def test_an_end_before_the_start_and_a_deadline_after_the_start_are_refused_together(world):
    errors = errors_of(post(world["organiser"], ends_at="2031-05-01T17:00", rsvp_deadline="2031-05-01T19:00"))
    assert errors["ends_at"] == ["The event must end after it starts."]
    assert errors["rsvp_deadline"] == ["The RSVP deadline must be before the event starts."]


def test_the_times_are_read_in_the_events_zone(world):
    # Both times are typed in Mexico City's wall clock and stored in UTC six hours later.
    errors = errors_of(post(world["organiser"], rsvp_deadline="2031-05-01T19:00"))
    assert list(errors) == ["rsvp_deadline"]
    response = post(world["organiser"], rsvp_deadline="2031-05-01T17:00")
    assert response.status_code == 302
    assert Event.objects.get(title="Encuentro").rsvp_deadline.hour == 23  # 17:00 in Mexico City, in UTC


def test_a_published_event_keeps_its_past_start_when_edited(world):
    event = world["event"]
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                             ends_at=timezone.now() + timedelta(hours=1), rsvp_deadline=None)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["organiser"])
    form = client.get(f"/meetups/events/{event.slug}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"title": "Cambiado", "address_visibility": event.address_visibility, "timezone": event.timezone})
    data = {k: (v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()}
    assert event.state == Event.State.PUBLISHED
    response = client.post(f"/meetups/events/{event.slug}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.title == "Cambiado"
