"""Data rights reach meetups; the scheduled tasks run in a real Celery worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts import services as account_services
from apps.meetups import services
from apps.meetups.models import CalendarFeed, ChapterMembership, Event, Rsvp
from apps.notifications.models import Notification
from tests.accounts.factories import PASSWORD, UserFactory
from tests.meetups.factories import event_factory
from tests.notifications.live_stack import wait_until


@pytest.mark.django_db
def test_download_and_deletion(world):
    attendee = world["attendee"]
    data = account_services.personal_data_export(user=attendee)["meetups"]
    assert data["rsvps"][0]["event"] == world["event"].slug
    waiting = UserFactory()
    Event.objects.filter(pk=world["event"].pk).update(capacity=1)
    services.rsvp_going(user=waiting, event=world["event"])
    services.feed_for(attendee)
    member = world["chapter_member"]
    account_services.account_delete(user=attendee, password=PASSWORD)
    assert Rsvp.objects.get(user=attendee).status == Rsvp.Status.NOT_GOING
    assert Rsvp.objects.get(user=waiting).status == Rsvp.Status.GOING
    assert not CalendarFeed.objects.filter(user=attendee).exists()
    account_services.account_delete(user=member, password=PASSWORD)
    assert not ChapterMembership.objects.filter(user=member).exists()


@pytest.mark.django_db(transaction=True)
def test_offer_expiry_runs_as_the_scheduled_task_in_a_worker(celery_worker):
    from workers.meetups import expire_meetup_offers
    from workers.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["meetups.expire-offers"]["task"] == expire_meetup_offers.name
    event = event_factory(capacity=1, waitlist_mode=Event.WaitlistMode.OFFER, offer_hours=1)
    holder, first, second = UserFactory.create_batch(3)
    for user in (holder, first, second):
        services.rsvp_going(user=user, event=event)
    services.rsvp_cancel(user=holder, event=event)
    not_due = expire_meetup_offers.delay()  # not due yet: the worker runs it and nothing changes
    assert wait_until(lambda: celery_worker.ran(not_due.id) and celery_worker.settled(), timeout=20)
    assert Rsvp.objects.get(user=first).status == Rsvp.Status.OFFERED
    assert not Notification.objects.filter(kind="meetups.offer_expired").exists()
    Rsvp.objects.filter(user=first).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    runs = [expire_meetup_offers.delay(), expire_meetup_offers.delay()]  # a duplicate run passes the place on once
    assert wait_until(lambda: all(celery_worker.ran(run.id) for run in runs) and celery_worker.settled(), timeout=20)
    assert Rsvp.objects.get(user=first).status == Rsvp.Status.NOT_GOING
    assert Rsvp.objects.get(user=second).status == Rsvp.Status.OFFERED
    assert Notification.objects.filter(recipient=first, kind="meetups.offer_expired").count() == 1
    assert Notification.objects.filter(recipient=second, kind="meetups.place_offered").count() == 1
