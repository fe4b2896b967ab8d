"""Digests: the member's local morning, what they have not read, once per period."""

from datetime import datetime, timezone

import pytest
from django.core import mail

from apps.notifications.models import Digest, Notification
from apps.notifications.services import digests_send, email_settings_update, notify
from tests.accounts.factories import UserFactory


def _at(hour_utc: int, day: int = 2):  # 2 December 2026 is a Wednesday
    return datetime(2026, 12, day, hour_utc, 30, tzinfo=timezone.utc)


@pytest.mark.django_db
def test_daily_digest_arrives_in_the_members_morning_once_per_day():
    madrid = UserFactory(time_zone="Europe/Madrid")  # UTC+1 in December
    bogota = UserFactory(time_zone="America/Bogota")  # UTC-5
    for member in (madrid, bogota):
        email_settings_update(user=member, modes={"compute.decision": "digest"})
    read, = notify(recipients=[madrid], kind="compute.decision", title="Leída")
    read.read_at = read.created_at
    read.save()
    notify(recipients=[madrid, bogota], kind="compute.decision", title="Tu solicitud fue aprobada")
    notify(recipients=[madrid, bogota], kind="compute.review_assigned", title="No va en el resumen")
    Notification.objects.update(created_at=_at(0))
    mail.outbox.clear()
    assert digests_send(now=_at(6)) == 0  # 07:30 in Madrid, 01:30 in Bogotá: too early for both
    assert digests_send(now=_at(7)) == 1  # 08:30 in Madrid
    assert digests_send(now=_at(8)) == 0  # run again: already sent today
    assert digests_send(now=_at(13)) == 1  # 08:30 in Bogotá
    assert [m.to[0] for m in mail.outbox] == [madrid.email, bogota.email]
    assert "Tu solicitud fue aprobada" in mail.outbox[0].body
    assert "Leída" not in mail.outbox[0].body and "No va en el resumen" not in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert Digest.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_weekly_digest_waits_for_monday_and_nobody_without_digests_gets_one():
    weekly = UserFactory(time_zone="Europe/Madrid")
    email_settings_update(user=weekly, modes={"compute.decision": "digest"}, digest="weekly")
    plain = UserFactory()
    notify(recipients=[weekly, plain], kind="compute.decision", title="Tu solicitud fue aprobada")
    Notification.objects.update(created_at=_at(6, day=6))
    mail.outbox.clear()
    assert digests_send(now=_at(9, day=2)) == 0  # a Wednesday
    assert digests_send(now=_at(9, day=7)) == 1  # Monday 7 December, 10:30 in Madrid
    assert digests_send(now=_at(15, day=7)) == 0
    assert [m.to[0] for m in mail.outbox] == [weekly.email]


@pytest.mark.django_db
def test_kinds_that_default_to_the_digest_go_into_it_unless_the_member_chose_otherwise():
    member, emails_it, silent = UserFactory(), UserFactory(), UserFactory()
    email_settings_update(user=emails_it, modes={"hackathons.phase_changed": "email"})
    email_settings_update(user=silent, email_enabled=False)
    notify(recipients=[member, emails_it, silent], kind="hackathons.phase_changed", title="Empieza el hacking")
    notify(recipients=[member, emails_it, silent], kind="meetups.rsvp_confirmed", title="Vas al encuentro")
    notify(recipients=[member], kind="chat.mention", title="Te mencionaron")
    Notification.objects.update(created_at=_at(0))
    mail.outbox.clear()
    assert digests_send(now=_at(9)) == 1
    assert [m.to[0] for m in mail.outbox] == [member.email]
    body = mail.outbox[0].body
    assert "Empieza el hacking" in body
    assert "Vas al encuentro" not in body  # only on the site
    assert "Te mencionaron" not in body  # e-mailed on its own already
    assert Digest.objects.get().notification_count == 1


@pytest.mark.django_db
def test_digest_run_queries_do_not_grow_with_members_who_have_none_due(django_assert_num_queries):
    def run(size):
        people = [UserFactory(time_zone="America/Bogota") for _ in range(size)]  # 04:30 there: not yet
        notify(recipients=people, kind="hackathons.phase_changed", title="Fase")
        Notification.objects.update(created_at=_at(0))
        # the unread kinds, the preferences, the members with their schedule
        with django_assert_num_queries(3):
            assert digests_send(now=_at(9)) == 0

    run(2)
    run(8)
