"""The REST API: every endpoint for every role, refusals with messages, query counts at two sizes."""

import pytest
from rest_framework.test import APIClient

from apps.meetups import services
from apps.meetups.models import Event, Rsvp
from tests.accounts.factories import UserFactory
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "other", "chapter_member", "attendee", "organiser"]


def api(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


EVENT_GETS = {
    "": (200, 200, 200, 200, 200),
    "rsvp/": (403, 404, 404, 200, 404),
    "rsvps/": (403, 403, 403, 403, 200),
    "talks/": (200, 200, 200, 200, 200),
}
OTHER_GETS = {
    "/api/meetups/events/": (200, 200, 200, 200, 200),
    "/api/meetups/chapters/": (200, 200, 200, 200, 200),
    "/api/meetups/calendar/": (403, 200, 200, 200, 200),
}


@pytest.mark.parametrize("endpoint", list(EVENT_GETS))
def test_event_endpoints_per_role(world, endpoint):
    for role, expected in zip(ROLES, EVENT_GETS[endpoint]):
        response = api(world[role]).get(f"/api/meetups/events/{world['event'].slug}/{endpoint}")
        assert response.status_code == expected, (endpoint, role, response.content)


@pytest.mark.parametrize("path", list(OTHER_GETS))
def test_section_endpoints_per_role(world, path):
    for role, expected in zip(ROLES, OTHER_GETS[path]):
        assert api(world[role]).get(path).status_code == expected, (path, role)


def test_proposals_for_chapter_organisers_only(world):
    path = f"/api/meetups/chapters/{world['chapter'].slug}/proposals/"
    for role, expected in zip(ROLES, (403, 403, 403, 403, 200)):
        assert api(world[role]).get(path).status_code == expected, role


def test_organiser_actions_refused_to_everyone_else(world):
    rsvp = world["rsvp"]
    url = f"/api/meetups/events/{world['event'].slug}/rsvps/{rsvp.pk}/actions/"
    for role, expected in zip(ROLES, (403, 403, 403, 403, 200)):
        response = api(world[role]).post(url, {"action": "check_in"}, format="json")
        assert response.status_code == expected, role
    transition = f"/api/meetups/events/{world['event'].slug}/transitions/"
    assert api(world["attendee"]).post(transition, {"action": "cancel", "reason": "x"}, format="json").status_code == 403
    patch = f"/api/meetups/events/{world['event'].slug}/"
    assert api(world["chapter_member"]).patch(patch, {"title": "Mío"}, format="json").status_code == 403


def test_location_hidden_in_the_api_for_non_attendees(world):
    for role in ROLES:
        data = api(world[role]).get(f"/api/meetups/events/{world['event'].slug}/").json()
        shown = role in ("attendee", "organiser")
        assert (data["online_url"] == "https://meet.example.org/ia") == shown, role
        assert bool(data["address"]) == shown, role


def test_full_journey_through_the_api():
    organiser = chapter_factory().organisers.get()
    client = api(organiser)
    chapter = organiser.organised_chapters.get()
    created = client.post("/api/meetups/events/", {
        "chapter": chapter.slug, "title": "Charla API", "starts_at": "2031-01-10T18:00:00+01:00",
        "ends_at": "2031-01-10T20:00:00+01:00", "online_url": "https://meet.example.org/x", "capacity": 1,
        "waitlist_mode": "offer", "questions": [{"text": "¿Empresa?", "required": True}],
    }, format="json")
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]
    question_id = created.json()["questions"][0]["id"]
    assert client.post(f"/api/meetups/events/{slug}/transitions/", {"action": "publish"}, format="json").status_code == 200
    first, second = UserFactory.create_batch(2)
    missing = api(first).post(f"/api/meetups/events/{slug}/rsvp/", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {f"question_{question_id}": ["Please answer this question."]}
    answers = {"answers": {str(question_id): "ACME"}}
    assert api(first).post(f"/api/meetups/events/{slug}/rsvp/", answers, format="json").json()["status"] == "going"
    assert api(second).post(f"/api/meetups/events/{slug}/rsvp/", answers, format="json").json()["status"] == "waitlisted"
    again = api(second).post(f"/api/meetups/events/{slug}/rsvp/", answers, format="json")
    assert again.status_code == 409 and again.json()["message"] == "You have already RSVPed to this event."
    assert api(first).delete(f"/api/meetups/events/{slug}/rsvp/").json()["status"] == "not_going"
    mine = api(second).get(f"/api/meetups/events/{slug}/rsvp/").json()
    assert mine["status"] == "offered" and mine["offer_expires_at"]
    accepted = api(second).post(f"/api/meetups/events/{slug}/rsvp/accept-offer/")
    assert accepted.json()["status"] == "going"
    code = accepted.json()["checkin_code"]
    checked = client.post(f"/api/meetups/events/{slug}/check-in/", {"code": code}, format="json")
    assert checked.status_code == 200 and checked.json()["checked_in_at"]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"state": Event.State.CANCELLED}, 409, "This event was cancelled."),
        ({"state": Event.State.FINISHED}, 409, "This event is over."),
        ({"join_policy": Event.JoinPolicy.INVITE}, 403, "This event is by invitation only."),
    ],
)
def test_refusals_with_clear_messages(change, status, message):
    event = event_factory()
    Event.objects.filter(pk=event.pk).update(**change)
    response = api(UserFactory()).post(f"/api/meetups/events/{event.slug}/rsvp/", {}, format="json")
    assert response.status_code == status
    assert response.json()["message"] == message


