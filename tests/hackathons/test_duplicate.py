"""'Duplicate' on a hackathon's dashboard: a new draft with the texts, tracks, prizes and rubric,
its dates whole weeks later, and none of the people or their work."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.hackathons.models import Hackathon, Registration, Submission, Team
from apps.hackathons.services import judging
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    hackathon_factory, participant_factory, running_schedule, submission_factory, team_factory,
)

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def running():
    hackathon = hackathon_factory(
        state=Hackathon.State.IN_PROGRESS, schedule=running_schedule(), tracks=("Salud", "Clima"),
        prizes="1.000 € al mejor equipo", rules="Código abierto", capacity=50,
    )
    organiser = hackathon.organisers.get()
    judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto", weight=3, max_score=5)
    team, members = team_factory(hackathon)
    submission_factory(team, members[0])
    participant_factory(hackathon)
    return hackathon


def test_the_copy_is_a_draft_with_texts_tracks_and_rubric_but_no_people(running):
    organiser = running.organisers.get()
    response = client_for(organiser).post(f"/hackathons/{running.slug}/duplicate/")
    copy = Hackathon.objects.exclude(pk=running.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/hackathons/{copy.slug}/edit/"
    assert copy.state == Hackathon.State.DRAFT and copy.title == f"{running.title} (copy)"
    assert (copy.summary, copy.prizes, copy.rules, copy.capacity) == (running.summary, running.prizes, running.rules, 50)
    assert list(copy.tracks.values_list("name", flat=True)) == ["Salud", "Clima"]
    assert list(copy.criteria.values_list("name", "weight", "max_score")) == [("Impacto", 3, 5)]
    assert list(copy.organisers.all()) == [organiser]
    assert not Registration.objects.filter(hackathon=copy).exists()
    assert not Team.objects.filter(hackathon=copy).exists()
    assert not Submission.objects.filter(hackathon=copy).exists()
    assert Registration.objects.filter(hackathon=running).count() >= 3  # the original keeps its people


def test_every_date_moves_by_the_same_whole_weeks_past_today(running):
    client_for(running.organisers.get()).post(f"/hackathons/{running.slug}/duplicate/")
    copy = Hackathon.objects.exclude(pk=running.pk).get()
    shift = copy.registration_opens_at - running.registration_opens_at
    assert shift.days % 7 == 0 and shift.seconds == 0 and shift >= timedelta(weeks=1)
    assert copy.registration_opens_at > timezone.now()
    assert copy.results_at - running.results_at == shift
    assert copy.hacking_starts_at - running.hacking_starts_at == shift


def test_only_its_organisers_may_duplicate_and_only_by_post(running):
    assert client_for(UserFactory()).post(f"/hackathons/{running.slug}/duplicate/").status_code == 403
    assert client_for(running.organisers.get()).get(f"/hackathons/{running.slug}/duplicate/").status_code == 405
    assert Hackathon.objects.count() == 1


def test_the_dashboard_offers_it(running):
    page = client_for(running.organisers.get()).get(f"/hackathons/{running.slug}/manage/").content.decode()
    assert f'action="/hackathons/{running.slug}/duplicate/"' in page
