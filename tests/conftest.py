"""Fixtures shared by every test; the suite runs on the real PostgreSQL and Redis."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache


def pytest_sessionstart(session):
    """Fail the whole run at once when a service it needs is down, instead of skipping."""
    if not settings.REDIS_URL:
        pytest.exit("REDIS_URL is not set: the tests need a real Redis.", returncode=3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis at {settings.REDIS_URL} is not reachable: {exc}", returncode=3)
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("The tests need PostgreSQL (DATABASE_URL).", returncode=3)


def pytest_collection_modifyitems(items):
    """Browser journeys run last: Playwright keeps an event loop in the main thread."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values never leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from community.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
