"""Benchmark: a 10,000-recipient announcement end to end through a real Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_notify \
    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python -m bench.notifications

PostgreSQL, the Redis broker, a `celery worker` process and a local SMTP server are all
real; it runs in a throw-away test database (test_<name>). It reports the time of
the organiser's request, the end-to-end time until the last e-mail reached the sink, and
the same path with one task per recipient (each its own SMTP connection), measured on a
smaller audience in the same run and compared per recipient.
Sizes: BENCH_AUDIENCE (10000), BENCH_BASELINE (1000). The workers are the Procfile's
`worker` and `mailer` command lines as they are (their ${VAR:-default}s, e.g.
MAILER_THREADS, come from the environment), started BENCH_FORMATION times each
("worker=1,mailer=2", what `make stack` runs); their logs go to BENCH_WORKER_LOG.
BENCH_SINK picks the SMTP server: `smtp-sink` (Postfix's benchmark sink, written in C;
Debian's postfix package) or `aiosmtpd` (the tests' sink, ~0.45 ms of Python per e-mail
taken from the two cores the platform runs on).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.notifications import services  # noqa: E402
from apps.notifications.models import Delivery, NotificationEvent  # noqa: E402
from community.celery import app  # noqa: E402
from tests.notifications.live_stack import SmtpSink, WorkerProcess, wait_until  # noqa: E402
from tests.own_redis import free_port  # noqa: E402

AUDIENCE = int(os.environ.get("BENCH_AUDIENCE", 10_000))
BASELINE = int(os.environ.get("BENCH_BASELINE", 1_000))
FORMATION = {
    name: int(count)
    for name, count in (part.split("=") for part in os.environ.get("BENCH_FORMATION", "worker=1,mailer=2").split(","))
}
WORKER_LOG = os.environ.get("BENCH_WORKER_LOG", "/tmp/bench-notifications-workers.log")
SINK = os.environ.get("BENCH_SINK", "smtp-sink")
if SINK not in ("smtp-sink", "aiosmtpd"):
    raise SystemExit(f"BENCH_SINK={SINK!r}: choose smtp-sink or aiosmtpd")
OPEN = [Delivery.Status.PENDING, Delivery.Status.SENDING]
RECIPIENT_LINE = b"X-Rcpt-Args: <"


class PostfixSink:
    """Postfix's `smtp-sink`, a real SMTP server made for load tests; recipients are counted
    from the envelopes in its dump file, reading only what was added since the last look."""

    def __init__(self, port: int | None = None):
        self.binary = shutil.which("smtp-sink", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
        if self.binary is None:
            raise SystemExit("smtp-sink is not installed: apt-get install postfix (or run with BENCH_SINK=aiosmtpd)")
        self.port = port or free_port()
        self._received = Counter()
        # Run as root, smtp-sink writes as `nobody`: the dump and its temporary files beside it.
        # In memory where there is a tmpfs: writing 100,000 messages back to disk took CPU
        # from the two cores the platform is measured on.
        self._directory = tempfile.TemporaryDirectory(
            prefix="bench-smtp-sink-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
        )
        os.chmod(self._directory.name, 0o777)
        self._dump = os.path.join(self._directory.name, "dump")
        self._reader = open(self._dump, "xb+")
        os.chmod(self._dump, 0o666)
        self._partial_line = b""
        self.process = None

    def __enter__(self):
        as_nobody = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen([self.binary, *as_nobody, "-D", self._dump, f"127.0.0.1:{self.port}", "1024"])
        if not wait_until(self._listening, timeout=10):
            self.__exit__()
            raise SystemExit("smtp-sink did not start")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        self._reader.close()
        self._directory.cleanup()

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    @property
    def received(self) -> Counter:
        lines = (self._partial_line + self._reader.read()).split(b"\n")
        self._partial_line = lines.pop()
        for line in lines:
            if line.startswith(RECIPIENT_LINE):
                self._received[line[len(RECIPIENT_LINE):].partition(b">")[0].decode()] += 1
        return self._received

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def members(count: int, prefix: str) -> list[int]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    created = User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", password="!") for i in range(count)
    )
    return [user.pk for user in created]


def all_sent(expected: int, sink) -> bool:
    return sink.total >= expected and not Delivery.objects.filter(status__in=OPEN).exists()


def announcement_run(staff, sink, *, expected: int) -> dict:
    """`staff` announces to everyone through the page; returns once `expected` more e-mails reached
    `sink` and none is left to send: the request's and the run's times, and this run's duplicates."""
    before = Counter(sink.received)
    organiser = Client()
    organiser.force_login(staff)
    organiser.get("/notifications/announce/everyone/")  # warm up: templates, URLs, translations
    started, started_at = time.perf_counter(), timezone.now()
    response = organiser.post(
        "/notifications/announce/everyone/",
        {"title": "Anuncio a toda la comunidad", "body": "Hola a todas y a todos.", "send": ""},
    )
    request_seconds = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    assert wait_until(lambda: all_sent(before.total() + expected, sink), timeout=900, step=0.2)
    end_to_end_seconds = time.perf_counter() - started
    received = sink.received - before
    event = NotificationEvent.objects.filter(kind=services.ANNOUNCEMENT).latest("pk")
    first_sent_at = Delivery.objects.filter(notification__event=event).aggregate(first=Min("sent_at"))["first"]
    return {
        "request_seconds": request_seconds,
        "first_email_seconds": (first_sent_at - started_at).total_seconds(),
        "fan_out_seconds": (event.expanded_at - started_at).total_seconds(),
        "end_to_end_seconds": end_to_end_seconds,
        "emails": received.total(),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
    }


