"""Checks behind /readyz: can this process reach everything it depends on?"""

import time

import redis
from django.conf import settings
from django.db import connection

from apps.core.redis_pool import blocking_pool
from community.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 2


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _redis():
    if not settings.REDIS_URL:
        return "embedded (not configured)"
    pool = blocking_pool(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
        timeout=CHECK_TIMEOUT_SECONDS,
    )
    client = redis.Redis(connection_pool=pool)
    try:
        client.ping()
    finally:
        client.close()
        pool.disconnect()
    return None


def _broker():
    if celery_app.conf.task_always_eager:
        return "embedded (tasks run in process)"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    return None


# Without the database nothing works; without Redis or the broker pages, log-in and the
# API keep working (the cache answers locally, tasks wait), so the process stays in service.
REQUIRED = ("database",)


def readiness_report() -> tuple[str, dict]:
    """Run every check: "ok", "degraded" (only optional ones fail) or "unavailable"."""
    checks = {"database": _timed(_database), "redis": _timed(_redis), "broker": _timed(_broker)}
    if not all(checks[name]["ok"] for name in REQUIRED):
        return "unavailable", checks
    if not all(check["ok"] for check in checks.values()):
        return "degraded", checks
    return "ok", checks


def public_view(checks: dict) -> dict:
    """What anyone may see: which dependency is up, not where it lives or what it said."""
    return {name: {"ok": check["ok"]} for name, check in checks.items()}
