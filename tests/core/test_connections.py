"""Connections under ASGI: bounded by the pools, against a live server process."""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection

from tests.asgi_server import running_asgi_server
from tests.core.test_settings import run_python

POOL_SIZE = 3
BURSTS, CLIENTS_PER_BURST = 4, 40
URLS = ["/", "/hackathons/", "/api/hackathons/", "/talent/", "/api/profiles/"]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class ConnectionCounter(threading.Thread):
    """Samples pg_stat_activity for one application name until stopped; keeps the peak."""

    def __init__(self, application_name: str):
        super().__init__(daemon=True)
        self.application_name, self.peak, self.stopped = application_name, 0, threading.Event()
        db = connection.settings_dict
        self.dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"

    def count(self, cursor) -> int:
        cursor.execute(
            # Parallel-query workers carry the session's application_name too: not connections.
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s"
            " AND backend_type = 'client backend'",
            [connection.settings_dict["NAME"], self.application_name],
        )
        return cursor.fetchone()[0]

    def run(self):
        with psycopg.connect(self.dsn, autocommit=True) as conn, conn.cursor() as cursor:
            while not self.stopped.is_set():
                self.peak = max(self.peak, self.count(cursor))
                time.sleep(0.02)  # the sampling period of the peak, not a wait
            self.final = self.count(cursor)


@pytest.mark.django_db(transaction=True)
def test_bursts_of_requests_stay_within_the_database_pool():
    """Before the pool, CONN_MAX_AGE=60 kept one connection per request thread open:
    DB_POOL=false DB_CONN_MAX_AGE=60 here peaks at about one connection per request."""
    application_name = f"pool-test-{uuid.uuid4().hex[:8]}"
    counter = ConnectionCounter(application_name)
    with running_asgi_server(
        DB_APPLICATION_NAME=application_name, DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE=str(POOL_SIZE)
    ) as server:
        counter.start()
        statuses = []
        with ThreadPoolExecutor(CLIENTS_PER_BURST) as clients:
            for burst in range(BURSTS):
                urls = [f"{server.url}{URLS[(burst + i) % len(URLS)]}" for i in range(CLIENTS_PER_BURST)]
                statuses += clients.map(_get, urls)
        counter.stopped.set()
        counter.join(timeout=10)
        log = server.output()
    assert statuses == [200] * BURSTS * CLIENTS_PER_BURST, log
    assert 1 <= counter.peak <= POOL_SIZE, f"peak {counter.peak} connections for a pool of {POOL_SIZE}"
    assert counter.final <= POOL_SIZE


def test_web_processes_share_one_redis_pool_for_cache_throttles_and_sessions():
    code = """
import json, threading, django
django.setup()
from django.conf import settings
from django.core.cache import cache
pools = set()
def use_cache():
    from django.core.cache import cache
    cache.get("probe")
    pools.add(id(cache._cache._get_connection_pool(False)))
threads = [threading.Thread(target=use_cache) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print(json.dumps({"pools": len(pools), "session_engine": settings.SESSION_ENGINE,
                  "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
                  "pool": settings.DATABASES["default"]["OPTIONS"].get("pool")}))
"""
    result = run_python(
        code, "community.settings.production",
        SECRET_KEY="k8#Vq2!zR0pL9^wX4&nB7*cY1@mT6$hJ3%fD5+gS8-eA0=uI2~oP",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/community", REDIS_URL="redis://127.0.0.1:6379/3",
        DB_POOL_MAX_SIZE="7",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["pools"] == 1
    # Sessions never depend on Redis: a log-out must end them while it is down or frozen.
    assert config["session_engine"] == "apps.accounts.sessions"  # the database only
    assert config["conn_max_age"] == 0
    assert config["pool"]["max_size"] == 7
