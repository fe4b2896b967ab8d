"""Request ids: from the balancer's header or made here, on every log line, and carried into
the Celery tasks a request enqueues; log lines are one JSON object each."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from apps.core.request_id import current_request_id, request_id_bound
from community.celery import app as celery_app
from tests.notifications.live_stack import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_balancers_id_is_kept_and_a_missing_or_odd_one_is_made(caplog):
    client = Client()
    with caplog.at_level(logging.INFO, logger="community.requests"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="haproxy-7f3a.42")
    assert response["X-Request-ID"] == "haproxy-7f3a.42"
    line = next(r for r in caplog.records if r.name == "community.requests")
    assert line.request_id == "haproxy-7f3a.42" and line.getMessage() == "GET healthz 200"

    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]
    smuggled = client.get("/healthz", HTTP_X_REQUEST_ID='x" level=ERROR\nforged')["X-Request-ID"]
    assert len(smuggled) == 32 and "forged" not in smuggled
    assert current_request_id.get() == ""  # nothing leaks past the request


class Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_during_a_request_logs_with_its_id():
    from workers.notifications import sweep_notifications

    # Its own handler and level: an in-thread test worker sets the root logger to ERROR and
    # leaves pytest's capture out.
    collected, task_logger = Collected(), logging.getLogger("community.tasks")
    task_logger.addHandler(collected)
    task_logger.setLevel(logging.INFO)
    try:
        with request_id_bound("req-for-the-task"):
            sweep_notifications.delay()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert wait_until(lambda: len(collected.records) == 2, timeout=30)
    finally:
        task_logger.removeHandler(collected)
        task_logger.setLevel(logging.NOTSET)
    assert [r.getMessage() for r in collected.records] == [
        f"task {sweep_notifications.name} started", f"task {sweep_notifications.name} succeeded"]
    assert {r.request_id for r in collected.records} == {"req-for-the-task"}


def test_production_logs_are_one_json_object_per_line():
    program = (
        "import logging, django; django.setup()\n"
        "from apps.core.request_id import request_id_bound\n"
        "with request_id_bound('abc123'):\n"
        "    logging.getLogger('community.example').warning('disk %s full', 'var')\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "community.settings.production", "SECRET_KEY": "x" * 50,
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert finished.returncode == 0, finished.stderr
    lines = [json.loads(line) for line in finished.stderr.splitlines()]
    assert lines[-1]["message"] == "disk var full" and lines[-1]["request_id"] == "abc123"
    assert lines[-1]["level"] == "WARNING" and lines[-1]["logger"] == "community.example"


def test_errors_go_to_sentry_without_personal_data_only_when_a_dsn_is_set():
    program = (
        "import django; django.setup()\n"
        "import sentry_sdk\n"
        "client = sentry_sdk.get_client()\n"
        "print(client.is_active(), client.options['send_default_pii'],"
        " sorted(n for n in client.integrations if n in ('django', 'celery')))\n"
    )
    base = {"DJANGO_SETTINGS_MODULE": "community.settings.production", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    with_dsn = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=ROOT,
                              env={**base, "SENTRY_DSN": "http://public@127.0.0.1:9/1"})
    assert with_dsn.stdout.split("\n")[0] == "True False ['celery', 'django']", with_dsn.stderr
    without = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=base, cwd=ROOT)
    assert without.stdout.startswith("False"), without.stderr
