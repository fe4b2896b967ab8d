import pytest

from tests.cluster.formation import Formation
from tests.notifications.live_stack import SmtpSink

# A mailer's claim lapses after this long without news; the sweep then gives it to a live one.
LEASE_SECONDS = 5


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def formation(transactional_db, tmp_path, smtp_sink):
    """Two nodes behind HAProxy, PgBouncer and Redis with Sentinel, sending e-mail to `smtp_sink`."""
    started = Formation(
        tmp_path, email_url=smtp_sink.email_url,
        extra_env={"NOTIFICATION_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS), "CHAT_PRESENCE_TTL_SECONDS": "5"},
    )
    try:
        yield started.start()
    finally:
        started.stop()
