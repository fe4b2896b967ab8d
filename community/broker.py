"""The Redis broker transports of every Celery process, with one fix to kombu's.

A thread-pool worker (the Procfile's `mailer`) waits for tasks in a blocking BRPOP. When
Redis goes away, the consumer closes its channel, and kombu's `Channel.close` first reads
the reply of that pending BRPOP: the read raises a connection error, which ends `close`
before the channel is marked closed. Celery then drops the transport's client
(`Connection.collect`) and closes the connection again; the second `close` now reaches
the restore of unacknowledged messages with no client to connect with and raises
`AttributeError: 'NoneType' object has no attribute 'hostname'`, which Celery treats as
unrecoverable: the process exits instead of reconnecting (kombu 5.7.0, celery 5.7.0).
Prefork workers wait through the event loop, never in that read, and were not affected.

kombu's Sentinel transport (`sentinel://` URLs, for Redis with Sentinel) reads BRPOP
replies through the same code, and a failover closes its channels the same way: it gets
the same fix.
"""

from queue import Empty

from kombu.transport import redis


class ClosingWithoutReply:
    """The fix, for any kombu Redis channel class it is mixed into."""

    def _brpop_read(self, **options):
        try:
            return super()._brpop_read(**options)
        except self.connection_errors:
            if not self._closing:
                raise
            # Closing a channel whose connection is gone: the pending reply is lost with the
            # connection (an unacknowledged message stays in Redis's unacked set and comes
            # back with the visibility timeout), so the close carries on as after no reply.
            raise Empty() from None


class Channel(ClosingWithoutReply, redis.Channel):
    pass


class SentinelChannel(ClosingWithoutReply, redis.SentinelChannel):
    pass


class Transport(redis.Transport):
    Channel = Channel


class SentinelTransport(redis.SentinelTransport):
    Channel = SentinelChannel
