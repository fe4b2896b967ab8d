"""Hackathon test data, created through the services like organisers and participants do."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.roles import ORGANISERS
from apps.hackathons.models import Hackathon
from apps.hackathons.services import judging, registrations, submissions, teams
from apps.hackathons.services.lifecycle import hackathon_create, hackathon_transition
from tests.accounts.factories import UserFactory

State = Hackathon.State


def organiser_factory(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=ORGANISERS)[0])
    return user


def future_schedule(days: int = 10) -> dict:
    """A valid schedule starting `days` from now (negative for the past)."""
    base = timezone.now() + timedelta(days=days)
    return {
        "registration_opens_at": base,
        "registration_closes_at": base + timedelta(days=5),
        "hacking_starts_at": base + timedelta(days=6),
        "hacking_ends_at": base + timedelta(days=8),
        "judging_ends_at": base + timedelta(days=10),
        "results_at": base + timedelta(days=11),
    }


def running_schedule() -> dict:
    """Registration open now, hacking under way, submissions due in two days."""
    now = timezone.now()
    return {
        "registration_opens_at": now - timedelta(days=5),
        "registration_closes_at": now + timedelta(days=1),
        "hacking_starts_at": now - timedelta(hours=2),
        "hacking_ends_at": now + timedelta(days=2),
        "judging_ends_at": now + timedelta(days=4),
        "results_at": now + timedelta(days=5),
    }


def past_hacking_schedule() -> dict:
    now = timezone.now()
    return {
        "registration_opens_at": now - timedelta(days=10),
        "registration_closes_at": now - timedelta(days=5),
        "hacking_starts_at": now - timedelta(days=4),
        "hacking_ends_at": now - timedelta(hours=1),
        "judging_ends_at": now + timedelta(days=3),
        "results_at": now + timedelta(days=4),
    }


def hackathon_factory(*, organiser=None, state=State.DRAFT, schedule=None, tracks=("Open track",), **fields):
    """A hackathon created by an organiser; `state` is set directly as a test shortcut
    (the transitions themselves are tested one by one in test_lifecycle)."""
    organiser = organiser or organiser_factory()
    values = {"title": "Hackathon de IA abierta", "summary": "Construye con modelos abiertos."}
    values.update(schedule or future_schedule())
    values.update(fields)
    hackathon = hackathon_create(actor=organiser, tracks=list(tracks), **values)
    if state != State.DRAFT:
        Hackathon.objects.filter(pk=hackathon.pk).update(state=state)
        hackathon.refresh_from_db()
    return hackathon


def participant_factory(hackathon, **kwargs):
    user = UserFactory(**kwargs)
    registrations.registration_create(user=user, hackathon=hackathon, agreed=True, looking_for="Python, NLP")
    return user


def team_factory(hackathon, *, members=2, name=None):
    """A team of `members` confirmed participants; returns (team, [users])."""
    users = [participant_factory(hackathon) for _ in range(members)]
    team = teams.team_create(user=users[0], hackathon=hackathon, name=name or f"Equipo {users[0].username}")
    for user in users[1:]:
        teams.team_join(user=user, team=team)
    return team, users


def submission_factory(team, user, *, track=None, title="Detector de bulos", repos=(("model", "org/bulo-detector"),)):
    return submissions.submission_save(
        user=user, team=team, track=track or team.hackathon.tracks.first(), title=title,
        description="Un **modelo** que detecta bulos.", repositories=list(repos),
    )


def judge_factory(hackathon, organiser):
    user = UserFactory()
    return judging.judge_add(actor=organiser, hackathon=hackathon, handle=user.username)


def start_judging(hackathon, organiser):
    """Hacking ended (dates moved into the past), then the organiser starts judging."""
    Hackathon.objects.filter(pk=hackathon.pk).update(**past_hacking_schedule())
    return hackathon_transition(actor=organiser, hackathon=hackathon, action="start_judging")
