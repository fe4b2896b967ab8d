"""Whatever a client sends on a socket is answered, never fatal (apps/core/frames.py)."""

import json
import random

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.chat import consumers, presence, selectors, services
from apps.core import frames
from apps.notifications.services import user_group
from community.asgi import application
from tests.accounts.factories import UserFactory
from tests.chat.conftest import ORIGIN, communicator, receive_type, session_cookie

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

MALFORMED = [
    "{not json",
    "",
    "[1, 2]",
    '"a string"',
    "null",
    '{"type": "edit", "body": "no id"}',
    '{"type": "delete"}',
    '{"type": "delete", "message_id": "7"}',
    '{"type": "delete", "message_id": true}',
    '{"type": "delete", "message_id": -1}',
    '{"type": "delete", "message_id": 1e400}',
    '{"type": "delete", "message_id": NaN}',
    '{"type": "resume", "after": Infinity}',
    '{"type": "resume", "after": ' + "9" * 400 + "}",
    '{"type": "resume", "after": ' + "9" * 5000 + "}",
    '{"type": "resume", "after": 1.5}',
    '{"type": "send", "client_id": "n1", "body": "a\\u0000b"}',
    '{"type": "send", "client_id": "s1", "body": "half \\ud800 pair"}',
    '{"type": "send", "client_id": ["x"], "body": "list id"}',
    '{"type": "send", "client_id": "' + "x" * 65 + '", "body": "long id"}',
    '{"type": "send", "client_id": "big", "body": "' + "x" * (70 * 1024) + '"}',
    '{"type": "typing", "nested": ' + "[" * 50 + "]" * 50 + "}",
    "[" * 30_000 + "]" * 30_000,
    "[" * 100_000 + "]" * 100_000,
    '{"type": {"a": 1}}',
    '{"type": "no-such-kind"}',
]


