"""WebSockets against a live ASGI server process: idle sockets and bursts stay up.

Before the channel layer was configured, an idle socket was closed with 1011 every
few seconds (redis-py's 5 s socket timeout equals the layer's 5 s blocking pop) and a
burst of 200 sockets lost many to "Too many connections" and a 100-message capacity.
CHANNEL_LAYER_SOCKET_TIMEOUT=5 here brings the first failure back.
"""

import asyncio
import contextlib
import json
import time
from importlib import import_module

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from apps.core.live import group_send_many
from apps.notifications.services import user_group
from tests.accounts.factories import UserFactory
from tests.asgi_server import running_asgi_server
from tests.notifications.live_stack import wait_until_async

IDLE_SECONDS = 16  # three of the layer's 5 s blocking pops, past its socket timeout of old


def session_cookie(user) -> str:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


async def open_sockets(server_url: str, cookies: list[str]) -> list:
    ws_url = server_url.replace("http://", "ws://") + "/ws/notifications/"

    async def open_one(cookie):
        return await connect(
            ws_url, additional_headers={"Cookie": cookie}, origin=server_url, ping_interval=None,
            open_timeout=60,
        )

    return await asyncio.gather(*(open_one(cookie) for cookie in cookies))


async def notify_everyone(sockets: list, users: list) -> tuple[list[float], list[int]]:
    """Push one live message per member; return each socket's delivery latency and any close codes."""
    sent_at = time.perf_counter()
    await asyncio.to_thread(
        group_send_many,
        [(user_group(u.pk), {"type": "notification.created", "id": u.pk, "kind": "test", "title": "hola", "url": ""})
         for u in users],
    )
    latencies, closed = [], []

    async def receive(ws):
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
            assert message["title"] == "hola"
            latencies.append(time.perf_counter() - sent_at)
        except ConnectionClosed as error:
            closed.append(error.rcvd.code if error.rcvd else 1006)

    await asyncio.gather(*(receive(ws) for ws in sockets))
    return latencies, closed


def hold_and_notify(users: list, sockets_per_user: int, idle_seconds: float) -> tuple[list, list, list, str]:
    """Open the sockets at once on a live server, hold them idle, then push to every member.

    Returns the close codes seen while idle, the delivery latencies, the close codes
    seen while receiving, and the server's output.
    """
    cookies = [session_cookie(u) for u in users for _ in range(sockets_per_user)]

    async def scenario(server):
        sockets = await open_sockets(server.url, cookies)
        await asyncio.sleep(idle_seconds)  # sockets left idle that long is the case under test
        early_closes = [ws.close_code for ws in sockets if ws.close_code is not None]
        latencies, closed = await notify_everyone(sockets, users)
        await asyncio.gather(*(ws.close() for ws in sockets))
        return early_closes, latencies, closed

    with running_asgi_server() as server:
        early_closes, latencies, closed = asyncio.run(scenario(server))
        return early_closes, latencies, closed, server.output()


@pytest.mark.django_db(transaction=True)
def test_idle_sockets_are_not_closed_by_the_server():
    early_closes, latencies, closed, log = hold_and_notify(UserFactory.create_batch(4), 5, IDLE_SECONDS)
    assert early_closes == [] and closed == [], log
    assert len(latencies) == 20


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_200_sockets_connects_and_receives_without_1011():
    early_closes, latencies, closed, log = hold_and_notify(UserFactory.create_batch(20), 10, 0)
    assert early_closes == [] and closed == [], log
    assert len(latencies) == 200




@pytest.mark.django_db(transaction=True)
def test_group_messages_reach_every_socket_while_other_sockets_close():
    """The bench's "0 of 500" defect: a socket closing as a group message arrived could take
    its whole process's copy with it (channels-redis pops in the `receive` of whichever
    socket holds its lock, and a closing socket's `receive` is cancelled). 100 messages go
    to 100 staying sockets while 150 other sockets on the same process close one by one;
    every staying socket must get every message once, in order."""
    staying, leaving = UserFactory(), UserFactory()
    messages, leavers_count, stayers_count = 100, 150, 100
    leaving_cookie, staying_cookie = session_cookie(leaving), session_cookie(staying)

    async def scenario(server_url):
        layer = get_channel_layer()
        leavers = await open_sockets(server_url, [leaving_cookie] * leavers_count)
        stayers = await open_sockets(server_url, [staying_cookie] * stayers_count)
        group = user_group(staying.pk)

        async def relay_joined():  # the server process listens on the stayers' group
            return await layer.connection(layer.consistent_hash(group)).zcard(layer._group_key(group)) == 1

        assert await wait_until_async(relay_joined, timeout=10)

        async def send():
            for n in range(messages):
                await layer.group_send_many([(user_group(staying.pk), {
                    "type": "notification.created", "id": n, "kind": "test", "title": "hola", "url": ""})])
                await asyncio.sleep(0.01)  # spread over the time the leavers take to close: the race under test

        async def leave():
            for ws in leavers:
                await ws.close()

        async def receive(ws):
            ids = []
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                while len(ids) < messages:
                    ids.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["id"])
            return ids

        *_, received = await asyncio.gather(send(), leave(), asyncio.gather(*(receive(ws) for ws in stayers)))
        await asyncio.gather(*(ws.close() for ws in stayers))
        await layer.close_pools()
        return received

    with running_asgi_server() as server:
        received = asyncio.run(scenario(server.url))
        lost = [messages - len(ids) for ids in received]
        assert all(ids == list(range(messages)) for ids in received), (lost, server.output())
