"""The Redis channel layer, configured for long-lived sockets and bursts.

Two changes to channels-redis's `RedisChannelLayer`:

- its connection pool is redis-py's blocking pool: under a burst of connecting sockets
  callers wait for a free connection (up to `pool_timeout`) instead of failing with
  "Too many connections" once `max_connections` are in use;
- `group_send_many` delivers many (group, message) pairs in two round trips per Redis
  host (one pipeline to read every group's members, one script to queue every
  message), where calling `group_send` per group costs four round trips each.

It relies on channels-redis internals (`_group_key`, `_map_channel_keys_to_connection`),
which is why pyproject pins channels-redis to the tested minor versions.
"""

import collections
import logging
import time

from channels_redis.core import RedisChannelLayer
from redis import asyncio as aioredis

logger = logging.getLogger(__name__)

# Queue each message on its channel key unless the key is at capacity; drop expired ones first.
# KEYS[i] may repeat (channels of one process share a key): each ZADD is a distinct member.
QUEUE_MESSAGES_LUA = """
local n = #KEYS
local now = tonumber(ARGV[2 * n + 1])
local expiry = tonumber(ARGV[2 * n + 2])
local over_capacity = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, now - expiry)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class CommunityRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, pool_timeout: float = 10, **kwargs):
        self.pool_timeout = pool_timeout
        super().__init__(*args, **kwargs)

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address")
        return aioredis.BlockingConnectionPool.from_url(address, timeout=self.pool_timeout, **host)

    async def group_send_many(self, messages: list[tuple[str, dict]]) -> None:
        """Send each message to its group's members, batched per Redis host."""
        groups_by_host = collections.defaultdict(list)
        for group, message in messages:
            assert self.require_valid_group_name(group), "Group name not valid"
            groups_by_host[self.consistent_hash(group)].append((group, message))

        queued_by_host = collections.defaultdict(list)  # host index -> [(key, payload, capacity)]
        for index, pairs in groups_by_host.items():
            pipe = self.connection(index).pipeline(transaction=False)
            cutoff = int(time.time()) - self.group_expiry
            for group, _ in pairs:
                key = self._group_key(group)
                pipe.zremrangebyscore(key, min=0, max=cutoff)
                pipe.zrange(key, 0, -1)
            members = (await pipe.execute())[1::2]
            for (group, message), channels in zip(pairs, members, strict=True):
                if not channels:
                    continue
                keys_by_host, payloads, capacities = self._map_channel_keys_to_connection(
                    [name.decode("utf8") for name in channels], message
                )
                for host, keys in keys_by_host.items():
                    queued_by_host[host].extend((key, payloads[key], capacities[key]) for key in keys)

        for index, queued in queued_by_host.items():
            keys, payloads, capacities = zip(*queued, strict=True)
            over_capacity = await self.connection(index).eval(
                QUEUE_MESSAGES_LUA, len(keys), *keys, *payloads, *capacities, time.time(), self.expiry
            )
            if over_capacity:
                logger.warning("%s of %s live messages dropped: channels at capacity", over_capacity, len(keys))
