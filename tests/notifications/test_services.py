"""The notifications app's writes, called directly: who `notify` reaches, marking read,
settings saved whole or not at all, one-click unsubscribes and staff resends."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import InvalidInput, NotFound
from apps.hackathons.models import Hackathon
from apps.notifications import services
from apps.notifications.kinds import ALL_EMAIL, kinds_by_group
from apps.notifications.models import (
    Delivery,
    DigestSchedule,
    Notification,
    NotificationEvent,
    NotificationPreference,
    ScheduledAnnouncement,
)
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import hackathon_factory, running_schedule

pytestmark = pytest.mark.django_db
Mode = NotificationPreference.Mode


def tell(*recipients, kind="chat.mention", email=False):
    return services.notify(recipients=list(recipients), kind=kind, title="Hola", email=email)


def test_notify_reaches_each_active_recipient_once():
    member, gone = UserFactory(), UserFactory(is_active=False)
    created = tell(member, member, None, gone)
    assert [n.recipient_id for n in created] == [member.pk]
    assert Notification.objects.filter(recipient=gone).count() == 0


def test_notify_with_nobody_left_to_tell_records_no_event():
    assert tell(None, UserFactory(is_active=False)) == []
    assert not NotificationEvent.objects.exists()


def test_a_member_cannot_mark_someone_elses_notification_read(django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    (notification,) = tell(owner)
    with django_capture_on_commit_callbacks() as pushes, pytest.raises(NotFound):
        services.notification_mark_read(user=other, notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.read_at is None and pushes == []


def test_marking_read_twice_keeps_the_first_reading_and_pushes_once(django_capture_on_commit_callbacks):
    member = UserFactory()
    (notification,) = tell(member)
    with django_capture_on_commit_callbacks() as pushes:
        first = services.notification_mark_read(user=member, notification_id=notification.pk).read_at
        again = services.notification_mark_read(user=member, notification_id=notification.pk).read_at
    assert first is not None and again == first and len(pushes) == 1


def test_mark_all_read_touches_only_the_members_unread_ones(django_capture_on_commit_callbacks):
    member, other = UserFactory(), UserFactory()
    tell(member, other)
    tell(member)
    assert services.notifications_mark_all_read(user=member) == 2
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks() as pushes:
        assert services.notifications_mark_all_read(user=member) == 0
    assert pushes == []  # nothing changed, no badge to update


def test_a_refused_settings_change_saves_none_of_it():
    member = UserFactory(time_zone="Europe/Madrid")
    with pytest.raises(InvalidInput) as refused:
        services.email_settings_update(
            user=member, email_enabled=False, modes={"chat.mention": Mode.OFF}, digest="hourly", time_zone="Mars/Olympus",
        )
    assert set(refused.value.errors) == {"digest", "time_zone"}
    member.refresh_from_db()
    assert member.time_zone == "Europe/Madrid"
    assert not NotificationPreference.objects.filter(user=member).exists()
    assert not DigestSchedule.objects.filter(user=member).exists()


def test_only_choices_that_differ_from_the_default_are_stored():
    member = UserFactory()
    services.email_settings_update(user=member, email_enabled=False, modes={"chat.mention": Mode.OFF})
    assert set(NotificationPreference.objects.filter(user=member).values_list("kind", "mode")) == {
        (ALL_EMAIL, Mode.OFF), ("chat.mention", Mode.OFF),
    }
    services.email_settings_update(user=member, email_enabled=True, modes={"chat.mention": Mode.EMAIL})
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_unsubscribing_from_a_group_silences_each_of_its_kinds_and_a_second_click_changes_nothing():
    member = UserFactory()
    services.email_settings_update(user=member, modes={"hub.sync_failed": Mode.EMAIL})
    for _ in range(2):
        services.email_unsubscribe(user_id=member.pk, subject="compute")
        services.email_unsubscribe(user_id=member.pk, subject="hub.sync_failed")
    compute = {kind.key for kind in kinds_by_group()["compute"]}
    stored = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "mode"))
    assert stored == {**{kind: Mode.OFF for kind in compute}, "hub.sync_failed": Mode.OFF}


def test_staff_resend_only_failed_deliveries():
    failed_to, pending_to = UserFactory(), UserFactory()
    tell(failed_to, pending_to, email=True)
    failed = Delivery.objects.get(notification__recipient=failed_to)
    Delivery.objects.filter(pk=failed.pk).update(status=Delivery.Status.FAILED, attempts=5, last_error="550")
    pending = Delivery.objects.get(notification__recipient=pending_to)
    assert services.deliveries_resend(delivery_ids=[failed.pk, pending.pk]) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Delivery.Status.PENDING, 0, "")


def test_a_refused_scheduled_announcement_stores_nothing_and_names_every_field():
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    with pytest.raises(InvalidInput) as refused:
        services.announcement_schedule(
            sender=hackathon.organisers.get(), audience="hackathon", params={"hackathon": hackathon.slug},
            title=" ", body="", send_at=timezone.now() - timedelta(minutes=1),
        )
    assert set(refused.value.errors) == {"send_at", "title", "body"}
    assert not ScheduledAnnouncement.objects.exists()
