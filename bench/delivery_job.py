"""Benchmark: CPU and wall time per e-mail of the delivery job alone, in one thread.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_prof \
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python -m bench.delivery_job

One event's deliveries (BENCH_EMAILS, 4000) are sent by `deliveries_send` in jobs of
`DELIVERY_BATCH`, as the mailer runs them, to Postfix's smtp-sink in its own process,
after one job as a warm-up; CPU is this process's (the job's) only. BENCH_PROFILE=1 prints
a cProfile of the measured jobs instead (which inflates the CPU figure).
Throw-away test database.
"""

import cProfile
import os
import pstats
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

import django  # noqa: E402

django.setup()

from django.test.utils import override_settings, setup_databases, teardown_databases  # noqa: E402

from apps.notifications import services  # noqa: E402
from apps.notifications.models import Delivery, NotificationEvent  # noqa: E402
from bench.notifications import PostfixSink, members  # noqa: E402

EMAILS = int(os.environ.get("BENCH_EMAILS", 4000))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"


def main():
    config = setup_databases(verbosity=0, interactive=False)
    try:
        with PostfixSink() as sink, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
        ):
            event = NotificationEvent.objects.create(
                kind=services.ANNOUNCEMENT, texts=services._texts("Anuncio", "Hola a todas y a todos."),
                recipient_ids=members(EMAILS, "member"), enqueued_at=None,
            )
            services._enqueue_deliveries = lambda ids: None  # the jobs are run here instead
            services.event_expand(event_id=event.pk)
            ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
            jobs = [ids[start:start + services.DELIVERY_BATCH] for start in range(0, len(ids), services.DELIVERY_BATCH)]
            services.deliveries_send(delivery_ids=jobs[0])
            measured = sum(len(job) for job in jobs[1:])
            profiler = cProfile.Profile() if PROFILE else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for job in jobs[1:]:
                services.deliveries_send(delivery_ids=job)
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert sink.total == EMAILS and not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    finally:
        teardown_databases(config, verbosity=0)
    print(f"{measured} e-mails in jobs of {services.DELIVERY_BATCH}, one thread"
          f"{' (profiled)' if profiler else ''}")
    print(f"CPU per e-mail   {cpu / measured * 1000:.3f} ms")
    print(f"wall per e-mail  {wall / measured * 1000:.3f} ms")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
