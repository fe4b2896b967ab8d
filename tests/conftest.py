"""Fixtures shared by every test; the suite runs on the real PostgreSQL and Redis."""

import pytest
import redis
from django.conf import settings


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


def clear_worker_redis():
    """Delete this test worker's Redis keys (cache, channel layer, broker queues) and no others.

    `cache.clear()` would FLUSHDB the whole database, under the feet of parallel workers.
    """
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{settings.TEST_REDIS_NAMESPACE}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.unlink(*keys[start:start + 500])
    finally:
        client.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, cached values and queued tasks never leak from one test to the next."""
    clear_worker_redis()
    yield
    clear_worker_redis()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the Redis broker.

    `celery_worker.ran(task_id)` is true once that task has finished, `celery_worker.settled()`
    once the queues are empty and every task the worker received has finished (retries
    included): tests wait for those, never for a guessed time.
    """
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun, task_received

    from community.celery import app

    counts = {"received": 0, "finished": 0}
    finished_ids = set()

    def received(**kwargs):
        counts["received"] += 1

    def finished(task_id, **kwargs):
        finished_ids.add(task_id)
        counts["finished"] += 1

    def settled() -> bool:
        with app.connection_for_read() as connection:
            waiting = sum(
                connection.default_channel.queue_declare(queue=queue.name).message_count  # declared by the worker already
                for queue in app.conf.task_queues
            )
        return waiting == 0 and counts["received"] == counts["finished"]

    task_received.connect(received, weak=False)
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            worker.settled = settled
            worker.ran = finished_ids.__contains__
            yield worker
    finally:
        task_received.disconnect(received)
        task_postrun.disconnect(finished)


@pytest.fixture(scope="session")
def object_store():
    """A SeaweedFS S3 server shared by the session's tests of media in an object store."""
    from tests.object_store import SeaweedFS

    store = SeaweedFS().start()
    yield store
    store.stop()
