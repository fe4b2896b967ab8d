"""Every Celery process of the Procfile outlives a Redis restart, and no e-mail is lost or doubled."""

import pytest

from apps.notifications.models import Delivery
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.asgi_server import migrated_test_database_url
from tests.notifications.live_stack import SmtpSink, WorkerProcess, redis_at, wait_until
from tests.own_redis import OwnRedis

OUTAGE_SECONDS = 3


@pytest.mark.django_db(transaction=True)
def test_worker_mailer_and_beat_survive_a_redis_restart_with_e_mail_in_flight(settings, tmp_path):
    before, after = [UserFactory() for _ in range(20)], [UserFactory() for _ in range(20)]
    redis = OwnRedis().start()
    processes = []
    # The third message is held at the server, so the mailer has a job running and
    # unacknowledged when Redis goes away: the moment the thread-pool mailers used to die.
    with SmtpSink() as sink, redis_at(redis.url, settings):
        sink.script("DATA", "hold", nth=3)
        try:
            for name in ("worker", "mailer", "beat"):
                log = open(tmp_path / f"{name}.log", "wb")
                processes.append(WorkerProcess(
                    database_url=migrated_test_database_url(), redis_url=redis.url, email_url=sink.email_url,
                    procfile=name,
                ).start(output=log))
            notify(recipients=before, kind="test.outage", title="Antes del corte")
            assert sink.held.wait(timeout=60), "the mailer never took the job"
            redis.stop()
            sink.release()  # the job goes on while the broker is away
            assert wait_until(lambda: sink.total == len(before), timeout=30)
            # Redis stays down for the outage, or until a process gives up (the old mailers did).
            wait_until(lambda: any(p.process.poll() is not None for p in processes), timeout=OUTAGE_SECONDS)
            redis.start()
            # The mailer takes new work after reconnecting (its retries wait 2, 4, 6… s).
            notify(recipients=after, kind="test.outage", title="Después del corte")
            delivered = wait_until(lambda: sink.total >= len(before) + len(after), timeout=60)
            alive = {name: p.process.poll() is None for name, p in zip(("worker", "mailer", "beat"), processes)}
        finally:
            for process in processes:
                process.stop()
            redis.stop()
    logs = {path.name: path.read_text(errors="replace")[-3000:] for path in tmp_path.glob("*.log")}
    assert alive == {"worker": True, "mailer": True, "beat": True}, logs
    assert delivered, (sink.received, logs)
    assert sink.received == {person.email: 1 for person in before + after}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert "Unrecoverable error" not in logs["mailer.log"]
