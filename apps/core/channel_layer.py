"""The Redis channel layer, configured for long-lived sockets and bursts.

Three changes to channels-redis's `RedisChannelLayer`:

- its connection pool is redis-py's blocking pool (through the sentinels when configured): under a burst of connecting sockets
  callers wait for a free connection (up to `pool_timeout`) instead of failing with
  "Too many connections" once `max_connections` are in use;
- one reader task per process pops the process's queue and hands each message to the
  sockets' buffers (`receive`), instead of channels-redis's scheme where whichever
  socket's `receive` holds a lock does the pop: when that socket closed just as Redis
  handed it a message, the cancellation dropped the reply, and with it the message for
  every socket of the process (a group message reached 0, or only the other process's
  share, of 500 sockets: django/channels#1683);
- `group_send_many` delivers many (group, message) pairs in two round trips per Redis
  host (one pipeline to read every group's members, one script to queue every
  message), where calling `group_send` per group costs four round trips each;
- `groups_with_members` tells in one round trip per Redis host which of many groups
  have a member, so a fan-out to thousands of members prepares messages only for those
  with a socket open.

It builds on channels-redis internals (`_group_key`, `_map_channel_keys_to_connection`,
`_brpop_with_clean`, `_clean_receive_backup`, `receive_clean_locks`, `receive_buffer`) so
that it reads and writes exactly what `group_add`, `send` and `receive` do. The reader keeps
the blocking pop with a timeout (not the public `receive_single`, which waits for a message
however long it takes): a pop that ends empty is how the reader learns nobody waits any more
and leaves without ever being cancelled mid-pop. Every method defined here is covered by
tests/core/test_channel_layer.py against the installed channels-redis (the newest when
constraints.txt was locked), which is what keeps the pin in pyproject open.
"""

import asyncio
import collections
import contextlib
import logging
import time

import redis
from channels_redis.core import RedisChannelLayer

from apps.core.metrics import GROUP_SENDS, REDIS_ERRORS
from apps.core.redis_pool import async_blocking_pool

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

# The 1-based positions of the KEYS (group keys) that hold a member joined after ARGV[1].
GROUPS_WITH_MEMBERS_LUA = """
local found = {}
for i = 1, #KEYS do
    if redis.call('ZCOUNT', KEYS[i], '(' .. ARGV[1], '+inf') > 0 then
        found[#found + 1] = i
    end
end
return found
"""


@contextlib.contextmanager
def _counting_redis_errors():
    """A group send Redis did not take counts at `/metrics` (operators alert on it), then
    raises as before: its callers log and drop it, the database keeps the change."""
    try:
        yield
    except redis.RedisError:
        REDIS_ERRORS.labels("channel_layer").inc()
        raise


class CommunityRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, pool_timeout: float = 10, **kwargs):
        self.pool_timeout = pool_timeout
        super().__init__(*args, **kwargs)
        self._local_channels = set()  # this process's channels whose consumer has not left
        self._receivers = 0  # coroutines waiting in `receive` on a process channel
        self._reader = None  # the task popping this process's queue
        self._reader_loop = None

    async def new_channel(self, prefix="specific"):
        channel = await super().new_channel(prefix)
        self._local_channels.add(channel)
        return channel

    async def receive(self, channel):
        """Wait for the next message of a process channel; the reader task fills the buffer.

        A consumer's `receive` is cancelled when its socket closes: that must never
        cancel a Redis read that carries other sockets' messages, so the pop runs in
        `_read`, which no consumer owns. Cancelling here only means the consumer left.
        """
        if "!" not in channel:
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self.client_prefix + "!"), "Wrong client prefix"
        self._ensure_reader(real_channel)
        self._local_channels.add(channel)
        self._receivers += 1
        try:
            message = await self.receive_buffer[channel].get()
        except asyncio.CancelledError:
            self._local_channels.discard(channel)  # the consumer is exiting
            self.receive_buffer.pop(channel, None)
            raise
        finally:
            self._receivers -= 1
        # The buffer stays while the consumer lives (its cancellation above removes it): dropping
        # it whenever it ran empty meant a new queue for nearly every message, 9 % of a web
        # process's event loop when 250 sockets of a room took 20 messages a second.
        return message

    def _ensure_reader(self, real_channel):
        loop = asyncio.get_running_loop()
        if self._reader_loop is not loop:
            if self._reader is not None and not self._reader.done() and self._reader_loop.is_running():
                raise RuntimeError("Two event loops are trying to receive() on one channel layer at once!")
            # Buffers and locks belong to the old loop, whose consumers are gone.
            self.receive_buffer.clear()
            self.receive_clean_locks = type(self.receive_clean_locks)()
            self._receivers, self._reader = 0, None
            self._reader_loop = loop
        if self._reader is None or self._reader.done():
            self._reader = loop.create_task(self._read(real_channel))

    async def _read(self, real_channel):
        """Pop the process's queue while anyone waits; hand each message to its channels' buffers.

        Exits after a blocking pop (at most `brpop_timeout`) that finds nobody waiting;
        a Redis error is logged and retried instead of closing a socket with 1011.
        """
        index = self.consistent_hash(real_channel)
        channel_key = self.prefix + real_channel
        failures = 0
        while self._receivers > 0:
            await self.receive_clean_locks.acquire(channel_key)
            try:
                content = await self._brpop_with_clean(index, channel_key, timeout=self.brpop_timeout)
            except Exception:
                self.receive_clean_locks.release(channel_key)
                failures += 1
                logger.warning("channel layer receive failed, retrying", exc_info=True)
                await asyncio.sleep(min(0.1 * 2**failures, 5))
                continue
            except BaseException:
                self.receive_clean_locks.release(channel_key)
                raise
            failures = 0
            if content is None:  # the blocking pop timed out
                self.receive_clean_locks.release(channel_key)
                continue
            cleaner = asyncio.ensure_future(self._clean_receive_backup(index, channel_key))
            self.receive_cleaners.append(cleaner)

            def cleaned(task, key=channel_key):
                self.receive_cleaners.remove(task)
                self.receive_clean_locks.release(key)

            cleaner.add_done_callback(cleaned)
            try:
                message = self.deserialize(content)
            except Exception:
                logger.exception("undecodable channel layer message dropped")
                continue
            channels = message.pop("__asgi_channel__", [])
            for channel in [channels] if isinstance(channels, str) else channels:
                if channel in self._local_channels:  # not a socket that has closed
                    self.receive_buffer[channel].put_nowait(message)

    def create_pool(self, index):
        host = dict(self.hosts[index])
        address = host.pop("address")
        return async_blocking_pool(address, timeout=self.pool_timeout, **host)

    async def groups_with_members(self, groups: list[str]) -> set[str]:
        """The groups among `groups` with at least one member (expired memberships do not count)."""
        groups_by_host = collections.defaultdict(list)
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
            groups_by_host[self.consistent_hash(group)].append(group)
        cutoff = int(time.time()) - self.group_expiry
        found = set()
        for index, host_groups in groups_by_host.items():
            keys = [self._group_key(group) for group in host_groups]
            positions = await self.connection(index).eval(GROUPS_WITH_MEMBERS_LUA, len(keys), *keys, cutoff)
            found.update(host_groups[position - 1] for position in positions)
        return found

    async def group_send(self, group, message):
        GROUP_SENDS.inc()
        with _counting_redis_errors():
            await super().group_send(group, message)

    async def group_send_many(self, messages: list[tuple[str, dict]]) -> None:
        """Send each message to its group's members, batched per Redis host."""
        GROUP_SENDS.inc(len(messages))
        with _counting_redis_errors():
            await self._group_send_batches(messages)

    async def _group_send_batches(self, messages: list[tuple[str, dict]]) -> None:
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
