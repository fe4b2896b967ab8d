"""Members' data rights reach hackathons: the JSON download has their hackathon data, and
deleting the account frees their places and drops what they wrote about themselves."""

import pytest

from apps.accounts import services as account_services
from apps.hackathons.models import Hackathon, Judge, Registration, TeamInvitation
from apps.hackathons.services import teams
from tests.accounts.factories import PASSWORD
from tests.hackathons.factories import hackathon_factory, judge_factory, participant_factory, running_schedule, team_factory

pytestmark = pytest.mark.django_db
State = Hackathon.State


def test_the_personal_data_download_has_a_hackathons_section(world):
    participant, judge = world["participant"], world["judge"]
    data = account_services.personal_data_export(user=participant)["hackathons"]
    assert [r["hackathon"] for r in data["registrations"]] == [world["hackathon"].slug]
    assert data["registrations"][0]["looking_for"] == "Python, NLP"
    assert data["teams"][0]["hackathon"] == world["hackathon"].slug
    assert data["submissions_saved"][0]["title"] == world["submission"].title
    scores = account_services.personal_data_export(user=judge)["hackathons"]["scores_given"]
    assert scores == [{"hackathon": world["hackathon"].slug, "submission": world["submission"].title,
                       "criterion": "Impacto", "value": 7, "comment": "Sólido"}]
    assert account_services.personal_data_export(user=world["organiser"])["hackathons"]["organised"] == [world["hackathon"].slug]


def test_deleting_the_account_frees_the_place_and_withdraws_invitations(django_capture_on_commit_callbacks):
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), capacity=3)
    team, (captain, leaving) = team_factory(hackathon)
    invited = participant_factory(hackathon)
    waiting = participant_factory(hackathon)
    assert Registration.objects.get(user=waiting).status == Registration.Status.WAITLISTED
    teams.team_invite(actor=captain, team=team, handle=invited.username)
    judge = judge_factory(hackathon, hackathon.organisers.get())
    for user in (leaving, invited):
        user.set_password(PASSWORD)
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        account_services.account_delete(user=leaving, password=PASSWORD)
        account_services.account_delete(user=invited, password=PASSWORD)
    gone = Registration.objects.get(user=leaving)
    assert gone.status == Registration.Status.CANCELLED and gone.looking_for == ""
    assert list(team.memberships.values_list("user", flat=True)) == [captain.pk]
    assert TeamInvitation.objects.get(invitee=invited).status == TeamInvitation.Status.WITHDRAWN
    assert Registration.objects.get(user=waiting).status == Registration.Status.CONFIRMED
    judge.user.set_password(PASSWORD)
    judge.user.save()
    account_services.account_delete(user=judge.user, password=PASSWORD)
    assert not Judge.objects.filter(pk=judge.pk).exists()


def test_a_judge_who_scored_and_a_finished_hackathon_keep_their_records(world):
    judge = world["judge"]
    judge.set_password(PASSWORD)
    judge.save()
    account_services.account_delete(user=judge, password=PASSWORD)
    assert Judge.objects.filter(user=judge).exists()  # their scores count
