"""Log-in and the API keep working while Redis is down, and use it again when it is back.

The test runs its own redis-server on a free port and stops it; the shared one is never touched.
"""

import logging
import time

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.accounts.factories import PASSWORD, UserFactory
from tests.own_redis import OwnRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(settings, monkeypatch):
    server = OwnRedis().start()
    settings.REDIS_URL = server.url
    # The cache the settings configure, pointed at this server.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.CACHE_OUTAGE_RETRY_SECONDS = 1
    # The request throttle keeps its own per-process counts in this test; the budget is what is measured.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token_obtain": "1000/minute"})
    yield server
    if server.process.poll() is None:
        server.stop()


def sign_in_works(user) -> bool:
    response = Client().post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return response.status_code == 302


def api_works(user) -> bool:
    obtained = APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD})
    if obtained.status_code != 201:
        return False
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {obtained.json()['token']}")
    return api.get("/api/me/").status_code == 200 and api.get("/api/compute/calls/").status_code == 200


def test_log_in_and_api_survive_a_redis_outage_and_recover(own_redis, caplog):
    user = UserFactory()
    assert sign_in_works(user) and api_works(user)
    assert Client().get("/readyz").json()["status"] in ("ok", "degraded")  # broker is the shared one

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="apps.core.cache"):
        started = time.monotonic()
        assert sign_in_works(user)
        assert api_works(user)
        assert time.monotonic() - started < 10
    assert "Redis cache unreachable" in caplog.text
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"] == {"ok": False}

    # The failed-login budget is still enforced, per process, during the outage.
    for _ in range(5):
        APIClient().post("/api/auth/token/", {"email": user.email, "password": "wrong"})
    assert APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD}).status_code == 429

    own_redis.start()
    time.sleep(1.1)  # CACHE_OUTAGE_RETRY_SECONDS
    cache.set("after-outage", "back")
    direct = redis.Redis.from_url(own_redis.url)
    assert any(b"after-outage" in key for key in direct.keys("*"))
    assert Client().get("/readyz").json()["checks"]["redis"]["ok"] is True


def test_cache_objects_of_separate_requests_share_the_outage_and_the_client(own_redis):
    """Under ASGI each request gets its own cache object (Django's cache handler is
    context-local): the outage window, the counts kept meanwhile and the Redis client must
    still be the process's, or every request would wait for Redis again and count afresh."""
    from django.core.cache import caches

    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    assert first._cache.get_client() is second._cache.get_client()  # one redis-py client, built once

    own_redis.stop()
    started = time.monotonic()
    assert first.add("logins:ana", 0) and first.incr("logins:ana") == 1  # Redis refused: counted locally
    assert second.in_outage
    assert second.incr("logins:ana") == 2  # the same local count, without trying Redis again
    assert time.monotonic() - started < 3