def test_deadline_refusal_names_the_deadline_in_the_events_time_zone():
    from datetime import timedelta

    from django.utils import timezone

    event = event_factory(timezone="Atlantic/Canary")
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=5))
    response = api(UserFactory()).post(f"/api/meetups/events/{event.slug}/rsvp/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["message"].startswith("The RSVP deadline has passed")
    assert "(Atlantic/Canary)" in response.json()["message"]


def test_unknown_filter_values_are_400(world):
    assert api().get("/api/meetups/events/?mode=boat").status_code == 400
    assert api().get("/api/meetups/events/?region=ZZ").status_code == 400
    assert api(world["organiser"]).get(f"/api/meetups/events/{world['event'].slug}/rsvps/?status=maybe").status_code == 400


def test_filters(world):
    online = event_factory(title="Solo online", venue="", address="", online_url="https://x.example.org", languages="en")
    listed = lambda query: [e["slug"] for e in api().get(f"/api/meetups/events/?{query}").json()["results"]]  # noqa: E731
    assert listed("mode=online") == [world["event"].slug, online.slug]
    assert listed("mode=in_person") == [world["event"].slug]
    assert listed("language=en") == [online.slug]
    assert listed(f"chapter={world['chapter'].slug}") == [world["event"].slug]
    assert listed("region=MD") == [world["event"].slug]
    assert listed("date_from=2100-01-01") == []


def test_speakers_and_repositories_on_the_agenda(world):
    speaker = UserFactory()
    client = api(world["organiser"])
    url = f"/api/meetups/events/{world['event'].slug}/talks/"
    bad = client.post(url, {"title": "T", "speakers": ["nobody-here"]}, format="json")
    assert bad.status_code == 400
    made = client.post(url, {"title": "Llama en euskera", "speakers": [speaker.username], "repositories": [{"kind": "model", "repo_id": "hitz/latxa"}]}, format="json")
    assert made.status_code == 201
    talk = api().get(url).json()["results"][0]
    assert talk["speakers"][0]["username"] == speaker.username
    assert talk["repositories"] == [{"kind": "model", "repo_id": "hitz/latxa"}]


def _grow_events(n):
    for i in range(n):
        event = event_factory(chapter=chapter_factory(name=f"Grow {i}"))
        services.rsvp_going(user=UserFactory(), event=event)


@pytest.mark.parametrize("path", ["/api/meetups/events/", "/api/meetups/chapters/"])
def test_list_endpoints_query_count_is_constant(django_assert_num_queries, path):
    _grow_events(1)
    with django_assert_num_queries(2):
        api().get(path)
    _grow_events(4)
    with django_assert_num_queries(2):
        assert len(api().get(path).json()["results"]) == 5


def test_rsvp_list_and_agenda_query_count_is_constant(world, django_assert_num_queries):
    event, organiser = world["event"], world["organiser"]
    rsvps, talks = f"/api/meetups/events/{event.slug}/rsvps/", f"/api/meetups/events/{event.slug}/talks/"

    def grow():
        for user in UserFactory.create_batch(3):
            services.rsvp_going(user=user, event=event)
            services.talk_add(actor=organiser, event=event, title="T", speakers=[user], repositories=[{"repo_id": "a/b"}])

    grow()
    counts = {}
    for path in (rsvps, talks):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            api(organiser).get(path)
        counts[path] = len(captured)
    grow()
    for path in (rsvps, talks):
        with django_assert_num_queries(counts[path]):
            assert api(organiser).get(path).status_code == 200


def test_personal_feed_query_count_is_constant(django_assert_num_queries, client):
    member = UserFactory()
    feed = services.feed_for(member)
    services.rsvp_going(user=member, event=event_factory())
    with django_assert_num_queries(2):
        client.get(f"/meetups/calendar/{feed.token}.ics")
    for _ in range(4):
        services.rsvp_going(user=member, event=event_factory())
    with django_assert_num_queries(2):
        assert client.get(f"/meetups/calendar/{feed.token}.ics").status_code == 200
    assert Rsvp.objects.filter(user=member).count() == 5


def test_call_for_speakers_and_invitations_through_the_api(world):
    chapter, event = world["chapter"], world["event"]
    call = f"/api/meetups/chapters/{chapter.slug}/call-for-speakers/"
    for role, expected in zip(ROLES, (403, 403, 403, 403, 204)):
        assert api(world[role]).delete(call).status_code == expected, role
    proposal = {"title": "Tarde", "abstract": "Llega tarde"}
    late = api(world["other"]).post(f"/api/meetups/chapters/{chapter.slug}/proposals/", proposal, format="json")
    assert late.status_code == 409 and late.json()["message"] == "This chapter's call for speakers is not open."
    assert api(world["organiser"]).post(call, {"description": "Agentes"}, format="json").status_code == 204
    assert api(world["other"]).post(f"/api/meetups/chapters/{chapter.slug}/proposals/", proposal, format="json").status_code == 201

    invitations = f"/api/meetups/events/{event.slug}/invitations/"
    assert api(world["attendee"]).post(invitations, {"emails": ["a@example.org"]}, format="json").status_code == 403
    bad = api(world["organiser"]).post(invitations, {"emails": ["a@example.org", "nope"]}, format="json")
    assert bad.status_code == 400 and "nope" in bad.json()["errors"]["emails"][0]
    assert api(world["organiser"]).post(invitations, {"emails": ["A@example.org"]}, format="json").json() == {"added": 1}
