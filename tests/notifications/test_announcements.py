"""Organisers and staff announce to an audience: preview and count first, fan-out in a worker."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.hackathons.models import Hackathon, Registration
from apps.notifications.models import Notification, NotificationEvent
from apps.notifications.services import event_expand
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule


@pytest.fixture
def hackathon():
    return hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())


def _waitlisted(hackathon, count):
    people = [UserFactory() for _ in range(count)]
    Registration.objects.bulk_create(
        Registration(hackathon=hackathon, user=person, status=Registration.Status.WAITLISTED, agreed_at=timezone.now())
        for person in people
    )
    return people


def _url(hackathon):
    return f"/notifications/announce/hackathon/?hackathon={hackathon.slug}"


@pytest.mark.django_db
def test_organiser_previews_the_count_then_sends_to_a_subset(client, hackathon):
    confirmed = [participant_factory(hackathon) for _ in range(3)]
    waiting = _waitlisted(hackathon, 2)
    client.force_login(hackathon.organisers.get())
    form = {"subset": "waitlisted", "title": "Se abren plazas", "body": "Quizá entres mañana."}
    preview = client.post(_url(hackathon), {**form, "preview": ""})
    assert preview.status_code == 200
    assert preview.context["reach"]["count"] == 2
    assert "Se abren plazas" in preview.content.decode()
    assert not NotificationEvent.objects.filter(kind="announcements.message").exists()  # nothing sent yet
    sent = client.post(_url(hackathon), {**form, "send": ""})
    assert sent.status_code == 302
    event = NotificationEvent.objects.get(kind="announcements.message")
    assert event.expanded_at is None  # the request left the fan-out to a worker
    assert event_expand(event_id=event.pk) == 2
    assert sorted(Notification.objects.filter(event=event).values_list("recipient_id", flat=True)) == sorted(
        p.pk for p in waiting
    )
    assert not Notification.objects.filter(event=event, recipient__in=confirmed).exists()


@pytest.mark.django_db
def test_an_announcement_names_the_event_and_its_sender_and_links_to_the_event(client, hackathon):
    person = participant_factory(hackathon)
    organiser = hackathon.organisers.get()
    client.force_login(organiser)
    client.post(_url(hackathon), {"subset": "confirmed", "title": "Cambio de sala", "body": "Sala 2.", "send": ""})
    event_expand(event_id=NotificationEvent.objects.get(kind="announcements.message").pk)
    notification = Notification.objects.get(recipient=person)
    assert notification.url == f"/hackathons/{hackathon.slug}/"
    assert notification.title == f"{hackathon.title}: Cambio de sala"
    assert f"{organiser.public_name}" in notification.body and hackathon.title in notification.body


@pytest.mark.django_db
def test_the_organisers_request_does_not_grow_with_the_audience(client, hackathon, django_assert_max_num_queries):
    client.force_login(hackathon.organisers.get())
    form = {"subset": "participants", "title": "Hola", "body": "Bienvenida", "send": ""}
    _waitlisted(hackathon, 2)
    with django_assert_max_num_queries(30) as small:
        client.post(_url(hackathon), form)
    _waitlisted(hackathon, 200)
    with django_assert_max_num_queries(30) as large:
        client.post(_url(hackathon), form)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_members_cannot_announce_and_staff_can_reach_everyone(client, hackathon):
    participant = participant_factory(hackathon)
    client.force_login(participant)
    assert client.get(_url(hackathon)).status_code == 404
    assert client.get("/notifications/announce/everyone/").status_code == 404
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.get("/notifications/announce/everyone/")
    assert page.status_code == 200
    assert page.context["reach"]["count"] == get_user_model().objects.filter(is_active=True).count()
    client.post("/notifications/announce/everyone/", {"title": "Mantenimiento", "body": "El sábado", "send": ""})
    event = NotificationEvent.objects.get(audience="everyone")
    event_expand(event_id=event.pk, batch_size=2)  # several batches, each recipient once
    assert Notification.objects.filter(event=event).count() == get_user_model().objects.count()


@pytest.mark.django_db
def test_an_empty_announcement_is_refused_next_to_its_fields(client):
    client.force_login(UserFactory(is_staff=True))
    page = client.post("/notifications/announce/everyone/", {"title": " ", "body": "", "send": ""})
    assert page.status_code == 200
    assert page.context["form"].errors.keys() >= {"body"}
    assert not NotificationEvent.objects.exists()