def _random_json(rng: random.Random, depth: int = 0):
    choice = rng.randrange(9 if depth < 6 else 6)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 2**53, 2**64, rng.randrange(-(10**6), 10**6)])
    if choice == 3:
        return rng.choice([0.5, -1e308, 1e-300])
    if choice in (4, 5):
        return "".join(chr(rng.choice([0, 0xD800, 0xDFFF, 0x1F600, rng.randrange(32, 0x2FFF)])) for _ in range(rng.randrange(12)))
    if choice in (6, 7):
        return {str(_random_json(rng, depth + 1))[:8]: _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def malformed_frames(rng: random.Random, kinds: list[str], count: int):
    """`count` frames each of which the server must refuse: (text, bytes) pairs."""
    for _ in range(count):
        shape = rng.randrange(7)
        if shape == 0:
            yield None, rng.randbytes(rng.randrange(1, 200))  # a binary frame
        elif shape == 1:
            yield rng.choice(MALFORMED), None
        elif shape == 2:  # JSON cut short or with a byte changed
            text = json.dumps({"type": rng.choice(kinds), "message_id": 1, "body": "hola"})
            cut = rng.randrange(1, len(text) - 1)
            yield (text[:cut] if rng.random() < 0.5 else text[:cut] + "\x00" + text[cut + 1 :]), None
        elif shape == 3:  # a random value that is not an object, or an object of no known kind
            value = _random_json(rng)
            if isinstance(value, dict):
                value["type"] = "x-" + str(rng.randrange(10**6))
            yield json.dumps(value, ensure_ascii=rng.random() < 0.5), None
        elif shape == 4:  # a known kind with a field of the wrong type or out of range
            yield json.dumps({"type": rng.choice(["edit", "delete"]), "message_id": rng.choice(
                ["1", None, 0, -5, 2**70, 1.5, [1], {"id": 1}, True])}), None
        elif shape == 5:  # a known kind carrying a string PostgreSQL cannot store
            yield json.dumps({"type": rng.choice(kinds), "client_id": "c", "body": "x\x00" + "\ud800" * rng.randrange(2)}), None
        else:  # deeper than allowed
            depth = rng.randrange(5, 3000)
            yield '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}", None


async def send_raw(socket, text, data):
    await socket.send_input({"type": "websocket.receive", "text": text} if text is not None
                            else {"type": "websocket.receive", "bytes": data})


async def next_error(socket) -> dict:
    """The next error frame; a closed socket or a consumer that raised fails here."""
    output = await socket.receive_output(timeout=5)
    while True:
        assert output["type"] == "websocket.send", f"the socket was closed: {output}"
        frame = json.loads(output["text"])
        if frame["type"] == "error":
            return frame
        output = await socket.receive_output(timeout=5)


async def open_chat(room, user):
    socket = await communicator(room, user)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    await receive_type(socket, "hello")
    return socket


async def test_each_malformed_frame_is_answered_with_an_error_and_the_socket_stays(chat_world):
    alice = await open_chat(chat_world["room"], chat_world["alice"])
    for text in MALFORMED:
        await send_raw(alice, text, None)
        error = await next_error(alice)
        assert error["status"] in (400, 413), (text[:80], error)
        assert error["message"]
    await send_raw(alice, None, b"\x00\x01binary")
    assert (await next_error(alice))["status"] == 400
    await alice.send_json_to({"type": "delete"})
    refused = await next_error(alice)
    assert (refused["for"], list(refused["errors"])) == ("delete", ["message_id"])
    await alice.send_json_to({"type": "send", "client_id": "ok", "body": "still here"})
    assert (await receive_type(alice, "message"))["message"]["body"] == "still here"
    count = await database_sync_to_async(lambda: chat_world["room"].messages.count())()
    assert count == 1  # the NUL, half-pair and oversized bodies never reached the database
    await alice.disconnect()


async def test_thousands_of_random_frames_leave_socket_and_presence_right(chat_world, settings):
    settings.WEBSOCKET_FRAME_RATE = "100000/1"  # every frame reaches the parser, not the socket's budget
    w = chat_world
    rng = random.Random(21)
    alice, bob = await open_chat(w["room"], w["alice"]), await open_chat(w["room"], w["bob"])
    kinds = ["send", "edit", "delete", "resume", "typing", "read", "ping"]
    for text, data in malformed_frames(rng, kinds, 3000):
        await send_raw(bob, text, data)
        error = await next_error(bob)
        assert error["status"] in (400, 413, 429), (text and text[:80], data, error)
    await bob.send_json_to({"type": "ping"})
    online = await receive_type(bob, "presence")
    assert {person["id"] for person in online["online"]} == {w["alice"].pk, w["bob"].pk}
    await bob.disconnect()
    assert await presence.online_user_ids(w["room"].pk) == [w["alice"].pk]
    await alice.send_json_to({"type": "ping"})
    assert [person["id"] for person in (await receive_type(alice, "presence"))["online"]] == [w["alice"].pk]
    await alice.disconnect()
    assert await presence.online_user_ids(w["room"].pk) == []


async def test_the_notification_socket_answers_random_frames_and_keeps_pushing(settings):
    settings.WEBSOCKET_FRAME_RATE = "100000/1"
    member = await database_sync_to_async(UserFactory)()
    cookie = await database_sync_to_async(session_cookie)(member)
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[
        ORIGIN, (b"host", b"testserver"), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])
    assert (await socket.connect(timeout=5))[0]
    rng = random.Random(12)
    for text, data in malformed_frames(rng, ["ping", "send"], 1000):
        await send_raw(socket, text, data)
        assert (await next_error(socket))["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"event": "unread", "unread": 0}
    await get_channel_layer().group_send(user_group(member.pk), {"type": "notifications.read", "unread": 3})
    assert await socket.receive_json_from(timeout=5) == {"event": "read", "unread": 3}
    await socket.disconnect()


async def test_a_typing_flood_relays_at_most_the_typing_budget(chat_world, monkeypatch, settings):
    monkeypatch.setattr(frames, "clock", lambda: 1000.0)  # the whole flood within one instant
    settings.WEBSOCKET_FRAME_RATE = "100000/1"  # typing's own limit, not the socket's, is under test
    w = chat_world
    alice, bob = await open_chat(w["room"], w["alice"]), await open_chat(w["room"], w["bob"])
    await receive_type(alice, "presence")
    for _ in range(1000):
        await bob.send_json_to({"type": "typing"})
    refused = [await next_error(bob) for _ in range(1000 - consumers.TYPING_RATE.frames)]
    assert {(error["for"], error["status"]) for error in refused} == {("typing", 429)}
    relayed = 0
    while not await alice.receive_nothing(timeout=0.5):
        relayed += (await alice.receive_json_from())["type"] == "typing"
    assert relayed == consumers.TYPING_RATE.frames
    await alice.disconnect()
    await bob.disconnect()


async def test_resumes_are_limited_and_each_backfills_at_most_the_cap(chat_world, monkeypatch, settings):
    now = [1000.0]
    monkeypatch.setattr(frames, "clock", lambda: now[0])
    monkeypatch.setattr(selectors, "BACKFILL_LIMIT", 3)
    settings.CHAT_RATE_LIMIT_MESSAGES = 100
    w = chat_world
    for n in range(5):
        await database_sync_to_async(services.message_send)(user=w["bob"], room=w["room"], client_id=f"b{n}", body=f"m{n}")
    alice = await open_chat(w["room"], w["alice"])
    await alice.send_json_to({"type": "resume", "after": 0})
    first = await receive_type(alice, "backfill")
    assert [m["body"] for m in first["messages"]] == ["m0", "m1", "m2"]
    await alice.send_json_to({"type": "resume", "after": first["up_to"]})
    assert [m["body"] for m in (await receive_type(alice, "backfill"))["messages"]] == ["m3", "m4"]
    for _ in range(consumers.RESUME_RATE.frames - 2):
        await alice.send_json_to({"type": "resume", "after": 0})
        await receive_type(alice, "backfill")
    await alice.send_json_to({"type": "resume", "after": 0})
    refused = await next_error(alice)
    assert (refused["for"], refused["status"], refused["retry_after"]) == ("resume", 429, 12)
    now[0] += 12  # one resume earned back
    await alice.send_json_to({"type": "resume", "after": 0})
    assert len((await receive_type(alice, "backfill"))["messages"]) == 3
    await alice.disconnect()
