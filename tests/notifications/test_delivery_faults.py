"""Each way a delivery can break, counted per recipient at a real SMTP server: exactly once,
except after a reply lost once the data went out, which costs at most one duplicate."""

import pytest

from apps.notifications.models import Delivery
from apps.notifications.services import deliveries_resend, deliveries_send, notifications_sweep, notify
from tests.accounts.factories import UserFactory
from tests.asgi_server import migrated_test_database_url
from tests.notifications.live_stack import SmtpSink, WorkerProcess, wait_until

# Long enough for a loaded machine to kill the mailer and look before it lapses.
LEASE_SECONDS = 4


def _people(count: int) -> list:
    return [UserFactory(email=f"person{i}@example.org") for i in range(count)]


def _delivery_of(person) -> Delivery:
    return Delivery.objects.get(notification__recipient=person)


def _send_all():
    """One job over every delivery, as a mailer runs it (every retry due at once)."""
    return deliveries_send(delivery_ids=list(Delivery.objects.order_by("pk").values_list("pk", flat=True)))


@pytest.fixture
def smtp(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        yield sink


# (command, action at the second message, status after the first job, received by the
# second person after the first job, after the second job, status at the end, attempts
# without an answer after the data)
SMTP_FAULTS = {
    "4xx": ("DATA", "451 Try again later", Delivery.Status.PENDING, 0, 1, Delivery.Status.SENT, 0),
    "5xx": ("DATA", "554 Refused", Delivery.Status.FAILED, 0, 0, Delivery.Status.FAILED, 0),
    "cut before the data": ("RCPT", "cut", Delivery.Status.PENDING, 0, 1, Delivery.Status.SENT, 0),
    "cut after the data": ("DATA", "cut", Delivery.Status.PENDING, 1, 2, Delivery.Status.SENT, 1),
}


@pytest.mark.django_db
@pytest.mark.parametrize("fault", SMTP_FAULTS)
def test_smtp_faults_are_retried_without_sending_twice_except_after_a_lost_reply(smtp, fault):
    command, action, first_status, first_count, final_count, final_status, unconfirmed = SMTP_FAULTS[fault]
    smtp.script(command, action, nth=2)
    first, second, third = _people(3)
    notify(recipients=[first, second, third], kind="test.faults", title="Fallos")
    _send_all()
    assert _delivery_of(second).status == first_status
    assert smtp.received[second.email] == first_count
    _send_all()
    _send_all()  # nothing left to do: a third job sends nothing
    assert [smtp.received[p.email] for p in (first, second, third)] == [1, final_count, 1]
    delivery = _delivery_of(second)
    assert (delivery.status, delivery.unconfirmed) == (final_status, unconfirmed)
    assert [_delivery_of(p).status for p in (first, third)] == [Delivery.Status.SENT] * 2


@pytest.mark.django_db
def test_a_second_lost_reply_after_the_data_leaves_the_delivery_failed_for_staff(smtp):
    smtp.script("DATA", "cut", nth=1).script("DATA", "cut", nth=2)
    (person,) = _people(1)
    notify(recipients=[person], kind="test.faults", title="Dos cortes")
    _send_all()
    _send_all()
    _send_all()
    assert smtp.received == {person.email: 2}  # at most one duplicate, never a third copy
    delivery = _delivery_of(person)
    assert delivery.status == Delivery.Status.FAILED and delivery.unconfirmed == 2
    assert "may have been delivered" in delivery.last_error

    # Staff who resend it from the admin start it over.
    assert deliveries_resend(delivery_ids=[delivery.pk]) == 1
    _send_all()
    assert smtp.received == {person.email: 3}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.unconfirmed) == (Delivery.Status.SENT, 0)


# Where the mailer is killed: the second message's envelope (RCPT), its data in and the
# answer not yet out (DATA), the third message's start once the second was accepted (MAIL).
# (command, nth, whose message was held, copies that person gets). The held one is marked
# as possibly with the server in every case (the mark goes before its envelope): it is
# taken back once, and its one extra try is spent.
KILLS = {
    "before a message": ("RCPT", 2, "person1@example.org", 1),
    "during a message": ("DATA", 2, "person1@example.org", 2),
    "after a message": ("MAIL", 3, "person2@example.org", 1),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moment", KILLS)
def test_a_mailer_killed_at_any_moment_leaves_no_e_mail_behind(smtp, settings, monkeypatch, moment):
    command, nth, held, copies = KILLS[moment]
    monkeypatch.setenv("NOTIFICATION_CLAIM_LEASE_SECONDS", str(LEASE_SECONDS))
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = LEASE_SECONDS
    people = _people(4)
    smtp.script(command, "hold", nth=nth)
    mailer = WorkerProcess(
        database_url=migrated_test_database_url(), redis_url=settings.REDIS_URL, email_url=smtp.email_url,
        procfile="mailer",
    ).start()
    try:
        notify(recipients=people, kind="test.kill", title="SIGKILL")
        assert smtp.held.wait(timeout=60), f"the mailer never reached the message: {smtp.received}"
        mailer.kill()
    finally:
        mailer.stop()
    smtp.release()
    delivery = Delivery.objects.get(notification__recipient__email=held)
    assert delivery.status == Delivery.Status.SENDING
    assert delivery.data_sent_at is not None
    # Nothing is taken back while the leases run (the held one was renewed before its data,
    # the others lapse first); then the sweep queues them for a live mailer, whose job runs here.
    assert notifications_sweep()["taken_back"] == 0

    def all_taken_back():
        notifications_sweep()
        return not Delivery.objects.filter(status=Delivery.Status.SENDING).exists()

    assert wait_until(all_taken_back, timeout=LEASE_SECONDS + 10, step=0.2)
    _send_all()
    assert dict(smtp.received) == {person.email: 1 for person in people} | {held: copies}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert dict(Delivery.objects.values_list("notification__recipient__email", "unconfirmed")) == {
        person.email: int(person.email == held) for person in people
    }
