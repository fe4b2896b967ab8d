"""The announcement API: preview with a head count, then send; same permissions as the page."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.meetups import services as meetups
from apps.notifications.models import Notification, NotificationEvent
from apps.notifications.services import event_expand
from tests.accounts.factories import UserFactory
from apps.hackathons.models import Hackathon
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule
from tests.meetups.factories import chapter_factory, event_factory

PREVIEW, SEND = "/api/notifications/announcements/preview/", "/api/notifications/announcements/"


def _api(user=None):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def meetup(db):
    chapter = chapter_factory()
    event = event_factory(chapter=chapter, capacity=1)
    going, waiting = UserFactory(), UserFactory()
    meetups.rsvp_going(user=going, event=event)
    meetups.rsvp_going(user=waiting, event=event)
    return {"event": event, "organiser": chapter.organisers.get(), "going": going, "waiting": waiting}


@pytest.mark.django_db
def test_organiser_previews_the_count_and_sends_to_a_subset(meetup, django_assert_num_queries):
    api = _api(meetup["organiser"])
    request = {"audience": "meetup", "params": {"meetup": meetup["event"].slug}, "subset": "waitlisted"}
    preview = api.post(PREVIEW, request, format="json")
    assert preview.status_code == 200
    assert preview.json()["count"] == 1
    assert set(preview.json()["subsets"]) == {"attendees", "going", "waitlisted", "offered", "speakers"}
    assert not NotificationEvent.objects.filter(audience="meetup").exists()
    sent = api.post(SEND, {**request, "title": "Quizá entres", "body": "Se libera una plaza."}, format="json")
    assert sent.status_code == 202
    assert sent.json()["count"] == 1
    event = NotificationEvent.objects.get(pk=sent.json()["id"])
    assert event.expanded_at is None  # the worker fans out, not the request
    assert event_expand(event_id=event.pk) == 1
    assert list(Notification.objects.filter(event=event).values_list("recipient_id", flat=True)) == [
        meetup["waiting"].pk
    ]


@pytest.mark.django_db
def test_the_send_request_does_not_grow_with_the_audience(meetup, django_assert_max_num_queries):
    api = _api(meetup["organiser"])
    request = {"audience": "meetup", "params": {"meetup": meetup["event"].slug}, "title": "Hola", "body": "Hasta pronto"}
    with django_assert_max_num_queries(30) as small:
        api.post(SEND, request, format="json")
    for person in UserFactory.create_batch(30):
        meetups.rsvp_going(user=person, event=meetup["event"])
    with django_assert_max_num_queries(30) as large:
        assert api.post(SEND, request, format="json").json()["count"] == 32
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_people_who_do_not_organise_it_are_refused(meetup):
    request = {"audience": "meetup", "params": {"meetup": meetup["event"].slug}, "title": "x", "body": "y"}
    assert _api().post(PREVIEW, request, format="json").status_code == 403
    for person in (meetup["going"], UserFactory(), chapter_factory(name="Otro", region="PV").organisers.get()):
        assert _api(person).post(PREVIEW, request, format="json").status_code == 403
        assert _api(person).post(SEND, request, format="json").status_code == 403
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    participant = participant_factory(hackathon)
    own = {"audience": "hackathon", "params": {"hackathon": hackathon.slug}, "subset": "confirmed"}
    assert _api(participant).post(PREVIEW, own, format="json").status_code == 403
    assert _api(hackathon.organisers.get()).post(PREVIEW, own, format="json").json()["count"] == 1
    assert not NotificationEvent.objects.filter(kind="announcements.message").exists()


@pytest.mark.django_db
def test_everyone_is_for_staff_and_chapters_for_their_organisers(meetup):
    chapter = meetup["event"].chapter
    meetups.chapter_join(user=meetup["going"], chapter=chapter)
    to_chapter = {"audience": "chapter", "params": {"chapter": chapter.slug}}
    assert _api(meetup["organiser"]).post(PREVIEW, to_chapter, format="json").json()["count"] == 1
    assert _api(meetup["going"]).post(PREVIEW, to_chapter, format="json").status_code == 403
    assert _api(meetup["organiser"]).post(PREVIEW, {"audience": "everyone"}, format="json").status_code == 403
    staff = UserFactory(is_staff=True)
    sent = _api(staff).post(SEND, {"audience": "everyone", "title": "Mantenimiento", "body": "El sábado"}, format="json")
    assert sent.status_code == 202


@pytest.mark.django_db
def test_bad_input_is_a_400_with_field_messages(meetup):
    api = _api(meetup["organiser"])
    base = {"audience": "meetup", "params": {"meetup": meetup["event"].slug}}
    unknown = api.post(PREVIEW, {"audience": "nobody"}, format="json")
    assert unknown.status_code == 400 and "audience" in unknown.json()["errors"]
    wrong_subset = api.post(PREVIEW, {**base, "subset": "teams"}, format="json")
    assert wrong_subset.status_code == 400 and "subset" in wrong_subset.json()["errors"]
    blank = api.post(SEND, {**base, "title": " ", "body": "y"}, format="json")
    assert blank.status_code == 400 and "title" in blank.json()["errors"]
    assert not NotificationEvent.objects.filter(audience="meetup").exists()


def test_the_schema_describes_both_operations():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"200", "400", "403"} <= set(paths[PREVIEW]["post"]["responses"])
    assert "202" in paths[SEND]["post"]["responses"]
    assert "requestBody" in paths[SEND]["post"]
