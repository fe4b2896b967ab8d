"""`/metrics`: readable from the operator's network only, and each metric moves with its event."""

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import include, path

from apps.core.cache import FailSoftRedisCache
from apps.core.live import group_send_many
from community.celery import app as celery_app
from tests.metrics_scrape import metric
from tests.notifications.live_stack import wait_until
from tests.own_redis import OwnRedis, free_port


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom", boom, name="boom"), path("", include("community.urls"))]


@pytest.mark.django_db
def test_only_the_operators_network_reads_metrics(client, settings):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # A forwarded address counts only behind trusted proxies; then the proxy's own does not.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1", REMOTE_ADDR="203.0.113.9").status_code == 404
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_requests_latency_and_errors_by_route():
    client = Client(raise_request_exception=False)
    requests = metric(client, "community_http_requests_total", route="healthz", status="200")
    timed = metric(client, "community_http_request_duration_seconds_count", route="healthz")
    errors = metric(client, "community_http_errors_total", route="boom")
    for _ in range(3):
        client.get("/healthz")
    assert client.get("/boom").status_code == 500
    assert metric(client, "community_http_requests_total", route="healthz", status="200") == requests + 3
    assert metric(client, "community_http_request_duration_seconds_count", route="healthz") == timed + 3
    assert metric(client, "community_http_errors_total", route="boom") == errors + 1
    assert metric(client, "community_http_requests_total", route="boom", status="500") >= 1
    # The route is the URL name: a path with an id is no label of its own.
    client.get("/no/such/page/42")
    assert metric(client, "community_http_requests_total", route="unmatched", status="404") >= 1


@pytest.mark.django_db
def test_redis_errors_count_failed_cache_calls(client):
    before = metric(client, "community_redis_errors_total", client="cache")
    unreachable = FailSoftRedisCache(f"redis://127.0.0.1:{free_port()}/0", {
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}, "KEY_PREFIX": "metrics-test",
    })
    assert unreachable.get("anything", "fallback") == "fallback"
    assert metric(client, "community_redis_errors_total", client="cache") == before + 1


@pytest.mark.django_db
def test_redis_errors_count_a_broker_out_of_reach_at_scrape(client, monkeypatch):
    before = metric(client, "community_redis_errors_total", client="broker")
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(celery_app, "_pool", None)  # its connections to the shared broker
    assert metric(client, "community_redis_errors_total", client="broker") == before + 1


@pytest.mark.django_db
def test_redis_errors_count_group_sends_the_channel_layer_could_not_make(client, settings):
    server = OwnRedis().start()
    try:
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "apps.core.channel_layer.CommunityRedisChannelLayer",
            "CONFIG": {"hosts": [{"address": server.url, "socket_connect_timeout": 0.5, "socket_timeout": 0.5}]},
        }}
        before = metric(client, "community_redis_errors_total", client="channel_layer")
        group_send_many([("metrics-test.room", {"type": "hello"})])
        assert metric(client, "community_redis_errors_total", client="channel_layer") == before
    finally:
        server.stop()
    with pytest.raises(redis.ConnectionError):  # its callers log and drop it (the fast path)
        group_send_many([("metrics-test.room", {"type": "hello"})])
    assert metric(client, "community_redis_errors_total", client="channel_layer") == before + 1
    with pytest.raises(redis.ConnectionError):  # a consumer's own send (chat presence)
        async_to_sync(get_channel_layer().group_send)("metrics-test.room", {"type": "hello"})
    assert metric(client, "community_redis_errors_total", client="channel_layer") == before + 2


@pytest.mark.django_db(transaction=True)
def test_celery_tasks_by_state_and_queue_length():
    from workers.notifications import sweep_notifications

    client = Client()
    waiting = metric(client, "community_celery_queue_length", queue="celery")
    succeeded = metric(client, "community_celery_tasks_total", task=sweep_notifications.name, state="succeeded")
    sweep_notifications.delay()
    assert metric(client, "community_celery_queue_length", queue="celery") == waiting + 1
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_until(lambda: metric(client, "community_celery_tasks_total", task=sweep_notifications.name,
                                         state="succeeded") == succeeded + 1, timeout=20)
    assert metric(client, "community_celery_tasks_total", task=sweep_notifications.name, state="started") >= 1
    assert metric(client, "community_celery_queue_length", queue="celery") == waiting
