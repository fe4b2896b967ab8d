"""Checks behind /readyz: can this process reach everything it depends on?

A registry: the ground floor registers the database, Redis and the task broker from
`CoreConfig.ready`; an app that depends on another service adds its own check there with
`register_readiness_check("name", check, required=False)`.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection

from apps.core.redis_pool import blocking_pool
from apps.core.tasks import broker_reachable

CHECK_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class ReadinessCheck:
    check: Callable[[], str | None]  # raises when the dependency is out of reach; may return a detail
    required: bool  # without it nothing works: the process is "unavailable", else "degraded"


_checks: dict[str, ReadinessCheck] = {}


def register_readiness_check(name: str, check: Callable[[], str | None], *, required: bool = False) -> None:
    _checks[name] = ReadinessCheck(check, required)


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
    return broker_reachable(timeout=CHECK_TIMEOUT_SECONDS)


def register_ground_floor_checks() -> None:
    """Without the database nothing works; without Redis or the broker pages, log-in and the
    API keep working (the cache answers locally, tasks wait), so the process stays in service."""
    register_readiness_check("database", _database, required=True)
    register_readiness_check("redis", _redis)
    register_readiness_check("broker", _broker)


def readiness_report() -> tuple[str, dict]:
    """Run every check: "ok", "degraded" (only optional ones fail) or "unavailable"."""
    checks = {name: _timed(entry.check) for name, entry in _checks.items()}
    if not all(checks[name]["ok"] for name, entry in _checks.items() if entry.required):
        return "unavailable", checks
    if not all(check["ok"] for check in checks.values()):
        return "degraded", checks
    return "ok", checks


def public_view(checks: dict) -> dict:
    """What anyone may see: which dependency is up, not where it lives or what it said."""
    return {name: {"ok": check["ok"]} for name, check in checks.items()}
