"""Announcements scheduled for later: sent once when due (even by two runs at once), never
before, never once cancelled; listed with a cancel button where the organiser works."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.hackathons.models import Hackathon
from apps.notifications import services
from apps.notifications.models import NotificationEvent, ScheduledAnnouncement
from tests.hackathons.concurrency import run_at_once
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule
from tests.meetups.factories import event_factory

ANNOUNCEMENT = "announcements.message"


@pytest.fixture
def hackathon():
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    participant_factory(hackathon)
    return hackathon


def schedule(hackathon, *, minutes: int, title="Mañana abrimos a las 9") -> ScheduledAnnouncement:
    # Recorded as due in the past directly: the service refuses times already gone, as it should.
    announcement = services.announcement_schedule(
        sender=hackathon.organisers.get(), audience="hackathon", params={"hackathon": hackathon.slug},
        title=title, body="Traed el portátil.", send_at=timezone.now() + timedelta(minutes=5),
    )
    ScheduledAnnouncement.objects.filter(pk=announcement.pk).update(send_at=timezone.now() + timedelta(minutes=minutes))
    return announcement


@pytest.mark.django_db(transaction=True)
def test_a_due_announcement_goes_out_once_when_two_runs_meet(hackathon):
    announcement = schedule(hackathon, minutes=-1)
    outcomes = run_at_once(lambda _run: services.announcements_send_due(), [1, 2, 3])
    assert sorted(outcomes) == [0, 0, 1]
    event = NotificationEvent.objects.get(kind=ANNOUNCEMENT)
    assert event.texts["es"][0] == f"{hackathon.title}: Mañana abrimos a las 9"
    announcement.refresh_from_db()
    assert announcement.state == ScheduledAnnouncement.State.SENT and announcement.event == event
    assert services.announcements_send_due() == 0
    assert NotificationEvent.objects.filter(kind=ANNOUNCEMENT).count() == 1


@pytest.mark.django_db
def test_one_not_due_stays_and_one_cancelled_never_goes(hackathon):
    later = schedule(hackathon, minutes=30, title="Más tarde")
    cancelled = schedule(hackathon, minutes=-1, title="Cancelado")
    services.announcement_cancel(actor=hackathon.organisers.get(), announcement_id=cancelled.pk)
    assert services.announcements_send_due() == 0
    assert not NotificationEvent.objects.filter(kind=ANNOUNCEMENT).exists()
    later.refresh_from_db()
    assert later.state == ScheduledAnnouncement.State.SCHEDULED
    assert services.announcements_send_due(now=timezone.now() + timedelta(hours=1)) == 1
    assert NotificationEvent.objects.get(kind=ANNOUNCEMENT).texts["es"][0].endswith("Más tarde")


@pytest.mark.django_db
def test_an_announcement_gone_out_cannot_be_cancelled_and_others_cannot_cancel(hackathon):
    from apps.core.errors import Conflict, NotFound
    from tests.accounts.factories import UserFactory

    announcement = schedule(hackathon, minutes=-1)
    with pytest.raises(NotFound):
        services.announcement_cancel(actor=UserFactory(), announcement_id=announcement.pk)
    services.announcements_send_due()
    with pytest.raises(Conflict):
        services.announcement_cancel(actor=hackathon.organisers.get(), announcement_id=announcement.pk)


@pytest.mark.django_db
def test_the_organiser_schedules_from_the_page_sees_it_on_the_dashboard_and_cancels_it(client, hackathon):
    client.force_login(hackathon.organisers.get())
    url = f"/notifications/announce/hackathon/?hackathon={hackathon.slug}"
    form = {"subset": "confirmed", "title": "Recordatorio", "body": "Nos vemos."}
    past = client.post(url, {**form, "send_at": "2020-01-01T10:00", "schedule": ""})
    assert past.status_code == 200 and "send_at" in past.context["form"].errors
    response = client.post(url, {**form, "send_at": "2031-01-01T10:00", "schedule": ""})
    assert response.status_code == 302
    announcement = ScheduledAnnouncement.objects.get()
    assert announcement.audience_params == {"hackathon": hackathon.slug, "subset": "confirmed"}
    assert not NotificationEvent.objects.exists()
    dashboard = client.get(f"/hackathons/{hackathon.slug}/manage/").content.decode()
    assert "Recordatorio" in dashboard and f"/notifications/announcements/{announcement.pk}/cancel/" in dashboard
    back = client.post(f"/notifications/announcements/{announcement.pk}/cancel/",
                       {"next": f"/hackathons/{hackathon.slug}/manage/"})
    assert back.status_code == 302 and back["Location"] == f"/hackathons/{hackathon.slug}/manage/"
    announcement.refresh_from_db()
    assert announcement.state == ScheduledAnnouncement.State.CANCELLED
    assert "Recordatorio" not in client.get(f"/hackathons/{hackathon.slug}/manage/").content.decode()


@pytest.mark.django_db
def test_meetup_organisers_see_theirs_on_the_meetup_dashboard(client):
    event = event_factory()
    organiser = event.organisers.get()
    services.announcement_schedule(
        sender=organiser, audience="meetup", params={"meetup": event.slug}, title="Cambio de sala",
        body="Sala 3.", send_at=timezone.now() + timedelta(days=1),
    )
    client.force_login(organiser)
    assert "Cambio de sala" in client.get(f"/meetups/events/{event.slug}/dashboard/").content.decode()
