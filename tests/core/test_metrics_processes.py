"""Multi-process mode: two web processes of one node write to PROMETHEUS_MULTIPROC_DIR and
one scrape adds them up (whichever process answers it); the pool's connections in use are reported too."""

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.asgi_server import running_asgi_server

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
