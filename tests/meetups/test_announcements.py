"""Organisers announce to a meetup's attendees or a chapter's members through the shared path."""

import pytest

from apps.meetups import services
from apps.meetups.models import Event, Rsvp
from apps.notifications.models import Notification, NotificationEvent
from apps.notifications.services import event_expand
from tests.accounts.factories import UserFactory
from tests.meetups.factories import chapter_factory, event_factory


@pytest.fixture
def crowd(world):
    """`world`'s event (capacity 10, one going) made full, with a queue, an offer and a speaker."""
    event, organiser = world["event"], world["organiser"]
    Event.objects.filter(pk=event.pk).update(capacity=3, waitlist_mode=Event.WaitlistMode.OFFER)
    event.refresh_from_db()
    going = [world["attendee"], *UserFactory.create_batch(2)]
    for person in going[1:]:
        services.rsvp_going(user=person, event=event)
    queue = UserFactory.create_batch(3)
    for person in queue:
        assert services.rsvp_going(user=person, event=event).status == Rsvp.Status.WAITLISTED
    services.rsvp_cancel(user=going.pop(), event=event)  # the first in the queue is offered the place
    offered, waitlisted = queue[0], queue[1:]
    assert Rsvp.objects.get(event=event, user=offered).status == Rsvp.Status.OFFERED
    speaker = UserFactory()
    services.talk_add(actor=organiser, event=event, title="RAG en español", speakers=[speaker])
    return {**world, "going": going, "offered": offered, "waitlisted": waitlisted, "speaker": speaker}


def _meetup_url(event):
    return f"/notifications/announce/meetup/?meetup={event.slug}"


def _chapter_url(chapter):
    return f"/notifications/announce/chapter/?chapter={chapter.slug}"


def _recipients(event_row):
    event_expand(event_id=event_row.pk)
    return set(Notification.objects.filter(event=event_row).values_list("recipient_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subset", "expected"),
    [
        ("attendees", lambda c: [*c["going"], c["offered"], *c["waitlisted"]]),
        ("going", lambda c: c["going"]),
        ("waitlisted", lambda c: c["waitlisted"]),
        ("offered", lambda c: [c["offered"]]),
        ("speakers", lambda c: [c["speaker"]]),
    ],
)
def test_organiser_previews_each_subset_and_it_fans_out_to_exactly_those(client, crowd, subset, expected):
    people = expected(crowd)
    client.force_login(crowd["organiser"])
    form = {"subset": subset, "title": "Cambio de sala", "body": "Nos vemos en la 2.", "preview": ""}
    preview = client.post(_meetup_url(crowd["event"]), form)
    assert preview.status_code == 200
    assert preview.context["reach"]["count"] == len(people)
    assert "Cambio de sala" in preview.content.decode()
    assert not NotificationEvent.objects.filter(audience="meetup").exists()
    del form["preview"]
    sent = client.post(_meetup_url(crowd["event"]), {**form, "send": ""})
    assert sent.status_code == 302
    row = NotificationEvent.objects.get(audience="meetup")
    assert row.audience_params == {"meetup": crowd["event"].slug, "subset": subset}
    assert _recipients(row) == {person.pk for person in people}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("organiser", 200), ("staff", 200), ("event_organiser", 200), ("attendee", 404),
     ("chapter_member", 404), ("other", 404), ("anonymous", 302)],
)
def test_only_the_events_organisers_may_announce_to_it(client, world, role, status):
    event = world["event"]
    if role == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif role == "event_organiser":
        co = UserFactory()
        event.organisers.add(co)
        client.force_login(co)
    elif world[role] is not None:
        client.force_login(world[role])
    assert client.get(_meetup_url(event)).status_code == status
    if status != 200:
        client.post(_meetup_url(event), {"subset": "going", "title": "x", "body": "y", "send": ""})
        assert not NotificationEvent.objects.filter(audience="meetup").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("organiser", 200), ("staff", 200), ("chapter_member", 404), ("attendee", 404), ("anonymous", 302)],
)
def test_only_the_chapters_organisers_may_announce_to_its_members(client, world, role, status):
    chapter = world["chapter"]
    services.chapter_join(user=world["attendee"], chapter=chapter)
    if role == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif world[role] is not None:
        client.force_login(world[role])
    page = client.get(_chapter_url(chapter))
    assert page.status_code == status
    if status == 200:
        assert page.context["reach"]["count"] == 2
        client.post(_chapter_url(chapter), {"title": "Nueva sede", "body": "Desde enero.", "send": ""})
        row = NotificationEvent.objects.get(audience="chapter")
        assert _recipients(row) == {world["chapter_member"].pk, world["attendee"].pk}


@pytest.mark.django_db
def test_an_organiser_of_another_chapter_or_event_cannot_announce_here(client, world):
    other_chapter = chapter_factory(name="IA Bilbao", region="PV")
    other_event = event_factory(chapter=other_chapter)
    client.force_login(other_chapter.organisers.get())
    assert client.get(_chapter_url(world["chapter"])).status_code == 404
    assert client.get(_meetup_url(world["event"])).status_code == 404
    assert client.get(_meetup_url(other_event)).status_code == 200


@pytest.mark.django_db
def test_organiser_pages_link_to_the_announcement(client, world):
    from tests.hackathons.factories import hackathon_factory

    client.force_login(world["organiser"])
    dashboard = client.get(f"/meetups/events/{world['event'].slug}/dashboard/").content.decode()
    assert _meetup_url(world["event"]) in dashboard
    chapter_page = client.get(f"/meetups/chapters/{world['chapter'].slug}/").content.decode()
    assert _chapter_url(world["chapter"]) in chapter_page
    client.force_login(world["chapter_member"])
    assert _chapter_url(world["chapter"]) not in client.get(f"/meetups/chapters/{world['chapter'].slug}/").content.decode()
    hackathon = hackathon_factory()
    client.force_login(hackathon.organisers.get())
    manage = client.get(f"/hackathons/{hackathon.slug}/manage/").content.decode()
    assert f"/notifications/announce/hackathon/?hackathon={hackathon.slug}" in manage
    client.force_login(UserFactory(is_staff=True))
    assert "/notifications/announce/everyone/" in client.get("/notifications/").content.decode()
    client.force_login(world["attendee"])
    assert "/notifications/announce/everyone/" not in client.get("/notifications/").content.decode()
