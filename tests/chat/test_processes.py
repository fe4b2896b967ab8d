"""Two real ASGI server processes sharing PostgreSQL and Redis: messages and presence cross them."""

import asyncio
import json
import random
import signal

import pytest
import websockets
from django.conf import settings
from django.db import connection

from bench.asgi_servers import asgi_servers
from tests.asgi_server import running_asgi_server
from tests.chat.conftest import session_cookie
from tests.chat.test_frames import malformed_frames

pytestmark = pytest.mark.django_db(transaction=True)


async def _frame(socket, kind, timeout=10):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == kind:
            return frame


async def _online_ids(socket, expected: set[int], timeout: float = 8) -> set[int]:
    """Ping until the presence list is `expected` or the time is up; returns the last list seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen: set[int] = set()
    while loop.time() < deadline:
        await socket.send(json.dumps({"type": "ping"}))
        seen = {person["id"] for person in (await _frame(socket, "presence"))["online"]}
        if seen == expected:
            break
        await asyncio.sleep(0.3)  # between pings: each one refreshes the list
    return seen




def test_message_and_presence_cross_two_server_processes(chat_world):
    w = chat_world
    room = w["room"].pk
    cookies = {name: session_cookie(w[name]) for name in ("alice", "bob")}
    env = {
        "DJANGO_SETTINGS_MODULE": "community.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CHAT_PRESENCE_TTL_SECONDS": "3",
    }

    async def journey(servers):
        (port_a, _), (port_b, process_b) = servers
        url = "ws://127.0.0.1:{port}/ws/chat/%s/" % room

        def connect(port, who):
            return websockets.connect(
                url.format(port=port),
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[who]}"},
            )

        async with connect(port_a, "alice") as alice, connect(port_b, "bob") as bob:
            await _frame(alice, "hello")
            await _frame(bob, "hello")
            both = {w["alice"].pk, w["bob"].pk}
            assert await _online_ids(alice, both) == both
            assert await _online_ids(bob, both) == both
            await alice.send(json.dumps({"type": "send", "client_id": "x1", "body": "de A a B"}))
            received = (await _frame(bob, "message"))["message"]
            assert received["body"] == "de A a B" and received["sequence"] == 1
            await bob.send(json.dumps({"type": "send", "client_id": "y1", "body": "de B a A"}))
            assert (await _frame(alice, "message"))["message"]["body"] == "de A a B"
            assert (await _frame(alice, "message"))["message"]["sequence"] == 2
            # Server B dies without saying goodbye: Bob's entry expires (TTL 3 s), Alice sees it.
            process_b.send_signal(signal.SIGKILL)
            process_b.wait()
            await asyncio.sleep(1)  # time passing within the TTL is the case under test
            assert await _online_ids(alice, {w["alice"].pk}, timeout=0.1) == both  # not yet expired
            assert await _online_ids(alice, {w["alice"].pk}) == {w["alice"].pk}

    with asgi_servers(2, env=env) as servers:
        asyncio.run(journey(servers))


def test_a_real_server_answers_malformed_frames_and_keeps_presence_right(chat_world):
    """A bounded sample of the fuzz test's frames through uvicorn: what a browser-facing
    server does with binary, oversized and broken frames, which the in-process test cannot show."""
    w = chat_world
    cookies = {name: session_cookie(w[name]) for name in ("alice", "bob")}

    async def journey(server):
        def connect(who):
            return websockets.connect(
                f"{server.url.replace('http', 'ws')}/ws/chat/{w['room'].pk}/", origin=server.url,
                additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[who]}"},
            )

        async with connect("alice") as alice:
            await _frame(alice, "hello")
            async with connect("bob") as bob:
                await _frame(bob, "hello")
                both = {w["alice"].pk, w["bob"].pk}
                assert await _online_ids(alice, both) == both
                kinds = ["send", "edit", "delete", "resume", "typing", "read", "ping"]
                for text, data in malformed_frames(random.Random(7), kinds, 300):
                    # Unpaired surrogates cannot cross a real wire as text (the in-process test sends them).
                    await bob.send(text.encode(errors="replace").decode() if text is not None else data)
                    assert (await _frame(bob, "error"))["status"] in (400, 413, 429)
                await bob.send(json.dumps({"type": "send", "client_id": "after", "body": "sigo aquí"}))
                assert (await _frame(alice, "message"))["message"]["body"] == "sigo aquí"
            assert await _online_ids(alice, {w["alice"].pk}, timeout=3) == {w["alice"].pk}

    with running_asgi_server(WEBSOCKET_FRAME_RATE="100000/1") as server:
        asyncio.run(journey(server))
        assert server.poll() is None, server.output()
        assert "Traceback" not in server.output(), server.output()
