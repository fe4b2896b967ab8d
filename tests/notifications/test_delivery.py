"""Exactly once in effect: real broker, real workers, real failures."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from apps.notifications import services
from apps.notifications.audiences import EVERYONE
from apps.notifications.models import Delivery, Notification, NotificationEvent
from apps.notifications.services import (
    _mark_sent, announcement_send, deliveries_send, notifications_sweep, notify,
)
from community.celery import app
from tests.accounts.factories import UserFactory
from tests.notifications.live_stack import SmtpSink, WorkerProcess, redis_at, wait_until
from tests.own_redis import OwnRedis
from tests.notifications.mail_backends import FlakyBackend

OPEN = [Delivery.Status.PENDING, Delivery.Status.SENDING]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_notifications_send_nothing_and_committed_ones_arrive_once(celery_worker):
    people = [UserFactory() for _ in range(60)]  # more than the inline size: a worker fans out
    for audience in (people[:3], people):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipients=audience, kind="test.rollback", title="Nunca")
            raise RuntimeError("the action failed")
    notify(recipients=people, kind="test.commit", title="Una vez")
    assert wait_until(lambda: len(mail.outbox) >= 60 and celery_worker.settled(), timeout=60)  # a duplicate would be in
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert {m.subject for m in mail.outbox} == {"[Open Source AI Community] Una vez"}
    assert NotificationEvent.objects.get().kind == "test.commit"
    assert Notification.objects.count() == 60
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()


@pytest.mark.django_db(transaction=True)
def test_failing_messages_are_retried_then_failed_and_nothing_is_sent_twice(celery_worker, settings, client):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.FlakyBackend"
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 3
    FlakyBackend.attempts.clear()
    fine = [UserFactory(email=f"fine{i}@example.org") for i in range(4)]
    flaky = [UserFactory(email=f"flaky{i}@example.org") for i in range(2)]
    broken = [UserFactory(email=f"broken{i}@example.org") for i in range(2)]
    notify(recipients=[*fine, *flaky, *broken], kind="test.flaky", title="Reintentos")
    assert wait_until(lambda: not Delivery.objects.filter(status__in=OPEN).exists() and celery_worker.settled(), timeout=60)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in [*fine, *flaky])
    assert all(FlakyBackend.attempts[p.email] == 1 for p in fine)
    assert all(FlakyBackend.attempts[p.email] == 2 for p in flaky)
    assert all(FlakyBackend.attempts[p.email] == 3 for p in broken)
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert sorted(d.notification.recipient.email for d in failed) == sorted(p.email for p in broken)
    assert all("SMTPRecipientsRefused" in d.last_error and d.attempts == 3 for d in failed)

    # Staff see the failures in the admin and send them again once the mailbox is fixed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/notifications/delivery/?status__exact=failed")
    assert listing.status_code == 200 and "broken0@example.org" in listing.content.decode()
    client.post(
        "/admin/notifications/delivery/",
        {"action": "resend", "_selected_action": [d.pk for d in failed]},
    )
    assert wait_until(lambda: len(mail.outbox) == 8 and celery_worker.settled(), timeout=30)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in [*fine, *flaky, *broken])
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 8


@pytest.mark.django_db(transaction=True)
def test_jobs_sending_the_same_deliveries_at_once_send_each_one_once():
    """Jobs given the same ids (a re-delivered task, the sweep) race for every claim."""
    User = get_user_model()
    people = User.objects.bulk_create(
        User(username=f"racer{i}", email=f"racer{i}@example.org", password="!") for i in range(300)
    )
    event = NotificationEvent.objects.create(kind="test.race", texts={"es": ["Carrera", ""], "en": ["Race", ""]})
    notifications = Notification.objects.bulk_create(
        Notification(event=event, recipient=person, kind=event.kind, title="Carrera") for person in people
    )
    deliveries = Delivery.objects.bulk_create(Delivery(notification=n, queued_at=event.created_at) for n in notifications)
    ids = [d.pk for d in deliveries]
    start = threading.Barrier(4)

    def job(order):
        start.wait()
        try:
            deliveries_send(delivery_ids=order)
        finally:
            connection.close()

    jobs = [threading.Thread(target=job, args=(order,)) for order in (ids, ids[::-1], ids[::2] + ids[1::2], ids)]
    for thread in jobs:
        thread.start()
    for thread in jobs:
        thread.join()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Delivery.objects.filter(status=Delivery.Status.SENT, attempts=1).count() == len(people)


@pytest.mark.django_db(transaction=True)
def test_only_the_marks_around_the_data_commit_without_waiting_for_the_disk():
    """The claim before sending must survive a crash of PostgreSQL: it is what keeps a
    message from going out twice. The marks before each message (the one before it sent,
    this one possibly with the server) and the job's last "sent" may lose their last
    fraction of a second (the sweep then takes such deliveries back when their lease
    lapses, as after a dead job), so they do not wait."""
    from django.test.utils import CaptureQueriesContext

    people = [UserFactory(), UserFactory()]
    event = NotificationEvent.objects.create(kind="test.disk", texts={"es": ["Disco", ""], "en": ["Disk", ""]})
    deliveries = [
        Delivery.objects.create(
            notification=Notification.objects.create(event=event, recipient=person, kind=event.kind, title="Disco"),
            queued_at=event.created_at,
        )
        for person in people
    ]
    with CaptureQueriesContext(connection) as queries:
        deliveries_send(delivery_ids=[delivery.pk for delivery in deliveries])
    claim = [q["sql"] for q in queries if "SKIP LOCKED" in q["sql"]]
    marks = [
        q["sql"] for q in queries
        if q["sql"].lstrip().startswith(("UPDATE", "SET")) and "SKIP LOCKED" not in q["sql"]
    ]
    assert len(claim) == 1 and "synchronous_commit" not in claim[0]
    assert len(marks) == 3 and all(mark.startswith("SET LOCAL synchronous_commit TO OFF;") for mark in marks)
    first, second, last = (mark.split("; ")[1:] for mark in marks)
    assert len(first) == 1 and "data_sent_at" in first[0] and f"id = {deliveries[0].pk}" in first[0]
    assert "status = 'sent'" in second[0] and f"id = {deliveries[0].pk}" in second[0]
    assert "data_sent_at" in second[1] and f"id = {deliveries[1].pk}" in second[1]
    assert len(last) == 1 and "status = 'sent'" in last[0] and f"id = {deliveries[1].pk}" in last[0]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)  # the next claim on this connection waits for the disk again
    with transaction.atomic(), connection.cursor() as cursor:  # inside a caller's transaction: no SET LOCAL
        _mark_sent(deliveries[0])
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    assert [m.to for m in mail.outbox] == [[person.email] for person in people]
    assert {d.status for d in Delivery.objects.all()} == {Delivery.Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_claim_was_taken_back_sends_nothing_of_it():
    """Its lease lapsed and another job claimed the delivery (a new attempt): the first job
    must leave it to that one, neither sending it nor marking it sent."""
    people = [UserFactory(email=f"claimed{i}@example.org") for i in range(3)]
    notify(recipients=people, kind="test.claim", title="Reclamado")
    taken = Delivery.objects.get(notification__recipient=people[1])
    claim = services._claim

    def claim_then_lose_the_second(deliveries):
        claimed = claim(deliveries)
        Delivery.objects.filter(pk=taken.pk).update(attempts=F("attempts") + 1)  # another job's claim
        return claimed

    with mock.patch.object(services, "_claim", claim_then_lose_the_second):
        deliveries_send(delivery_ids=list(Delivery.objects.order_by("pk").values_list("pk", flat=True)))
    assert [m.to for m in mail.outbox] == [[people[0].email], [people[2].email]]
    taken.refresh_from_db()
    assert (taken.status, taken.sent_at, taken.data_sent_at) == (Delivery.Status.SENDING, None, None)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_stops_answering_costs_a_job_its_timeout_not_its_thread(settings):
    """It accepts the connection and never says a word: the job gives up after
    EMAIL_TIMEOUT and the delivery waits for its retry, instead of a mailer thread hanging."""
    import socket

    silent = socket.create_server(("127.0.0.1", 0))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent.getsockname()[1], 1
    person = UserFactory()
    event = NotificationEvent.objects.create(kind="test.silent", texts={"es": ["Silencio", ""], "en": ["Silence", ""]})
    notification = Notification.objects.create(event=event, recipient=person, kind=event.kind, title="Silencio")
    delivery = Delivery.objects.create(notification=notification, queued_at=event.created_at)
    try:
        started = time.monotonic()
        retries = deliveries_send(delivery_ids=[delivery.pk])
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert elapsed < 10, f"the job waited {elapsed:.0f} s for a silent server"
    assert list(retries.values()) == [[delivery.pk]]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and "timed out" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_redis_down_at_commit_keeps_the_rows_and_the_sweep_sends_the_email(settings, caplog):
    member = UserFactory()
    redis = OwnRedis().start()
    try:
        with redis_at(redis.url, settings):
            redis.stop()
            started = time.monotonic()
            notify(recipients=[member], kind="test.outage", title="Aunque Redis caiga")
            took = time.monotonic() - started
    finally:
        redis.stop()
    assert took < 20
    assert caplog.text.count("Error calling") == 2  # the live push and the e-mail enqueue
    assert Notification.objects.filter(recipient=member).count() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and mail.outbox == []

    # Redis is back: the periodic sweep queues what was recorded but never queued.
    app.conf.task_always_eager = True
    try:
        assert notifications_sweep(grace=timedelta(0))["deliveries"] == 1
    finally:
        app.conf.task_always_eager = False
    assert [m.to[0] for m in mail.outbox] == [member.email]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


AUDIENCE = 10_000
MAILER_THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_announcement_leaves_one_notification_and_every_email_sent(settings, monkeypatch):
    """The Procfile's workers as they run in production: `worker` fans out, `mailer` (threads) e-mails."""
    monkeypatch.setenv("MAILER_THREADS", str(MAILER_THREADS))
    monkeypatch.setenv("NOTIFICATION_CLAIM_LEASE_SECONDS", "2")
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 2
    User = get_user_model()
    User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.org", password="!") for i in range(AUDIENCE)
    )
    staff = UserFactory(is_staff=True)
    app.control.purge()  # messages other tests queued without a worker
    database = settings.DATABASES["default"]
    database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    with SmtpSink() as sink:
        workers = []

        def start_workers():
            workers.extend(
                WorkerProcess(
                    database_url=database_url, redis_url=settings.REDIS_URL, email_url=sink.email_url, procfile=name
                ).start()
                for name in ("worker", "mailer")
            )

        try:
            start_workers()
            event = announcement_send(sender=staff, audience=EVERYONE, params={}, title="Anuncio", body="Hola a todos")
            assert wait_until(lambda: sink.total >= 300, timeout=120)
            for worker in workers:
                worker.kill()
            before_kill = sink.total
            # No worker runs now: what the dead ones claimed comes back when its lease lapses.
            assert wait_until(
                lambda: not Delivery.objects.filter(lease_expires_at__gte=timezone.now()).exists(), timeout=10
            )
            notifications_sweep(grace=timedelta(0))
            start_workers()
            finished = wait_until(
                lambda: NotificationEvent.objects.filter(pk=event.pk, expanded_at__isnull=False).exists()
                and not Delivery.objects.filter(status__in=OPEN).exists(),
                timeout=480,  # minutes on a loaded 2-core machine; seconds on an idle one
                step=0.5,
            )
            progress = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))
        finally:
            for worker in workers:
                worker.stop()
        assert finished, (progress, sink.total, NotificationEvent.objects.values("expanded_through", "expanded_at").get())
        time.sleep(0.5)
        received = sink.received.copy()
    audience = AUDIENCE + 1  # the staff member is a member too
    assert before_kill < audience  # the kill did land in the middle
    assert Notification.objects.filter(event=event).count() == audience
    assert Notification.objects.filter(event=event).values("recipient").distinct().count() == audience
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == audience
    assert len(received) == audience
    # A second copy only where the kill fell between a message's data and its answer: at
    # most one per thread of the dead mailer.
    unsure = set(
        Delivery.objects.filter(unconfirmed__gt=0).values_list("notification__recipient__email", flat=True)
    )
    assert {email for email, copies in received.items() if copies > 1} <= unsure
    assert max(received.values()) <= 2 and len(unsure) <= MAILER_THREADS
