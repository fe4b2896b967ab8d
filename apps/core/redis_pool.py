"""Redis connection pools: one per process for the cache, and Sentinel-aware when configured.

Django builds a cache client per thread-local context, and under ASGI every request
runs in a fresh thread, so the stock Redis cache opened a new pool (and a new TCP
connection) for each request. This pool class hands every client of the same URL and
options the same pool; redis-py resets a pool it finds in a forked child.

With `REDIS_SENTINELS` set, every pool asks the sentinels which server is the primary of
`REDIS_SENTINEL_MASTER` (the host of the URL is not used, its database number and password
are) and asks again after a connection to it fails, so a failover is followed by the next
command. The pools stay blocking: a burst waits for a free connection instead of failing.
"""

import threading
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.asyncio.sentinel import SentinelConnectionPool as AsyncSentinelConnectionPool
from redis.sentinel import Sentinel, SentinelConnectionPool


class SentinelBlockingConnectionPool(SentinelConnectionPool, redis.BlockingConnectionPool):
    """Connections to whichever server the sentinels name primary, `max_connections` at most."""


class AsyncSentinelBlockingConnectionPool(AsyncSentinelConnectionPool, aioredis.BlockingConnectionPool):
    """The same for redis.asyncio (channel layer, chat presence)."""


def _url_options(url: str) -> dict:
    """What a Sentinel-managed connection keeps of a redis:// URL: database and password."""
    parts = urlsplit(url)
    options = {"db": int(parts.path.strip("/") or 0)}
    if parts.password:
        options["password"] = parts.password
    return options


def _sentinel_options(options: dict) -> dict:
    """Timeouts of the connections to the sentinels themselves: as short as the data's."""
    return {key: options[key] for key in ("socket_timeout", "socket_connect_timeout") if key in options}


def _through_sentinels(pool_class, sentinel_class, url: str, options: dict):
    sentinel = sentinel_class(settings.REDIS_SENTINELS, sentinel_kwargs=_sentinel_options(options))
    return pool_class(settings.REDIS_SENTINEL_MASTER, sentinel, **_url_options(url), **options)


def blocking_pool(url: str, **options) -> redis.BlockingConnectionPool:
    """A blocking pool for `url`, through the sentinels when the settings name them."""
    if not settings.REDIS_SENTINELS:
        return redis.BlockingConnectionPool.from_url(url, **options)
    return _through_sentinels(SentinelBlockingConnectionPool, Sentinel, url, options)


def async_blocking_pool(url: str, **options) -> aioredis.BlockingConnectionPool:
    """`blocking_pool` for redis.asyncio; one per event loop (its pools cannot cross loops)."""
    if not settings.REDIS_SENTINELS:
        return aioredis.BlockingConnectionPool.from_url(url, **options)
    return _through_sentinels(AsyncSentinelBlockingConnectionPool, AsyncSentinel, url, options)


class ProcessConnectionPool(redis.BlockingConnectionPool):
    """`from_url` returns the process's existing pool for the same URL and options.

    Blocking: when all `max_connections` are busy a caller waits up to `timeout`
    seconds for one instead of opening more.
    """

    _shared: dict[str, redis.BlockingConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url, **kwargs):
        key = f"{url}|{sorted(kwargs.items())!r}"
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = blocking_pool(url, **kwargs)
            return pool
