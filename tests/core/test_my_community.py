"""My community (/me/): one page with what the member has going on, in constant queries."""

import pytest

from apps.hackathons.models import Hackathon
from apps.hackathons.services import registrations, teams
from apps.hub.models import HubOwner
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, assigned, make_call, make_request
from tests.hackathons.factories import hackathon_factory, running_schedule, team_factory
from tests.hub import factories as hub

pytestmark = pytest.mark.django_db


def give_things_to_do(user, n, *, first=0):
    """n of each: a hackathon with a team, a granted request, a review to do, a notification, a repository."""
    for i in range(first, first + n):
        hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule(),
                                      title=f"Hackathon {user.pk}-{i}")
        team, _crew = team_factory(hackathon)
        registrations.registration_create(user=user, hackathon=hackathon, agreed=True, looking_for="")
        teams.team_join(user=user, team=team)
        call = make_call()
        approved_request(call=call, applicant=user)
        call.reviewers.add(user)
        assigned(call=call, allocation=make_request(call=call), reviewer=user)
        notify(recipients=[user], kind="demo.test", title=f"Aviso {i}", body="", email=False)
        owner = hub.owner(name=f"owner-{user.pk}-{i}")
        HubOwner.objects.get(pk=owner.pk).members.add(user)
        hub.catalogue(owner, [hub.remote(f"owner-{user.pk}-{i}/model-{i}", downloads=100 + i)])


def test_my_community_shows_each_thing_with_constant_queries(client, django_assert_num_queries):
    user = UserFactory()
    give_things_to_do(user, 1)
    client.force_login(user)
    client.get("/me/")
    with django_assert_num_queries(11):
        small = client.get("/me/")
    give_things_to_do(user, 3, first=1)
    with django_assert_num_queries(11):
        large = client.get("/me/")
    assert small.status_code == large.status_code == 200
    body = large.content.decode()
    assert len(large.context["reviews"]) == 4 and len(large.context["repositories"]) == 4
    assert len(large.context["requests"]) == 4 and len(large.context["unread"]) == 5  # the latest five
    assert len(large.context["teams"]) == 4 and len(large.context["registrations"]) == 4
    assert "Aviso 3" in body and f"owner-{user.pk}-3/model-3" in body
    assert any(d.label for d in large.context["deadlines"])


def test_my_community_is_for_members_only(client):
    assert client.get("/me/").status_code == 302


def test_a_new_member_sees_where_to_start(client):
    client.force_login(UserFactory())
    body = client.get("/me/").content.decode()
    assert "/hackathons/" in body and "/compute/" in body and "/talent/me/edit/" in body
