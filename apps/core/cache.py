"""The Redis cache, degrading to a per-process memory cache while Redis is unreachable.

Rate limits (failed-login budget, API throttles), locks and cached numbers all live in the
cache. When Redis stops answering, each call would raise and take log-in and the API down
with it; here the call is answered from a local memory cache instead, a warning is logged,
and Redis is tried again after `CACHE_OUTAGE_RETRY_SECONDS`. Limits stay in force during
the outage, counted per process; cached values are recomputed. When Redis answers again
it is used again (what was counted locally meanwhile is not copied back).

Django makes a new cache object per request under ASGI (its cache handler is context-local),
so everything that must outlive a request lives in one `_ProcessShare` per configuration:
the outage window, the local counts and the redis-py clients. A client is safe to share
between threads (it takes a connection from the pool for each command); Django's own
backend built a new one for every cache call, about a quarter of a shared API list's cost.
"""

import functools
import logging
import threading
import time
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

from apps.core.metrics import REDIS_ERRORS

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError)
DELEGATED = (
    "add", "get", "set", "touch", "delete", "get_many", "has_key",
    "incr", "set_many", "delete_many", "clear",
)


class SharedClientRedisCacheClient(RedisCacheClient):
    """Builds one redis-py client per connection pool and hands out that one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


@dataclass
class _ProcessShare:
    """What every cache object of one configuration shares in a process."""

    local: LocMemCache
    lock: threading.Lock = field(default_factory=threading.Lock)
    unreachable_until: float = 0.0
    client: SharedClientRedisCacheClient | None = None


class FailSoftRedisCache(RedisCache):
    _shares: dict[str, _ProcessShare] = {}
    _shares_lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
        key = repr((server, sorted(params.items())))
        with self._shares_lock:
            share = self._shares.get(key)
            if share is None:
                share = self._shares[key] = _ProcessShare(local=LocMemCache(f"redis-outage-{len(self._shares)}", {
                    "TIMEOUT": params.get("TIMEOUT", 300),
                    "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                }))
        self._share = share
        self._local = share.local

    @cached_property
    def _cache(self):
        share = self._share
        with share.lock:
            if share.client is None:
                share.client = SharedClientRedisCacheClient(self._servers, **self._options)
            return share.client

    @property
    def in_outage(self) -> bool:
        return time.monotonic() < self._share.unreachable_until

    def _outage_started(self, operation: str, error: Exception) -> None:
        with self._share.lock:
            first = not self.in_outage
            self._share.unreachable_until = time.monotonic() + settings.CACHE_OUTAGE_RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache unreachable (%s during %s): using a per-process cache, retrying in %ss",
                type(error).__name__, operation, settings.CACHE_OUTAGE_RETRY_SECONDS,
            )

    def _call(self, operation: str, *args, on_redis=None, on_local=None, **kwargs):
        if not self.in_outage:
            try:
                result = (on_redis or getattr(super(), operation))(*args, **kwargs)
            except OUTAGE_ERRORS as error:
                REDIS_ERRORS.labels("cache").inc()
                self._outage_started(operation, error)
            else:
                if self._share.unreachable_until:
                    self._share.unreachable_until = 0.0
                    logger.warning("Redis cache reachable again")
                return result
        return (on_local or getattr(self._local, operation))(*args, **kwargs)

    def set_each_and_delete(self, entries: list[tuple[str, object, int]], delete: list[str]) -> None:
        """`set` each (key, value, timeout) and `delete` these keys in one round trip
        (a summary's store was three)."""
        self._call("set_each_and_delete", entries, delete, on_redis=self._pipelined_set_each_and_delete,
                   on_local=functools.partial(set_each_and_delete, self._local))

    def _pipelined_set_each_and_delete(self, entries, delete):
        pipeline = self._cache.get_client(None, write=True).pipeline(transaction=False)
        for key, value, timeout in entries:
            pipeline.set(self.make_and_validate_key(key), self._cache._serializer.dumps(value),
                         ex=self.get_backend_timeout(timeout))
        if delete:
            pipeline.delete(*(self.make_and_validate_key(key) for key in delete))
        pipeline.execute()


def set_each_and_delete(cache, entries: list[tuple[str, object, int]], delete: list[str]) -> None:
    """`set` each (key, value, timeout) of `entries` and `delete` these keys: in one round trip
    on the project's Redis cache, one call each on any other (the embedded stack's memory)."""
    pipelined = getattr(cache, "set_each_and_delete", None)
    if pipelined:
        return pipelined(entries, delete)
    for key, value, timeout in entries:
        cache.set(key, value, timeout)
    cache.delete_many(delete)


def _delegate(operation):
    def method(self, *args, **kwargs):
        return self._call(operation, *args, **kwargs)

    method.__name__ = operation
    return method


for _operation in DELEGATED:
    setattr(FailSoftRedisCache, _operation, _delegate(_operation))
