"""Multi-process mode: two web processes of one node write to PROMETHEUS_MULTIPROC_DIR and
one scrape adds them up (whichever process answers it); the pool's connections in use and the
requests waiting for one are reported too."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.asgi_server import running_asgi_server
from tests.notifications.live_stack import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _scraped(server, name: str, **labels: str) -> float:
    response = requests.get(f"{server.url}/metrics", timeout=20)
    assert response.status_code == 200
    return sum(
        sample.value for family in text_string_to_metric_families(response.text) for sample in family.samples
        if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items())
    )


def test_one_scrape_adds_up_every_web_process(tmp_path):
    with running_asgi_server(startup_timeout=120, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), WEB_CONCURRENCY="2") as server:
        before = _scraped(server, "community_http_requests_total", route="readyz", status="200")
        for _ in range(20):
            assert requests.get(f"{server.url}/readyz", timeout=20).status_code == 200
        assert _scraped(server, "community_http_requests_total", route="readyz", status="200") == before + 20
        assert list(tmp_path.glob("counter_*.db"))  # the values live in files, not one process
        # Every scrape reads deliveries from the database: its process had a pooled connection out.
        assert _scraped(server, "community_db_pool_connections_in_use") >= 1


def test_the_pool_reports_requests_waiting_for_its_only_connection(tmp_path, monkeypatch):
    """One pooled connection, held by a request blocked on a table lock: the next request
    waits for it, and the answers finished meanwhile report both at the node's scrape."""
    from django.db import connection, transaction

    from apps.core.metrics import scrape
    from apps.core.models import TopicGeneration

    def node(name: str) -> float:
        """What a scrape of any web process of this node answers, read here: the server's own
        scrape reads deliveries from the database, so it would queue for the held connection too."""
        return sum(sample.value for family in text_string_to_metric_families(scrape().decode())
                   for sample in family.samples if sample.name == name)

    def blocked_on_the_lock() -> int:
        with connection.cursor() as cursor:
            # Inside a transaction the view is read once unless its snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND wait_event_type = 'Lock'")
            return cursor.fetchone()[0]

    def answered_meanwhile(name: str, value: float):
        """A request that needs no connection answers and notes the pool as it is now."""
        return lambda: requests.get(f"{server.url}/healthz", timeout=20).ok and node(name) == value

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with running_asgi_server(startup_timeout=120, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), DB_POOL_MIN_SIZE="1",
                             DB_POOL_MAX_SIZE="1", DB_POOL_TIMEOUT="60") as server, ThreadPoolExecutor(2) as clients:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Every visitor's API list reads its topics' generations (apps/core/visitor_cache.py).
                cursor.execute(f"LOCK TABLE {TopicGeneration._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            listings = [clients.submit(requests.get, f"{server.url}/api/hackathons/", timeout=60)]
            assert wait_until(lambda: blocked_on_the_lock() == 1, timeout=20)
            assert wait_until(answered_meanwhile("community_db_pool_connections_in_use", 1), timeout=20)
            listings.append(clients.submit(requests.get, f"{server.url}/api/hackathons/", timeout=60))
            assert wait_until(answered_meanwhile("community_db_pool_requests_waiting", 1), timeout=20)
        assert [listing.result().status_code for listing in listings] == [200, 200]
        assert wait_until(answered_meanwhile("community_db_pool_requests_waiting", 0), timeout=20)
        assert node("community_db_pool_connections_in_use") == 0
