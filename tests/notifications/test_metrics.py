"""E-mail deliveries by status at `/metrics`, read from the database when scraped."""

import pytest
from django.test import Client

from apps.notifications.models import Delivery
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.metrics_scrape import metric
from tests.notifications.live_stack import SmtpSink, wait_until
from tests.notifications.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db(transaction=True)


def _deliveries(client, status):
    return metric(client, "community_notification_deliveries", status=status)


def test_deliveries_pending_then_failed(settings):
    client = Client()
    assert (_deliveries(client, "pending"), _deliveries(client, "sending"), _deliveries(client, "failed")) == (0, 0, 0)
    notify(recipients=[UserFactory(email="fine@example.org"), UserFactory(email="broken@example.org")],
           kind="test.metrics", title="Métricas")
    assert _deliveries(client, "pending") == 2

    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.FlakyBackend"
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 1
    FlakyBackend.attempts.clear()
    from celery.contrib.testing.worker import start_worker

    from community.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_until(lambda: _deliveries(client, "failed") == 1, timeout=30)
    assert _deliveries(client, "pending") == 0
    assert Delivery.objects.get(status=Delivery.Status.FAILED).notification.recipient.email == "broken@example.org"


def test_a_delivery_a_mailer_holds_shows_as_sending(settings):
    """Claimed, its data at the mail server and no answer yet: in flight, neither pending nor sent."""
    client = Client()
    notify(recipients=[UserFactory(email="waiting@example.org")], kind="test.metrics", title="En camino")
    assert (_deliveries(client, "pending"), _deliveries(client, "sending")) == (1, 0)
    from celery.contrib.testing.worker import start_worker

    from community.celery import app

    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        sink.script("DATA", "hold")
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            try:
                assert sink.held.wait(timeout=30), "the mailer never reached the mail server"
                assert (_deliveries(client, "pending"), _deliveries(client, "sending")) == (0, 1)
            finally:
                sink.release()  # else the worker, still held, would not stop
            assert wait_until(lambda: _deliveries(client, "sending") == 0, timeout=30)
    assert Delivery.objects.get().status == Delivery.Status.SENT
