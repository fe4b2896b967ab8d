"""Organisers manage people and structure: removing judges, organisers, tracks and criteria,
withdrawing team invitations, and limits that never drop below what people hold."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.hackathons.models import Hackathon, Judge, JudgeAssignment, Registration, Score, TeamInvitation
from apps.hackathons.services import judging, lifecycle, teams
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.hackathons.concurrency import run_at_once
from tests.hackathons.factories import (
    hackathon_factory,
    judge_factory,
    organiser_factory,
    participant_factory,
    running_schedule,
    submission_factory,
    team_factory,
)

pytestmark = pytest.mark.django_db
State = Hackathon.State


def api(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def base(hackathon):
    return f"/api/hackathons/{hackathon.slug}/"


# --- Judges -----------------------------------------------------------------------


def test_a_judge_without_scores_is_removed_with_their_assignments(world):
    hackathon, organiser = world["hackathon"], world["organiser"]
    newcomer = judge_factory(hackathon, organiser)  # judging has started: assigned at once
    assert JudgeAssignment.objects.filter(judge=newcomer).count() == 1
    judging.judge_remove(actor=organiser, judge=newcomer)
    assert not Judge.objects.filter(pk=newcomer.pk).exists()
    assert not JudgeAssignment.objects.filter(judge_id=newcomer.pk).exists()
    assert Score.objects.count() == 1  # the other judge's score is untouched


def test_a_judge_who_has_scored_is_kept_and_their_scores_count(world):
    judge = Judge.objects.get(user=world["judge"])
    with pytest.raises(Conflict):
        judging.judge_remove(actor=world["organiser"], judge=judge)
    assert Score.objects.filter(assignment__judge=judge).count() == 1


def test_only_organisers_remove_judges_and_not_after_the_hackathon_is_over(world):
    hackathon, organiser = world["hackathon"], world["organiser"]
    newcomer = judge_factory(hackathon, organiser)
    for user in (world["participant"], world["judge"], world["other"]):
        with pytest.raises(NotAllowed):
            judging.judge_remove(actor=user, judge=newcomer)
    lifecycle.hackathon_transition(actor=organiser, hackathon=hackathon, action="publish_results")
    with pytest.raises(Conflict):
        judging.judge_remove(actor=organiser, judge=newcomer)


def test_judge_removal_through_the_api_and_the_dashboard(world):
    hackathon, organiser = world["hackathon"], world["organiser"]
    first, second = judge_factory(hackathon, organiser), judge_factory(hackathon, organiser)
    url = base(hackathon) + "judges/"
    ids = {row["username"]: row["id"] for row in api(organiser).get(url).json()}
    assert ids[first.user.username] == first.id
    assert api(world["participant"]).delete(f"{url}{first.id}/").status_code == 403
    assert api(world["judge"]).delete(f"{url}{first.id}/").status_code == 403
    assert api().delete(f"{url}{first.id}/").status_code == 403
    assert api(organiser).delete(f"{url}{first.id}/").status_code == 204
    assert api(organiser).delete(f"{url}{first.id}/").status_code == 404
    scored = Judge.objects.get(user=world["judge"])
    response = api(organiser).delete(f"{url}{scored.id}/")
    assert response.status_code == 409 and "already given scores" in response.json()["message"]

    client = _client(organiser)
    action = reverse("hackathons:judge-remove", args=[hackathon.slug])
    page = client.get(reverse("hackathons:manage", args=[hackathon.slug])).content.decode()
    assert f'name="judge" value="{second.id}"' in page
    assert client.post(action, {"judge": second.id}).status_code == 302
    assert not Judge.objects.filter(pk=second.pk).exists()
    assert client.post(action, {"judge": scored.id}).status_code == 409
    assert client.post(action, {"judge": "x1"}).status_code == 404
    elsewhere = hackathon_factory()
    other_hackathon_judge = judge_factory(elsewhere, elsewhere.organisers.get())
    assert client.post(action, {"judge": other_hackathon_judge.id}).status_code == 404


def _client(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- Organisers -------------------------------------------------------------------


def test_organisers_are_added_and_removed_but_one_always_stays():
    hackathon = hackathon_factory()
    first = hackathon.organisers.get()
    second = organiser_factory()
    lifecycle.hackathon_organiser_add(actor=first, hackathon=hackathon, handle=second.username)
    with pytest.raises(InvalidInput):
        lifecycle.hackathon_organiser_add(actor=first, hackathon=hackathon, handle="nobody-at-all")
    lifecycle.hackathon_organiser_remove(actor=second, hackathon=hackathon, user=first)
    assert list(hackathon.organisers.all()) == [second]
    with pytest.raises(Conflict):
        lifecycle.hackathon_organiser_remove(actor=second, hackathon=hackathon, user=second)
    with pytest.raises(NotAllowed):
        lifecycle.hackathon_organiser_remove(actor=first, hackathon=hackathon, user=second)
    with pytest.raises(NotFound):
        lifecycle.hackathon_organiser_remove(actor=second, hackathon=hackathon, user=first)


@pytest.mark.django_db(transaction=True)
def test_two_organisers_removing_each_other_at_once_leave_one():
    hackathon = hackathon_factory()
    first, second = hackathon.organisers.get(), organiser_factory()
    hackathon.organisers.add(second)

    def remove(pair):
        actor, user = pair
        copy = Hackathon.objects.get(pk=hackathon.pk)
        return lifecycle.hackathon_organiser_remove(actor=actor, hackathon=copy, user=user)

    outcomes = run_at_once(remove, [(first, second), (second, first)])
    assert sum(isinstance(o, (Conflict, NotAllowed)) for o in outcomes) == 1
    assert hackathon.organisers.count() == 1


def test_organisers_through_the_api():
    hackathon = hackathon_factory(state=State.PUBLISHED)
    first, second, member = hackathon.organisers.get(), organiser_factory(), UserFactory()
    url = base(hackathon) + "organisers/"
    assert api(member).get(url).status_code == 403
    assert api(member).post(url, {"handle": second.username}).status_code == 403
    assert api(first).post(url, {"handle": ""}).status_code == 400
    response = api(first).post(url, {"handle": "nobody-at-all"})
    assert response.status_code == 400 and "handle" in response.json()["errors"]
    assert api(first).post(url, {"handle": second.username}).status_code == 201
    assert {p["id"] for p in api(first).get(url).json()} == {first.id, second.id}
    assert api(member).delete(f"{url}{first.id}/").status_code == 403
    assert api(first).delete(f"{url}{member.id}/").status_code == 404
    assert api(second).delete(f"{url}{first.id}/").status_code == 204
    response = api(second).delete(f"{url}{second.id}/")
    assert response.status_code == 409 and "at least one organiser" in response.json()["message"]


def test_an_organiser_leaves_through_the_dashboard():
    hackathon = hackathon_factory()
    first, second = hackathon.organisers.get(), organiser_factory()
    hackathon.organisers.add(second)
    client = _client(first)
    action = reverse("hackathons:organiser-remove", args=[hackathon.slug])
    response = client.post(action, {"user": first.id})
    assert response.status_code == 302 and response["Location"] == reverse("hackathons:detail", args=[hackathon.slug])
    assert list(hackathon.organisers.all()) == [second]
    assert client.get(reverse("hackathons:manage", args=[hackathon.slug])).status_code == 404  # a draft, no longer theirs
    client = _client(second)
    page = client.get(reverse("hackathons:manage", args=[hackathon.slug])).content.decode()
    assert f'action="{action}"' not in page  # the last one has no button
    assert client.post(action, {"user": second.id}).status_code == 409
    assert client.post(action, {"user": "²"}).status_code == 404


# --- Team invitations ---------------------------------------------------------------


def _invitation():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule())
    team, (captain, mate) = team_factory(hackathon)
    invitee = participant_factory(hackathon)
    invitation = teams.team_invite(actor=mate, team=team, handle=invitee.username)
    return hackathon, team, captain, invitee, invitation


def test_a_team_member_withdraws_a_pending_invitation_without_telling_the_invitee():
    hackathon, team, captain, invitee, invitation = _invitation()
    notified = Notification.objects.filter(recipient=invitee).count()
    teams.invitation_withdraw(actor=captain, team=team, invitation_id=invitation.id)
    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.WITHDRAWN and invitation.responded_at
    assert Notification.objects.filter(recipient=invitee).count() == notified
    with pytest.raises(NotFound):
        teams.invitation_accept(user=invitee, invitation_id=invitation.id)
    with pytest.raises(NotFound):
        teams.invitation_withdraw(actor=captain, team=team, invitation_id=invitation.id)
    # Withdrawn, the person can be invited again.
    again = teams.team_invite(actor=captain, team=team, handle=invitee.username)
    assert again.status == TeamInvitation.Status.PENDING


def test_only_members_of_the_inviting_team_withdraw():
    hackathon, team, captain, invitee, invitation = _invitation()
    other_team, (stranger, _mate) = team_factory(hackathon)
    for user in (invitee, stranger, hackathon.organisers.get()):
        with pytest.raises(NotAllowed):
            teams.invitation_withdraw(actor=user, team=team, invitation_id=invitation.id)
    with pytest.raises(NotFound):  # another team's invitation, through one's own team
        teams.invitation_withdraw(actor=stranger, team=other_team, invitation_id=invitation.id)


def test_withdraw_through_the_api_and_the_team_page():
    hackathon, team, captain, invitee, invitation = _invitation()
    url = f"{base(hackathon)}teams/{team.id}/invitations/{invitation.id}/"
    assert api().delete(url).status_code == 403
    assert api(invitee).delete(url).status_code == 403
    assert api(captain).delete(url).status_code == 204
    assert api(captain).delete(url).status_code == 404

    again = teams.team_invite(actor=captain, team=team, handle=invitee.username)
    client = _client(captain)
    page = client.get(reverse("hackathons:team", args=[hackathon.slug])).content.decode()
    action = reverse("hackathons:invitation-withdraw", args=[hackathon.slug])
    assert f'action="{action}"' in page and f'name="invitation" value="{again.id}"' in page
    assert client.post(action, {"invitation": again.id}).status_code == 302
    again.refresh_from_db()
    assert again.status == TeamInvitation.Status.WITHDRAWN
    assert client.post(action, {"invitation": "abc"}).status_code == 404
    accept = reverse("hackathons:invitation-accept", args=[hackathon.slug])
    assert _client(invitee).post(accept, {"invitation": "abc"}).status_code == 404


# --- Tracks and rubric criteria -------------------------------------------------------


def test_tracks_and_criteria_are_deleted_through_the_api_before_hacking_and_judging():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), tracks=("A", "B"))
    organiser = hackathon.organisers.get()
    a, b = hackathon.tracks.all()
    criterion = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto")
    participant = participant_factory(hackathon)
    for user in (None, participant):
        assert api(user).delete(f"{base(hackathon)}tracks/{a.id}/").status_code == 403
        assert api(user).delete(f"{base(hackathon)}criteria/{criterion.id}/").status_code == 403
    assert api(organiser).delete(f"{base(hackathon)}tracks/{a.id}/").status_code == 204
    response = api(organiser).delete(f"{base(hackathon)}tracks/{b.id}/")
    assert response.status_code == 409 and "at least one track" in response.json()["message"]
    assert api(organiser).delete(f"{base(hackathon)}tracks/{a.id}/").status_code == 404
    assert api(organiser).delete(f"{base(hackathon)}criteria/{criterion.id}/").status_code == 204
    assert not hackathon.criteria.exists()


def test_tracks_with_submissions_and_criteria_once_judging_started_stay(world):
    hackathon, organiser = world["hackathon"], world["organiser"]
    response = api(organiser).delete(f"{base(hackathon)}tracks/{world['track'].id}/")
    assert response.status_code == 409
    response = api(organiser).delete(f"{base(hackathon)}criteria/{world['criterion'].id}/")
    assert response.status_code == 409 and "judging has started" in response.json()["message"]
    client = _client(organiser)
    remove_criterion = reverse("hackathons:criterion-remove", args=[hackathon.slug])
    remove_track = reverse("hackathons:track-remove", args=[hackathon.slug])
    assert client.post(remove_criterion, {"criterion": world["criterion"].id}).status_code == 409
    assert client.post(remove_track, {"track": world["track"].id}).status_code == 409
    page = client.get(reverse("hackathons:manage", args=[hackathon.slug])).content.decode()
    assert f'action="{remove_criterion}"' not in page and f'action="{remove_track}"' not in page


def test_a_track_in_use_is_never_removed_even_in_a_draft():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), tracks=("A", "B"))
    team, (captain, _mate) = team_factory(hackathon)
    submission_factory(team, captain, track=hackathon.tracks.get(name="A"))
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.DRAFT)
    with pytest.raises(Conflict):
        lifecycle.track_remove(actor=hackathon.organisers.get(), track=hackathon.tracks.get(name="A"))


def test_the_dashboard_removes_tracks_and_criteria():
    hackathon = hackathon_factory(tracks=("A", "B"))
    organiser = hackathon.organisers.get()
    criterion = judging.criterion_add(actor=organiser, hackathon=hackathon, name="Impacto")
    client = _client(organiser)
    for track in list(hackathon.tracks.all()):  # a draft may end up without tracks
        assert client.post(reverse("hackathons:track-remove", args=[hackathon.slug]), {"track": track.id}).status_code == 302
    remove_criterion = reverse("hackathons:criterion-remove", args=[hackathon.slug])
    assert client.post(remove_criterion, {"criterion": criterion.id}).status_code == 302
    assert not hackathon.tracks.exists() and not hackathon.criteria.exists()


# --- Limits against people ----------------------------------------------------------------


def test_capacity_cannot_drop_below_the_confirmed_registrations_and_raising_it_promotes():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), capacity=2)
    organiser = hackathon.organisers.get()
    participant_factory(hackathon), participant_factory(hackathon)
    waiting = participant_factory(hackathon)
    assert Registration.objects.get(user=waiting).status == Registration.Status.WAITLISTED
    with pytest.raises(InvalidInput) as exc:
        lifecycle.hackathon_update(actor=organiser, hackathon=hackathon, capacity=1)
    assert "2 people already have a confirmed place" in exc.value.errors["capacity"][0]
    lifecycle.hackathon_update(actor=organiser, hackathon=hackathon, capacity=2)  # unchanged is fine
    lifecycle.hackathon_update(actor=organiser, hackathon=hackathon, capacity=3)
    assert Registration.objects.get(user=waiting).status == Registration.Status.CONFIRMED
    assert Notification.objects.filter(recipient=waiting, kind="hackathons.waitlist_promoted").count() == 1


def test_removing_the_limit_promotes_the_whole_waitlist():
    hackathon = hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), capacity=1)
    people = [participant_factory(hackathon) for _ in range(3)]
    lifecycle.hackathon_update(actor=hackathon.organisers.get(), hackathon=hackathon, capacity=None)
    assert set(Registration.objects.filter(user__in=people).values_list("status", flat=True)) == {"confirmed"}


def test_capacity_and_team_size_errors_through_the_api_and_the_edit_page():
    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), capacity=5, max_team_size=4)
    organiser = hackathon.organisers.get()
    team_factory(hackathon, members=3)
    response = api(organiser).patch(base(hackathon), {"capacity": 2}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()["errors"]
    response = api(organiser).patch(base(hackathon), {"max_team_size": 2}, format="json")
    assert response.status_code == 400 and "max_team_size" in response.json()["errors"]
    assert api(organiser).patch(base(hackathon), {"max_team_size": 3}, format="json").status_code == 200

    client = _client(organiser)
    url = reverse("hackathons:edit", args=[hackathon.slug])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    for name in lifecycle.SCHEDULE_FIELDS:
        data[name] = data[name].strftime("%Y-%m-%dT%H:%M")
    data["capacity"] = 1
    response = client.post(url, data)
    assert response.status_code == 200 and "capacity" in response.context["form"].errors


def test_judges_of_a_draft_are_told_when_it_is_published_not_before():
    hackathon = hackathon_factory()
    organiser = hackathon.organisers.get()
    judge = judge_factory(hackathon, organiser)
    assert not Notification.objects.filter(recipient=judge.user).exists()  # the link would be a 404
    lifecycle.hackathon_transition(actor=organiser, hackathon=hackathon, action="publish")
    assert Notification.objects.filter(recipient=judge.user, kind="hackathons.phase_changed").count() == 1


# --- Removing a participant ---------------------------------------------------------


def test_organisers_remove_a_participant_with_a_reason_and_the_waitlist_moves_up():
    from apps.hackathons.services import registrations

    hackathon = hackathon_factory(state=State.IN_PROGRESS, schedule=running_schedule(), capacity=2)
    organiser = hackathon.organisers.get()
    team, (captain, removed) = team_factory(hackathon)
    waiting = participant_factory(hackathon)
    registration = Registration.objects.get(user=removed)
    with pytest.raises(InvalidInput):
        registrations.registration_remove(actor=organiser, registration=registration, reason=" ")
    with pytest.raises(NotAllowed):
        registrations.registration_remove(actor=captain, registration=registration, reason="No")
    registrations.registration_remove(actor=organiser, registration=registration, reason="Conducta")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED and registration.decision_reason == "Conducta"
    assert list(team.memberships.values_list("user", flat=True)) == [captain.pk]
    assert Registration.objects.get(user=waiting).status == Registration.Status.CONFIRMED
    notice = Notification.objects.get(recipient=removed, kind="hackathons.registration_decided")
    assert notice.body == "Conducta"
    with pytest.raises(Conflict):
        registrations.registration_remove(actor=organiser, registration=registration, reason="Otra vez")


def test_participant_removal_through_the_api_and_the_dashboard(world):
    hackathon, organiser = world["hackathon"], world["organiser"]
    Hackathon.objects.filter(pk=hackathon.pk).update(state=State.IN_PROGRESS, **running_schedule())
    mate = Registration.objects.exclude(user=world["participant"]).get(hackathon=hackathon)
    url = f"{base(hackathon)}registrations/{mate.id}/removal/"
    assert api(world["participant"]).post(url, {"reason": "x"}).status_code == 403
    assert api(world["judge"]).post(url, {"reason": "x"}).status_code == 403
    assert api(organiser).post(url, {}).status_code == 400
    assert api(organiser).post(url, {"reason": "No vino"}).json()["status"] == "rejected"
    own = Registration.objects.get(user=world["participant"], hackathon=hackathon)
    client = _client(organiser)
    action = reverse("hackathons:registration-remove", args=[hackathon.slug])
    assert f'action="{action}"' in client.get(reverse("hackathons:manage", args=[hackathon.slug])).content.decode()
    assert client.post(action, {"registration": own.id, "reason": ""}).status_code == 400
    assert client.post(action, {"registration": own.id, "reason": "Fuera"}).status_code == 302
    own.refresh_from_db()
    assert own.status == Registration.Status.REJECTED
    assert world["submission"].team.submissions.exists()  # the team's work stays
