"""Prometheus metrics of every process, read at `/metrics` from the operator's network.

With PROMETHEUS_MULTIPROC_DIR set in the environment (before any process starts, emptied at
each start of the formation) every web process and worker writes its values there and a
scrape adds them up (the client's multi-process mode); without it a scrape shows its own
process only. Values that belong to the whole formation rather than to one process (queue
lengths, deliveries by status) are read when scraped, by collectors apps register with
`register_scrape_collector` from their `AppConfig.ready()`.
"""

import ipaddress
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.core import GaugeMetricFamily
from prometheus_client import (
    CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess,
)

REQUESTS = Counter("community_http_requests_total", "HTTP requests answered, by route (URL name).",
                   ["route", "method", "status"])
REQUEST_SECONDS = Histogram("community_http_request_duration_seconds", "Time to answer, by route (URL name).",
                            ["route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10))
ERRORS = Counter("community_http_errors_total", "Answers with a 5xx status, by route (URL name).", ["route"])
DB_CONNECTIONS_IN_USE = Gauge("community_db_pool_connections_in_use",
                              "Database connections of the pool lent out, as last seen.", multiprocess_mode="livesum")
DB_POOL_WAITING = Gauge("community_db_pool_requests_waiting",
                        "Requests waiting for a pooled database connection, as last seen.", multiprocess_mode="livesum")
REDIS_ERRORS = Counter("community_redis_errors_total", "Redis calls that failed, by client.", ["client"])
SOCKETS_OPEN = Gauge("community_websockets_open", "WebSockets open.", multiprocess_mode="livesum")
GROUP_SENDS = Counter("community_channel_layer_group_sends_total", "Messages sent to channel-layer groups.")
CELERY_TASKS = Counter("community_celery_tasks_total", "Celery tasks by name and state.", ["task", "state"])

_scrape_collectors: list = []


def register_scrape_collector(collector) -> None:
    """Add a collector (an object with `collect()`) whose values are read at each scrape."""
    _scrape_collectors.append(collector)


def route_of(request) -> str:
    """The URL name, never the path: paths hold ids and would make a series per object."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match and match.view_name else "unmatched"


class RequestMetricsMiddleware:
    """First middleware: counts and times every answer, and notes the pool's use after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        if response.status_code >= 500:
            ERRORS.labels(route).inc()
        pool = getattr(connections["default"], "pool", None)
        if pool is not None:
            stats = pool.get_stats()
            DB_CONNECTIONS_IN_USE.set(stats.get("pool_size", 0) - stats.get("pool_available", 0))
            DB_POOL_WAITING.set(stats.get("requests_waiting", 0))
        return response


class SocketsOpenMetric:
    """ASGI wrapper of the WebSocket application: counts sockets from accept to close."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        accepted = False

        async def counting_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                SOCKETS_OPEN.inc()
            await send(message)

        try:
            return await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                SOCKETS_OPEN.dec()


def count_celery_tasks() -> None:
    """Count each task as it starts, succeeds, fails, is retried or rejected (Celery's signals)."""
    from celery import signals

    def counter(state):
        def count(sender=None, task=None, request=None, **kwargs):
            name = getattr(sender or task, "name", None) or getattr(request, "task", None) or "unknown"
            CELERY_TASKS.labels(name, state).inc()
        return count

    for signal, state in ((signals.task_prerun, "started"), (signals.task_success, "succeeded"),
                          (signals.task_failure, "failed"), (signals.task_retry, "retried"),
                          (signals.task_rejected, "rejected")):
        signal.connect(counter(state), weak=False)


class CeleryQueueLengths:
    """Messages waiting in each Celery queue of the broker, read when scraped."""

    def collect(self):
        from celery import current_app as app

        family = GaugeMetricFamily("community_celery_queue_length", "Tasks waiting in each Celery queue.",
                                   labels=["queue"])
        if not app.conf.task_always_eager:
            try:
                with app.connection_for_read() as connection:
                    # The Redis transport keeps a queue as one list (tasks here have no
                    # priorities); its client adds the broker's key prefix.
                    client = connection.default_channel.client
                    for queue in settings.CELERY_TASK_QUEUES:
                        family.add_metric([queue.name], client.llen(queue.name))
            except Exception:  # the broker is down: the scrape still answers, Redis errors count it
                REDIS_ERRORS.labels("broker").inc()
        yield family


_DEAD_PROCESS_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


def _forget_dead_processes(directory: str) -> None:
    """Live gauges of exited processes (a restarted web process) must not count any more."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        match = _DEAD_PROCESS_FILE.match(path.name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)
        except PermissionError:
            pass


class _ThisProcess:
    def collect(self):
        return REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    # Values read at scrape time first: what they count while reading (an unreachable
    # broker) is then in this answer, not the next one.
    for collector in _scrape_collectors:
        registry.register(collector)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        _forget_dead_processes(directory)
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    return generate_latest(registry)


def client_may_scrape(request) -> bool:
    """Only the operator's network reads metrics: the client's address as the log-in budget
    sees it (a forwarded address counts only through TRUSTED_PROXY_COUNT proxies)."""
    from allauth.account.adapter import get_adapter

    try:
        address = ipaddress.ip_address(get_adapter().get_client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics_view(request):
    """404, not 403, for everyone else: the endpoint does not exist for the public."""
    if not client_may_scrape(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
