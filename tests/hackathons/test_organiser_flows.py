"""Organisers meet refusals where they are: next to the date they typed, on the dashboard they used."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.hackathons.models import Hackathon
from tests.hackathons.factories import future_schedule, hackathon_factory, organiser_factory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Hackathon del Ebro", "summary": "IA para el río", "languages": "es", "format": "online",
    "timezone": "America/Mexico_City", "join_policy": "open", "min_team_size": 1, "max_team_size": 4,
    "tracks": "Agua",
    "registration_closes_at": "2031-05-20T09:00", "hacking_starts_at": "2031-05-21T09:00",
    "hacking_ends_at": "2031-05-23T18:00", "judging_ends_at": "2031-05-25T18:00", "results_at": "2031-05-26T12:00",
}


def test_a_past_registration_opening_is_refused_next_to_the_field_in_the_events_time_zone(client):
    client.force_login(organiser_factory())
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("hackathons:create"), {**FORM, "registration_opens_at": yesterday})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["registration_opens_at"]
    assert "America/Mexico_City" in errors["registration_opens_at"][0]
    assert not Hackathon.objects.exists()
    fixed = client.post(reverse("hackathons:create"), {**FORM, "registration_opens_at": "2031-05-01T09:00"})
    assert fixed.status_code == 302 and Hackathon.objects.count() == 1


def test_a_refused_publish_is_shown_once_on_the_dashboard(client):
    hackathon = hackathon_factory(schedule=future_schedule(days=-1))  # a draft whose opening has passed
    client.force_login(hackathon.organisers.get())
    response = client.post(reverse("hackathons:transition", args=[hackathon.slug, "publish"]), follow=True)
    assert response.redirect_chain[-1] == (reverse("hackathons:manage", args=[hackathon.slug]), 302)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Every date of the schedule must be in order and in the future.") == 1
    hackathon.refresh_from_db()
    assert hackathon.state == Hackathon.State.DRAFT
