"""Every lifecycle transition, allowed and refused, and the timed ones of the beat task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon, HackathonTransition
from apps.hackathons.services import judging
from apps.hackathons.services.lifecycle import (
    TRANSITIONS,
    hackathon_create,
    hackathon_transition,
    hackathons_advance,
)
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import (
    future_schedule,
    hackathon_factory,
    judge_factory,
    organiser_factory,
    participant_factory,
    past_hacking_schedule,
    running_schedule,
    start_judging,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State


def test_only_platform_organisers_create_and_dates_must_be_ordered():
    with pytest.raises(NotAllowed):
        hackathon_create(actor=UserFactory(), title="x", summary="y", **future_schedule())
    schedule = future_schedule()
    schedule["hacking_ends_at"] = schedule["hacking_starts_at"] - timedelta(hours=1)
    with pytest.raises(InvalidInput) as exc:
        hackathon_create(actor=organiser_factory(), title="x", summary="y", **schedule)
    assert "hacking_ends_at" in exc.value.errors


def test_create_starts_in_draft_with_creator_as_organiser_and_unique_slug():
    organiser = organiser_factory()
    first = hackathon_factory(organiser=organiser)
    second = hackathon_factory(organiser=organiser)
    assert first.state == State.DRAFT
    assert list(first.organisers.all()) == [organiser]
    assert first.slug != second.slug


def test_publish_records_who_when_from_and_to():
    hackathon = hackathon_factory()
    organiser = hackathon.organisers.get()
    hackathon_transition(actor=organiser, hackathon=hackathon, action="publish")
    log = HackathonTransition.objects.get(hackathon=hackathon)
    assert (log.from_state, log.to_state, log.actor) == (State.DRAFT, State.PUBLISHED, organiser)
    assert log.created_at is not None


def test_publish_refused_with_past_dates_or_without_tracks():
    past = hackathon_factory(schedule=running_schedule())
    with pytest.raises(Conflict, match="future"):
        hackathon_transition(actor=past.organisers.get(), hackathon=past, action="publish")
    trackless = hackathon_factory(tracks=())
    with pytest.raises(Conflict, match="track"):
        hackathon_transition(actor=trackless.organisers.get(), hackathon=trackless, action="publish")
    assert not HackathonTransition.objects.exists()


def test_only_its_organisers_move_a_hackathon():
    hackathon = hackathon_factory()
    for outsider in (UserFactory(), organiser_factory()):
        with pytest.raises(NotAllowed):
            hackathon_transition(actor=outsider, hackathon=hackathon, action="publish")
    staff = UserFactory(is_staff=True)
    assert hackathon_transition(actor=staff, hackathon=hackathon, action="publish").state == State.PUBLISHED


def test_open_registration_allowed_before_deadline_and_refused_after():
    hackathon = hackathon_factory(state=State.PUBLISHED)
    organiser = hackathon.organisers.get()
    hackathon_transition(actor=organiser, hackathon=hackathon, action="open_registration")
    hackathon.refresh_from_db()
    assert hackathon.state == State.REGISTRATION_OPEN

    late = hackathon_factory(state=State.PUBLISHED, schedule=past_hacking_schedule())
    with pytest.raises(Conflict, match="deadline"):
        hackathon_transition(actor=late.organisers.get(), hackathon=late, action="open_registration")


def test_start_hacking_needs_a_confirmed_participant():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    with pytest.raises(Conflict, match="confirmed"):
        hackathon_transition(actor=organiser, hackathon=hackathon, action="start_hacking")
    participant_factory(hackathon)
    assert hackathon_transition(actor=organiser, hackathon=hackathon, action="start_hacking").state == State.IN_PROGRESS


def judging_one_submission():
    """A hackathon in judging: a team of two, its submission and one judge."""
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    team, members = team_factory(hackathon)
    submission = submission_factory(team, members[0])
    judge = judge_factory(hackathon, organiser)
    start_judging(hackathon, organiser)
    return hackathon, organiser, members, submission, judge


def test_start_judging_refused_before_hacking_ends_and_assigns_judges_after():
    running = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    with pytest.raises(Conflict, match="Hacking ends"):
        hackathon_transition(actor=running.organisers.get(), hackathon=running, action="start_judging")

    hackathon, organiser, members, submission, judge = judging_one_submission()
    assert list(judge.assignments.values_list("submission_id", flat=True)) == [submission.id]
    assert Notification.objects.filter(recipient=judge.user, kind="hackathons.judge_assigned").count() == 2


def test_publish_results_needs_a_rubric_and_a_complete_scorecard():
    hackathon, organiser, members, submission, judge = judging_one_submission()
    with pytest.raises(Conflict, match="rubric"):
        hackathon_transition(actor=organiser, hackathon=hackathon, action="publish_results")
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS)
    criterion = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto", weight=2, max_score=5)
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.JUDGING)
    with pytest.raises(Conflict, match="scored"):
        hackathon_transition(actor=organiser, hackathon=hackathon, action="publish_results")
    judging.scorecard_submit(user=judge.user, submission=submission, scores={criterion.id: (4, "Muy útil")})
    hackathon = hackathon_transition(actor=organiser, hackathon=hackathon, action="publish_results")
    assert hackathon.state == State.FINISHED and hackathon.results_published
    assert Notification.objects.filter(recipient=members[1], kind="hackathons.results_published").exists()


def test_cancel_needs_a_reason_and_is_refused_once_finished():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    organiser = hackathon.organisers.get()
    participant = participant_factory(hackathon)
    with pytest.raises(InvalidInput):
        hackathon_transition(actor=organiser, hackathon=hackathon, action="cancel", reason=" ")
    hackathon_transition(actor=organiser, hackathon=hackathon, action="cancel", reason="Sin sede")
    notification = Notification.objects.get(recipient=participant, kind="hackathons.phase_changed")
    assert notification.body == "Sin sede"
    finished = hackathon_factory(state=State.FINISHED)
    with pytest.raises(Conflict):
        hackathon_transition(actor=finished.organisers.get(), hackathon=finished, action="cancel", reason="x")


@pytest.mark.parametrize(
    "state,action",
    [
        (state, action)
        for action, transition in TRANSITIONS.items()
        for state in State.values
        if state not in transition.sources
    ],
)
def test_every_transition_is_refused_from_states_it_does_not_leave(state, action):
    hackathon = hackathon_factory(state=state)
    with pytest.raises(Conflict):
        hackathon_transition(actor=hackathon.organisers.get(), hackathon=hackathon, action=action, reason="r")
    hackathon.refresh_from_db()
    assert hackathon.state == state
    assert not HackathonTransition.objects.exists()


def test_timed_transitions_move_due_hackathons_once_and_log_the_scheduler():
    now = timezone.now()
    opening = hackathon_factory(state=State.PUBLISHED, schedule=running_schedule())
    starting = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    participant_factory(starting)
    empty = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule())
    closing = hackathon_factory(state=State.IN_PROGRESS, schedule=past_hacking_schedule())
    not_yet = hackathon_factory(state=State.PUBLISHED, schedule=future_schedule())

    moved = hackathons_advance(now=now)
    assert sorted(moved) == sorted(
        [(opening.pk, "open_registration"), (starting.pk, "start_hacking"), (closing.pk, "start_judging")]
    )
    states = dict(Hackathon.objects.values_list("pk", "state"))
    assert states[opening.pk] == State.REGISTRATION_OPEN
    assert states[starting.pk] == State.IN_PROGRESS
    assert states[closing.pk] == State.JUDGING
    assert states[empty.pk] == State.REGISTRATION_OPEN  # nobody registered: stays, organisers decide
    assert states[not_yet.pk] == State.PUBLISHED
    assert HackathonTransition.objects.filter(actor__isnull=True).count() == 3
    # Opening registration made it due for hacking start (it began two hours ago), but nobody
    # is registered; a second run changes nothing else.
    assert hackathons_advance(now=now) == []