def main():
    config = setup_databases(verbosity=0, interactive=False)
    database = settings.DATABASES["default"]
    database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    app.control.purge()
    workers = []
    try:
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.create(username="staff", email="staff@example.org", is_staff=True)
        members(AUDIENCE - 1, "member")
        with (PostfixSink() if SINK == "smtp-sink" else SmtpSink()) as sink:
            with open(WORKER_LOG, "w") as log:
                workers = [
                    WorkerProcess(
                        database_url=database_url, redis_url=settings.REDIS_URL, email_url=sink.email_url,
                        procfile=name, extra=("--hostname", f"bench-{name}{n}@%h"),
                    ).start(output=log)
                    for name, count in FORMATION.items()
                    for n in range(count)
                ]
            if not wait_until(lambda: len(app.control.ping(timeout=0.5)) == len(workers), timeout=60):
                raise SystemExit("the worker did not start")
            announced = announcement_run(staff, sink, expected=AUDIENCE)

            # The same path with one delivery task per recipient, each opening its own connection.
            baseline_ids = members(BASELINE, "baseline")
            services.DELIVERY_BATCH = 1
            event = NotificationEvent.objects.create(
                kind="bench.baseline", texts=services._texts("Uno a uno", "Un aviso por tarea"),
                recipient_ids=baseline_ids, enqueued_at=None,
            )
            before = sink.total
            started = time.perf_counter()
            services.event_expand(event_id=event.pk)
            assert wait_until(lambda: all_sent(before + BASELINE, sink), timeout=900, step=0.2)
            baseline_seconds = time.perf_counter() - started
            duplicates = sum(count - 1 for count in sink.received.values() if count > 1)
            batched_seconds = announced["end_to_end_seconds"]
    finally:
        for worker in workers:
            worker.stop()
        teardown_databases(config, verbosity=0)
    per_batched = batched_seconds / AUDIENCE
    per_baseline = baseline_seconds / BASELINE
    formation = ", ".join(f"{count} x {name}" for name, count in FORMATION.items())
    print(f"audience                          {AUDIENCE} (Procfile: {formation}; SMTP server: {SINK})")
    print(f"organiser request                 {announced['request_seconds'] * 1000:.0f} ms")
    print(f"  first e-mail accepted after     {announced['first_email_seconds']:.1f} s")
    print(f"  fan-out (all rows) done after   {announced['fan_out_seconds']:.1f} s")
    print(f"announcement end to end           {batched_seconds:.1f} s ({AUDIENCE / batched_seconds:.0f} e-mails/s)")
    print(f"one task per recipient ({BASELINE})  {baseline_seconds:.1f} s ({BASELINE / baseline_seconds:.0f} e-mails/s)")
    print(f"speed-up per recipient            {per_baseline / per_batched:.1f}x")
    print(f"duplicate e-mails                 {duplicates}")


if __name__ == "__main__":
    main()
