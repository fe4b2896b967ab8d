"""Who is online in a room, correct across server processes and after one dies.

Each open socket keeps an entry `<user id>:<channel name>` in a Redis sorted set per room,
scored with its expiry time; sockets refresh it on every ping and entries of a dead
process simply expire. Without Redis (the embedded stack) a dict in the process does.
"""

import time
import weakref

import redis.asyncio as aioredis
from django.conf import settings

from apps.core.redis_pool import async_blocking_pool

_clients: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_local: dict[str, dict[str, float]] = {}


def _key(room_id: int) -> str:
    return f"chat:presence:{room_id}"


def _client():
    """One connection pool per event loop (redis.asyncio pools cannot cross loops)."""
    import asyncio

    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        # Blocking: when hundreds of sockets join or leave at once, callers wait for a free
        # connection; redis-py's default pool raises "Too many connections" past 100 instead
        # (a failed join closed the socket with 1011, a failed leave left a stale entry).
        options = settings.CACHES["default"].get("OPTIONS", {})
        pool = async_blocking_pool(
            settings.REDIS_URL,
            max_connections=options.get("max_connections", 20),
            timeout=options.get("timeout", 5),
        )
        client = aioredis.Redis(connection_pool=pool)
        _clients[loop] = client
    return client


async def presence_touch(room_id: int, user_id: int, channel_name: str) -> None:
    expires = time.time() + settings.CHAT_PRESENCE_TTL_SECONDS
    member = f"{user_id}:{channel_name}"
    if not settings.REDIS_URL:
        _local.setdefault(_key(room_id), {})[member] = expires
        return
    client = _client()
    async with client.pipeline(transaction=False) as pipe:
        pipe.zadd(_key(room_id), {member: expires})
        pipe.expire(_key(room_id), settings.CHAT_PRESENCE_TTL_SECONDS * 2)
        await pipe.execute()


async def presence_leave(room_id: int, user_id: int, channel_name: str) -> None:
    member = f"{user_id}:{channel_name}"
    if not settings.REDIS_URL:
        _local.get(_key(room_id), {}).pop(member, None)
        return
    await _client().zrem(_key(room_id), member)


async def online_user_ids(room_id: int) -> list[int]:
    now = time.time()
    if not settings.REDIS_URL:
        members = [m for m, expires in _local.get(_key(room_id), {}).items() if expires > now]
    else:
        client = _client()
        async with client.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(_key(room_id), "-inf", now)
            pipe.zrangebyscore(_key(room_id), now, "+inf")
            _removed, raw = await pipe.execute()
        members = [m.decode() for m in raw]
    return sorted({int(member.split(":", 1)[0]) for member in members})
