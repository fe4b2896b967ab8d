"""The Redis cache, degrading to a per-process memory cache while Redis is unreachable.

Rate limits (failed-login budget, API throttles), locks and cached numbers all live in the
cache. When Redis stops answering, each call would raise and take log-in and the API down
with it; here the call is answered from a local memory cache instead, a warning is logged,
and Redis is tried again after `CACHE_OUTAGE_RETRY_SECONDS`. Limits stay in force during
the outage, counted per process; cached values are recomputed. When Redis answers again
it is used again (what was counted locally meanwhile is not copied back).
"""

import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError)
DELEGATED = (
    "add", "get", "set", "touch", "delete", "get_many", "has_key",
    "incr", "set_many", "delete_many", "clear",
)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"redis-outage-{id(self)}", {
            "TIMEOUT": params.get("TIMEOUT", 300),
            "KEY_PREFIX": params.get("KEY_PREFIX", ""),
        })
        self._lock = threading.Lock()
        self._unreachable_until = 0.0

    @property
    def in_outage(self) -> bool:
        return time.monotonic() < self._unreachable_until

    def _outage_started(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = not self.in_outage
            self._unreachable_until = time.monotonic() + settings.CACHE_OUTAGE_RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache unreachable (%s during %s): using a per-process cache, retrying in %ss",
                type(error).__name__, operation, settings.CACHE_OUTAGE_RETRY_SECONDS,
            )

    def _call(self, operation: str, *args, **kwargs):
        if not self.in_outage:
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except OUTAGE_ERRORS as error:
                self._outage_started(operation, error)
            else:
                if self._unreachable_until:
                    self._unreachable_until = 0.0
                    logger.warning("Redis cache reachable again")
                return result
        return getattr(self._local, operation)(*args, **kwargs)


def _delegate(operation):
    def method(self, *args, **kwargs):
        return self._call(operation, *args, **kwargs)

    method.__name__ = operation
    return method


for _operation in DELEGATED:
    setattr(FailSoftRedisCache, _operation, _delegate(_operation))
