"""The group relay's own paths (apps.core.relay), on the real Redis channel layer."""

import asyncio
import logging

import pytest
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.core import relay
from apps.core.consumers import DirectDispatch
from apps.core.relay import RelayedSocket
from tests.notifications.live_stack import wait_until_async

pytestmark = pytest.mark.asyncio
GROUP = "relay-test"


class GroupSocket(DirectDispatch, RelayedSocket, AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.relay_open(GROUP)
        if self.scope["path"] == "/fail/":
            raise RuntimeError("connect failed after joining the group")
        await self.accept()
        self.relay_deliver()

    async def disconnect(self, code):
        await self.relay_close()

    async def test_frame(self, event):
        await self.send_json({"n": event["n"]})


async def members() -> list[bytes]:
    layer = get_channel_layer()
    return await layer.connection(layer.consistent_hash(GROUP)).zrange(layer._group_key(GROUP), 0, -1)


async def test_a_connect_that_fails_after_joining_leaves_nothing_in_the_relay():
    healthy = WebsocketCommunicator(GroupSocket.as_asgi(), "/ok/")
    assert (await healthy.connect())[0]
    failing = WebsocketCommunicator(GroupSocket.as_asgi(), "/fail/")
    with pytest.raises(RuntimeError):
        await failing.connect()
    (group_relay,) = relay._relays(get_channel_layer()).values()
    assert len(group_relay.sockets) == 1  # only the healthy socket is still served
    await get_channel_layer().group_send(GROUP, {"type": "test.frame", "n": 1})
    assert await healthy.receive_json_from(timeout=5) == {"n": 1}
    await healthy.disconnect()
    assert relay._relays(get_channel_layer()) == {} and await members() == []


async def test_a_socket_far_behind_loses_live_frames_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setattr(relay, "OUTBOX_SIZE", 3)
    socket = RelayedSocket()
    socket.channel_name = "specific.test!behind"
    socket.outbox, socket.outbox_dropped = asyncio.Queue(maxsize=relay.OUTBOX_SIZE), 0
    with caplog.at_level(logging.WARNING, logger="apps.core.relay"):
        for n in range(8):
            socket.relay_take({"type": "test.frame", "n": n})
    assert [socket.outbox.get_nowait()["n"] for _ in range(socket.outbox.qsize())] == [0, 1, 2]
    assert socket.outbox_dropped == 5
    assert len([r for r in caplog.records if "behind" in r.getMessage()]) == 2  # at the 1st and the 4th drop


async def test_the_relay_renews_its_membership_before_the_group_expires(monkeypatch):
    layer = get_channel_layer()
    monkeypatch.setattr(layer, "group_expiry", 2)
    socket = WebsocketCommunicator(GroupSocket.as_asgi(), "/ok/")
    assert (await socket.connect())[0]
    key = layer._group_key(GROUP)
    connection = layer.connection(layer.consistent_hash(GROUP))
    (member,) = await members()
    joined = await connection.zscore(key, member)

    async def renewed():
        return await connection.zscore(key, member) > joined

    assert await wait_until_async(renewed, timeout=5)  # due every group_expiry / 2
    await socket.disconnect()


class SlowLayer:
    """A channel layer stand-in whose joins take a while and may fail, to time what the relay does around them."""

    group_expiry = 2  # renewals every second

    def __init__(self, failures: int = 0):
        self.members: set[str] = set()
        self.adds = 0
        self.failures = failures

    async def new_channel(self):
        return "specific.slow!relay"

    async def group_add(self, group, channel):
        self.adds += 1
        await asyncio.sleep(0.3 if self.adds == 1 else 0)  # a slow first join: what the tests time
        if self.adds > 1 and self.failures:
            self.failures -= 1
            raise ConnectionError("Redis went away for a moment")
        self.members.add(channel)

    async def group_discard(self, group, channel):
        self.members.discard(channel)

    async def receive(self, channel):
        await asyncio.Future()  # nothing is ever broadcast here


async def test_a_relay_closed_while_it_is_still_joining_stays_closed():
    layer = SlowLayer()
    group_relay = relay.GroupRelay(layer, GROUP)
    opening = asyncio.ensure_future(group_relay.open())

    async def joining():
        return layer.adds == 1

    assert await wait_until_async(joining, timeout=5)
    opening.cancel()  # the socket that asked went away mid-join
    await group_relay.close()
    await asyncio.sleep(1.3)  # past a renewal period: the time in which nothing may rejoin is what is tested
    assert layer.members == set()
    assert all(task.done() for task in group_relay._tasks)


async def test_a_failed_membership_renewal_is_tried_again(monkeypatch):
    monkeypatch.setattr(relay, "RENEWAL_RETRY_SECONDS", 0.1)
    layer = SlowLayer(failures=1)
    group_relay = relay.GroupRelay(layer, GROUP)
    await group_relay.open()

    async def retried():  # the first renewal fails, the retry 0.1 s later succeeds
        return layer.adds >= 3 and layer.members == {"specific.slow!relay"}

    assert await wait_until_async(retried, timeout=5)
    assert not any(task.done() for task in group_relay._tasks)
    await group_relay.close()
