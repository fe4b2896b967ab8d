"""The hackathons app's writes, called directly, for invariants the flow tests leave out:
a refused step leaves nothing half-done, repeated steps keep one row, and accepting one
invitation settles the others."""

import pytest

from apps.core.errors import Conflict, InvalidInput
from apps.hackathons.models import Hackathon, Registration, Score, Team, TeamInvitation, TeamMembership
from apps.hackathons.services import judging, registrations, teams
from tests.hackathons.factories import (
    hackathon_factory,
    participant_factory,
    running_schedule,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State
Status = Registration.Status


def running(**fields):
    return hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), **fields)


def status_of(user, hackathon) -> str:
    return Registration.objects.get(user=user, hackathon=hackathon).status


def test_accepting_an_invitation_withdraws_the_others_of_that_hackathon_only():
    hackathon, elsewhere = running(), running()
    invitee = participant_factory(hackathon)
    registrations.registration_create(user=invitee, hackathon=elsewhere, agreed=True)
    (first, (captain_1, _)), (second, (captain_2, _)) = team_factory(hackathon), team_factory(hackathon)
    other_team, (captain_3, _) = team_factory(elsewhere)
    accepted = teams.team_invite(actor=captain_1, team=first, handle=invitee.username)
    moot = teams.team_invite(actor=captain_2, team=second, handle=invitee.username)
    kept = teams.team_invite(actor=captain_3, team=other_team, handle=invitee.username)
    teams.invitation_accept(user=invitee, invitation_id=accepted.pk)
    statuses = dict(TeamInvitation.objects.values_list("pk", "status"))
    assert statuses == {
        accepted.pk: TeamInvitation.Status.ACCEPTED,
        moot.pk: TeamInvitation.Status.WITHDRAWN,
        kept.pk: TeamInvitation.Status.PENDING,
    }


def test_an_invitation_to_a_team_that_filled_up_stays_pending_and_adds_nobody():
    hackathon = running(max_team_size=2)
    team, (captain,) = team_factory(hackathon, members=1)
    invitee, latecomer = participant_factory(hackathon), participant_factory(hackathon)
    invitation = teams.team_invite(actor=captain, team=team, handle=invitee.username)
    teams.team_join(user=latecomer, team=team)
    with pytest.raises(Conflict, match="full"):
        teams.invitation_accept(user=invitee, invitation_id=invitation.pk)
    assert TeamInvitation.objects.get(pk=invitation.pk).status == TeamInvitation.Status.PENDING
    assert not TeamMembership.objects.filter(user=invitee).exists()


def test_a_team_name_already_taken_creates_no_team_and_leaves_the_captain_free():
    hackathon = running()
    team_factory(hackathon, name="Los Transformers")
    captain = participant_factory(hackathon)
    with pytest.raises(InvalidInput) as refused:
        teams.team_create(user=captain, hackathon=hackathon, name="Los Transformers")
    assert "name" in refused.value.errors
    assert Team.objects.filter(hackathon=hackathon).count() == 1
    assert teams.team_create(user=captain, hackathon=hackathon, name="Las Difusiones").memberships.get().user == captain


def test_a_refused_cancellation_keeps_the_place_the_team_and_the_waitlist_as_they_were():
    hackathon = running(capacity=2, min_team_size=2)
    team, (leaver, mate) = team_factory(hackathon)
    waiting = participant_factory(hackathon)
    submission_factory(team, leaver)
    assert status_of(waiting, hackathon) == Status.WAITLISTED
    with pytest.raises(Conflict, match="at least 2"):
        registrations.registration_cancel(user=leaver, hackathon=hackathon)
    assert status_of(leaver, hackathon) == Status.CONFIRMED
    assert set(team.memberships.values_list("user", flat=True)) == {leaver.pk, mate.pk}
    assert status_of(waiting, hackathon) == Status.WAITLISTED


def test_registering_again_reuses_the_one_registration_and_is_refused_while_active():
    hackathon = running()
    member = participant_factory(hackathon)
    with pytest.raises(Conflict, match="already registered"):
        registrations.registration_create(user=member, hackathon=hackathon, agreed=True)
    registrations.registration_cancel(user=member, hackathon=hackathon)
    again = registrations.registration_create(user=member, hackathon=hackathon, agreed=True, looking_for="Visión")
    assert (again.status, again.looking_for) == (Status.CONFIRMED, "Visión")
    assert Registration.objects.filter(user=member, hackathon=hackathon).count() == 1


def test_a_cancellation_frees_a_place_for_the_first_on_the_waitlist_only():
    hackathon = running(capacity=1)
    leaver = participant_factory(hackathon)
    first, second = participant_factory(hackathon), participant_factory(hackathon)
    registrations.registration_cancel(user=leaver, hackathon=hackathon)
    assert [status_of(u, hackathon) for u in (leaver, first, second)] == [
        Status.CANCELLED, Status.CONFIRMED, Status.WAITLISTED,
    ]
    with pytest.raises(Conflict):
        registrations.registration_cancel(user=leaver, hackathon=hackathon)  # twice is not a second free place
    assert status_of(second, hackathon) == Status.WAITLISTED


def test_a_judge_scoring_again_replaces_the_scorecard_and_a_refused_one_keeps_it(world):
    w = world
    criterion = w["criterion"]
    judging.scorecard_submit(user=w["judge"], submission=w["submission"], scores={criterion.id: (9, "Mejor")})
    with pytest.raises(InvalidInput):
        judging.scorecard_submit(user=w["judge"], submission=w["submission"], scores={criterion.id: (99, "")})
    assert list(Score.objects.filter(criterion=criterion).values_list("value", "comment")) == [(9, "Mejor")]

