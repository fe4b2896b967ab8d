"""My community (/me/): one page with what the member has going on, in constant queries."""

import pytest

from apps.hackathons.models import Hackathon
from apps.hackathons.services import registrations, teams
from apps.hub.models import HubOwner
from apps.meetups import services as meetups
from apps.meetups.models import Event, Rsvp
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, assigned, make_call, make_request
from tests.hackathons.factories import hackathon_factory, running_schedule, team_factory
from tests.hub import factories as hub
from tests.meetups.factories import event_factory

pytestmark = pytest.mark.django_db


def give_meetups(user, i):
    """A meetup the member goes to and speaks at, one with a place offered, one with a waitlist place."""
    going = event_factory(title=f"Meetup {user.pk}-{i}")
    meetups.rsvp_going(user=user, event=going)
    meetups.talk_add(actor=going.organisers.get(), event=going, title=f"Charla {i}", speakers=[user])
    offered = event_factory(title=f"Oferta {user.pk}-{i}", capacity=1, waitlist_mode=Event.WaitlistMode.OFFER)
    waiting = event_factory(title=f"Espera {user.pk}-{i}", capacity=1)
    holder = UserFactory()
    for event in (offered, waiting):
        meetups.rsvp_going(user=holder, event=event)
        meetups.rsvp_going(user=user, event=event)
    meetups.rsvp_cancel(user=holder, event=offered)
    assert Rsvp.objects.get(user=user, event=offered).status == Rsvp.Status.OFFERED


def give_things_to_do(user, n, *, first=0):
    """n of each: a hackathon with a team, a granted request, a review to do, a notification, a repository,
    and the meetups of `give_meetups`."""
    for i in range(first, first + n):
        give_meetups(user, i)
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
    # One query per source: two more since meetups joined (places held or queued, talks given),
    # one for the first steps left.
    with django_assert_num_queries(12):
        small = client.get("/me/")
    give_things_to_do(user, 3, first=1)
    with django_assert_num_queries(12):
        large = client.get("/me/")
    assert small.status_code == large.status_code == 200
    body = large.content.decode()
    assert len(large.context["reviews"]) == 4 and len(large.context["repositories"]) == 4
    assert len(large.context["requests"]) == 4 and len(large.context["unread"]) == 5  # the latest five
    assert len(large.context["teams"]) == 4 and len(large.context["registrations"]) == 4
    assert "Aviso 3" in body and f"owner-{user.pk}-3/model-3" in body
    assert any(d.label for d in large.context["deadlines"])
    statuses = [rsvp.status for rsvp in large.context["meetup_places"]]
    assert sorted(statuses) == sorted(["going", "offered", "waitlisted"] * 4)
    assert len(large.context["talks"]) == 4 and "Charla 3" in body
    offer = next(rsvp for rsvp in large.context["meetup_places"] if rsvp.status == "offered")
    assert any(d.when == offer.offer_expires_at and d.title == offer.event.title for d in large.context["deadlines"])
    assert body.count("data-offer-deadline") == 4 and "/meetups/calendar/" in body


def test_my_community_is_for_members_only(client):
    assert client.get("/me/").status_code == 302


def test_a_new_member_sees_where_to_start(client):
    client.force_login(UserFactory())
    body = client.get("/me/").content.decode()
    assert "/hackathons/" in body and "/compute/" in body and "/talent/me/edit/" in body


def test_draft_and_cancelled_meetups_are_left_out(client):
    user = UserFactory()
    cancelled = event_factory(title="Cancelada")
    meetups.rsvp_going(user=user, event=cancelled)
    meetups.event_transition(actor=cancelled.organisers.get(), event=cancelled, action="cancel", reason="Lluvia")
    draft = event_factory(title="Borrador", publish=False)
    meetups.talk_add(actor=draft.organisers.get(), event=draft, title="Charla en borrador", speakers=[user])
    client.force_login(user)
    page = client.get("/me/")
    assert page.context["meetup_places"] == [] and page.context["talks"] == []
    assert "/meetups/" in page.content.decode()  # where to find one
