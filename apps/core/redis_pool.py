"""One Redis connection pool per process, shared by the cache, throttles and sessions.

Django builds a cache client per thread-local context, and under ASGI every request
runs in a fresh thread, so the stock Redis cache opened a new pool (and a new TCP
connection) for each request. This pool class hands every client of the same URL and
options the same pool; redis-py resets a pool it finds in a forked child.
"""

import threading

import redis


class ProcessConnectionPool(redis.BlockingConnectionPool):
    """`from_url` returns the process's existing pool for the same URL and options.

    Blocking: when all `max_connections` are busy a caller waits up to `timeout`
    seconds for one instead of opening more.
    """

    _shared: dict[str, "ProcessConnectionPool"] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url, **kwargs):
        key = f"{url}|{sorted(kwargs.items())!r}"
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
