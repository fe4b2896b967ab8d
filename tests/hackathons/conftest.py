import pytest
from django.test import Client
from django.utils import translation

from apps.hackathons.models import Hackathon
from apps.hackathons.services import judging
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    hackathon_factory,
    judge_factory,
    running_schedule,
    start_judging,
    submission_factory,
    team_factory,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, the source language (the browser test runs in Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world():
    """A hackathon being judged: a team of two with a scored submission, a judge, its
    organiser and a member with no part in it (plus `anonymous`), for role matrices."""
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    criterion = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto", weight=1, max_score=10)
    team, (participant, _mate) = team_factory(hackathon)
    submission = submission_factory(team, participant)
    judge = judge_factory(hackathon, organiser)
    start_judging(hackathon, organiser)
    judging.scorecard_submit(user=judge.user, submission=submission, scores={criterion.id: (7, "Sólido")})
    hackathon.refresh_from_db()
    return {
        "hackathon": hackathon, "organiser": organiser, "participant": participant, "judge": judge.user,
        "other": UserFactory(), "anonymous": None, "submission": submission, "criterion": criterion,
        "track": hackathon.tracks.get(),
    }
