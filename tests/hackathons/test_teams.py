import pytest

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon, Team, TeamInvitation, TeamMembership
from apps.hackathons.services import teams
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.hackathons.concurrency import run_at_once
from tests.hackathons.factories import (
    hackathon_factory,
    participant_factory,
    past_hacking_schedule,
    running_schedule,
    submission_factory,
    team_factory,
)

State = Hackathon.State


def open_hackathon(**fields):
    return hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), **fields)


@pytest.mark.django_db
def test_create_invite_accept_and_decline():
    hackathon = open_hackathon(max_team_size=3)
    captain, invitee, other = (participant_factory(hackathon) for _ in range(3))
    team = teams.team_create(user=captain, hackathon=hackathon, name="Los Transformers")
    invitation = teams.team_invite(actor=captain, team=team, handle=f"@{invitee.username.upper()}")
    assert Notification.objects.filter(recipient=invitee, kind="hackathons.team_invitation").exists()
    teams.invitation_accept(user=invitee, invitation_id=invitation.id)
    declined = teams.team_invite(actor=invitee, team=team, handle=other.username)
    teams.invitation_decline(user=other, invitation_id=declined.id)
    assert set(team.memberships.values_list("user", flat=True)) == {captain.id, invitee.id}
    assert TeamInvitation.objects.get(pk=declined.pk).status == TeamInvitation.Status.DECLINED


@pytest.mark.django_db
def test_invitations_refused_for_strangers_non_participants_and_people_in_teams():
    hackathon = open_hackathon()
    team, (captain, _member) = team_factory(hackathon)
    _other_team, (busy, _) = team_factory(hackathon)
    with pytest.raises(InvalidInput):
        teams.team_invite(actor=captain, team=team, handle="nobody-has-this")
    with pytest.raises(InvalidInput):
        teams.team_invite(actor=captain, team=team, handle=UserFactory().username)
    with pytest.raises(InvalidInput):
        teams.team_invite(actor=captain, team=team, handle=busy.username)
    with pytest.raises(NotAllowed):
        teams.team_invite(actor=participant_factory(hackathon), team=team, handle=captain.username)


@pytest.mark.django_db
def test_join_by_code_full_team_and_one_team_per_person():
    hackathon = open_hackathon(max_team_size=2)
    team, (a, b) = team_factory(hackathon)
    late = participant_factory(hackathon)
    with pytest.raises(Conflict, match="full"):
        teams.team_join_by_code(user=late, hackathon=hackathon, invite_code=team.invite_code)
    with pytest.raises(InvalidInput):
        teams.team_join_by_code(user=late, hackathon=hackathon, invite_code="wrong")
    second = teams.team_create(user=late, hackathon=hackathon, name="Otro")
    with pytest.raises(Conflict, match="already"):
        teams.team_join(user=a, team=second)
    with pytest.raises(NotAllowed):
        teams.team_join(user=UserFactory(), team=second)


@pytest.mark.django_db
def test_leave_and_last_member_dissolves_the_team():
    hackathon = open_hackathon()
    team, (a, b) = team_factory(hackathon)
    teams.team_leave(user=b, team=team)
    teams.team_leave(user=a, team=team)
    assert not Team.objects.filter(pk=team.pk).exists()


@pytest.mark.django_db
def test_a_team_that_submitted_cannot_drop_below_the_minimum():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), min_team_size=2)
    team, (a, b) = team_factory(hackathon)
    submission_factory(team, a)
    with pytest.raises(Conflict, match="at least 2"):
        teams.team_leave(user=b, team=team)


@pytest.mark.django_db
def test_teams_lock_when_hacking_ends():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    team, (a, b) = team_factory(hackathon)
    newcomer = participant_factory(hackathon)
    Hackathon.objects.filter(pk=hackathon.pk).update(**past_hacking_schedule())
    for action in (
        lambda: teams.team_join(user=newcomer, team=team),
        lambda: teams.team_leave(user=b, team=team),
        lambda: teams.team_create(user=newcomer, hackathon=Hackathon.objects.get(pk=hackathon.pk), name="Tarde"),
    ):
        with pytest.raises(Conflict, match="locked"):
            action()


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_never_exceed_the_maximum_team_size():
    """Six people join a team with two free places at the same moment, each on its own connection."""
    hackathon = open_hackathon(max_team_size=3)
    team, _members = team_factory(hackathon, members=1)
    joiners = [participant_factory(hackathon) for _ in range(6)]
    outcomes = run_at_once(
        lambda user: teams.team_join_by_code(user=user, hackathon=hackathon, invite_code=team.invite_code), joiners
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict"] * 4 + ["TeamMembership"] * 2
    assert TeamMembership.objects.filter(team=team).count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_person_joining_two_teams_at_once_ends_in_exactly_one():
    hackathon = open_hackathon()
    team_a, _ = team_factory(hackathon, members=1)
    team_b, _ = team_factory(hackathon, members=1)
    person = participant_factory(hackathon)
    outcomes = run_at_once(lambda team: teams.team_join(user=person, team=team), [team_a, team_b])
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "TeamMembership"]
    assert TeamMembership.objects.filter(user=person).count() == 1
