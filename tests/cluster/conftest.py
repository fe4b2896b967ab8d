import contextlib

import pytest

from tests.cluster.formation import Formation, PrivatePostgres
from tests.notifications.live_stack import SmtpSink

# A mailer's claim lapses after this long without news; the sweep then gives it to a live one.
LEASE_SECONDS = 5


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@contextlib.contextmanager
def _running(tmp_path, smtp_sink, database_url: str = ""):
    started = Formation(
        tmp_path, email_url=smtp_sink.email_url, database_url=database_url,
        extra_env={"NOTIFICATION_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS), "CHAT_PRESENCE_TTL_SECONDS": "5"},
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture
def formation(transactional_db, tmp_path, smtp_sink):
    """Two nodes behind HAProxy, PgBouncer and Redis with Sentinel, sending e-mail to `smtp_sink`,
    on the test database."""
    with _running(tmp_path, smtp_sink) as started:
        yield started


@pytest.fixture
def private_postgres(transactional_db):
    server = PrivatePostgres().start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def formation_on_private_postgres(tmp_path, smtp_sink, private_postgres):
    """The formation on a copy of the test database in a PostgreSQL server the test may restart."""
    with _running(tmp_path, smtp_sink, private_postgres.url) as started:
        yield started
