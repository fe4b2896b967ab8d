"""The chat socket against the real Redis channel layer (settings.test)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.test import Client

from apps.chat import services
from apps.chat.models import Message
from apps.hackathons.services import teams
from tests.chat.conftest import communicator, receive_type, session_cookie

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_channel_layer_is_redis():
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.CHANNEL_LAYERS["default"]["BACKEND"]), RedisChannelLayer)


async def close_code(socket) -> int:
    """Skip frames until the server closes the socket; its close code."""
    output = await socket.receive_output(timeout=5)
    while output["type"] != "websocket.close":
        output = await socket.receive_output(timeout=5)
    return output["code"]


async def connect(room, user, **kwargs):
    socket = await communicator(room, user, **kwargs)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await receive_type(socket, "hello")
    return socket, hello


async def test_access_rules_and_close_codes(chat_world):
    w = chat_world
    anonymous = await communicator(w["room"])
    assert await anonymous.connect(timeout=5) == (False, 4401)
    outsider = await communicator(w["room"], w["outsider"])
    assert await outsider.connect(timeout=5) == (False, 4403)
    bob_in_team, _hello = await connect(w["team_room"], w["bob"])
    await bob_in_team.disconnect()
    organiser, hello = await connect(w["room"], w["organiser"])
    assert hello["can_moderate"] is True
    await organiser.disconnect()
    await database_sync_to_async(services.room_update)(user=w["organiser"], room=w["room"], closed=True)
    closed = await communicator(w["room"], w["alice"])
    assert await closed.connect(timeout=5) == (False, 4410)
    missing = await communicator(type(w["room"])(pk=999999), w["alice"])
    assert await missing.connect(timeout=5) == (False, 4404)


async def test_foreign_origin_is_refused(chat_world):
    socket = await communicator(chat_world["room"], chat_world["alice"], origin=(b"origin", b"https://evil.example"))
    connected, _code = await socket.connect(timeout=5)
    assert not connected


async def test_message_is_stored_then_broadcast_once_with_sequence(chat_world):
    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    bob, _ = await connect(w["room"], w["bob"])
    await alice.send_json_to({"type": "send", "client_id": "c1", "body": "Hola **equipo** <script>x</script> [l](https://e.org)"})
    frame = await receive_type(bob, "message")
    message = frame["message"]
    assert message["sequence"] == 1 and message["author"]["id"] == w["alice"].pk
    assert "<strong>equipo</strong>" in message["html"] and "<script>" not in message["html"]
    assert 'rel="nofollow noopener ugc"' in message["html"]
    # A resend with the same client id is stored once and not broadcast again.
    await alice.send_json_to({"type": "send", "client_id": "c1", "body": "Hola **equipo**"})
    await receive_type(alice, "message")
    resent = await receive_type(alice, "message")
    assert resent["message"]["id"] == message["id"]
    assert await database_sync_to_async(Message.objects.count)() == 1
    await alice.send_json_to({"type": "send", "client_id": "c2", "body": "x" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1)})
    error = await receive_type(alice, "error")
    assert error["status"] == 400 and "body" in error["errors"]
    await alice.disconnect()
    await bob.disconnect()


async def test_rate_limit_sends_an_error_frame_and_keeps_the_socket(chat_world):
    alice, _ = await connect(chat_world["room"], chat_world["alice"])
    limit = settings.CHAT_RATE_LIMIT_MESSAGES
    for n in range(limit + 1):
        await alice.send_json_to({"type": "send", "client_id": f"r{n}", "body": f"mensaje {n}"})
    frames = [await alice.receive_json_from(timeout=5) for _ in range(limit + 1)]
    frames = [f for f in frames if f["type"] in ("message", "error")]
    while len(frames) < limit + 1:
        frame = await alice.receive_json_from(timeout=5)
        if frame["type"] in ("message", "error"):
            frames.append(frame)
    assert [f["type"] for f in frames].count("error") == 1
    error = next(f for f in frames if f["type"] == "error")
    assert error["status"] == 429 and error["client_id"] == f"r{limit}"
    await alice.send_json_to({"type": "ping"})
    assert (await receive_type(alice, "presence"))["online"]
    await alice.disconnect()


async def test_edit_and_delete_are_broadcast_and_moderators_delete_any(chat_world):
    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    bob, _ = await connect(w["room"], w["bob"])
    await alice.send_json_to({"type": "send", "client_id": "e1", "body": "primera versión"})
    sent = (await receive_type(bob, "message"))["message"]
    await alice.send_json_to({"type": "edit", "message_id": sent["id"], "body": "segunda versión"})
    edited = (await receive_type(bob, "message"))["message"]
    assert edited["id"] == sent["id"] and edited["body"] == "segunda versión" and edited["edited_at"]
    assert edited["revision"] == sent["revision"] + 1
    # Bob may neither edit nor delete Alice's message.
    await bob.send_json_to({"type": "delete", "message_id": sent["id"]})
    assert (await receive_type(bob, "error"))["status"] == 403
    organiser, _ = await connect(w["room"], w["organiser"])
    await organiser.send_json_to({"type": "delete", "message_id": sent["id"]})
    deleted = (await receive_type(alice, "message"))["message"]
    while not deleted["deleted"]:
        deleted = (await receive_type(alice, "message"))["message"]
    assert deleted["body"] == "" and deleted["revision"] == sent["revision"] + 2
    log = await database_sync_to_async(lambda: list(w["room"].moderation_actions.values_list("kind", flat=True)))()
    assert log == ["delete"]
    for socket in (alice, bob, organiser):
        await socket.disconnect()


async def test_muted_and_locked(chat_world):
    w = chat_world
    await database_sync_to_async(services.member_mute)(user=w["organiser"], room=w["room"], member_id=w["bob"].pk, minutes=10)
    bob, _ = await connect(w["room"], w["bob"])
    await bob.send_json_to({"type": "send", "client_id": "m1", "body": "¿se me oye?"})
    assert (await receive_type(bob, "error"))["status"] == 403
    await database_sync_to_async(services.room_update)(user=w["organiser"], room=w["room"], locked=True)
    room_frame = await receive_type(bob, "room")
    assert room_frame["room"]["locked"] is True
    alice, _ = await connect(w["room"], w["alice"])
    await alice.send_json_to({"type": "send", "client_id": "m2", "body": "hola"})
    assert (await receive_type(alice, "error"))["status"] == 409
    await bob.disconnect()
    await alice.disconnect()


async def test_reconnect_backfill_comes_from_the_database(chat_world):
    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    await alice.send_json_to({"type": "send", "client_id": "b1", "body": "uno"})
    first = (await receive_type(alice, "message"))["message"]
    await alice.disconnect()
    # While Alice is away: two new messages and an edit of an old one.
    for n, body in enumerate(["dos", "tres"]):
        await database_sync_to_async(services.message_send)(user=w["bob"], room=w["room"], client_id=f"b-{n}", body=body)
    alice, _ = await connect(w["room"], w["alice"])
    await alice.send_json_to({"type": "resume", "after": first["revision"]})
    backfill = await receive_type(alice, "backfill")
    assert [m["body"] for m in backfill["messages"]] == ["dos", "tres"]
    assert [m["revision"] for m in backfill["messages"]] == [2, 3] and backfill["up_to"] == 3
    await alice.disconnect()


async def test_a_dropped_broadcast_shows_as_a_gap_the_client_can_fill(chat_world):
    """A message stored without a broadcast (as if the channel layer dropped it) leaves a hole
    in the stream numbers; the next live frame reveals it and `resume` fills it."""
    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    await alice.send_json_to({"type": "send", "client_id": "g1", "body": "uno"})
    last_seen = (await receive_type(alice, "message"))["message"]["revision"]

    def send_without_broadcast():
        from unittest import mock

        with mock.patch("apps.chat.services._broadcast"):
            services.message_send(user=w["bob"], room=w["room"], client_id="lost", body="perdido")

    await database_sync_to_async(send_without_broadcast)()
    await database_sync_to_async(services.message_send)(user=w["bob"], room=w["room"], client_id="g3", body="tres")
    live = (await receive_type(alice, "message"))["message"]
    assert live["revision"] > last_seen + 1  # the gap the client detects
    await alice.send_json_to({"type": "resume", "after": last_seen})
    backfill = await receive_type(alice, "backfill")
    assert [m["body"] for m in backfill["messages"]] == ["perdido", "tres"]
    await alice.disconnect()


async def test_socket_is_closed_when_access_is_lost(chat_world):
    w = chat_world
    bob, _ = await connect(w["team_room"], w["bob"])
    await database_sync_to_async(teams.team_leave)(user=w["bob"], team=w["team"])
    assert await close_code(bob) == 4403


async def test_socket_is_closed_when_the_session_ends(chat_world):
    w = chat_world
    cookie = await database_sync_to_async(session_cookie)(w["alice"])
    alice = await communicator(w["room"], cookie=cookie)
    assert (await alice.connect(timeout=5))[0]

    def log_out():
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert browser.post("/accounts/logout/").status_code == 302

    await database_sync_to_async(log_out)()
    assert await close_code(alice) == 4401


async def test_presence_and_typing(chat_world):
    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    bob, _ = await connect(w["room"], w["bob"])
    presence = await receive_type(alice, "presence")
    while len(presence["online"]) < 2:
        presence = await receive_type(alice, "presence")
    assert {p["id"] for p in presence["online"]} == {w["alice"].pk, w["bob"].pk}
    await bob.send_json_to({"type": "typing"})
    typing = await receive_type(alice, "typing")
    assert typing["user"]["id"] == w["bob"].pk
    await bob.disconnect()
    presence = await receive_type(alice, "presence")
    while len(presence["online"]) != 1:
        presence = await receive_type(alice, "presence")
    assert presence["online"][0]["id"] == w["alice"].pk
    await alice.disconnect()
    await asyncio.sleep(0)


async def test_big_rooms_do_not_push_every_join(chat_world, settings):
    """Above CHAT_PRESENCE_BROADCAST_MAX online, arrivals are not pushed to everyone (n² frames);
    the list still comes with hello and with every ping."""
    settings.CHAT_PRESENCE_BROADCAST_MAX = 1
    w = chat_world
    alice, hello = await connect(w["room"], w["alice"])
    assert hello["online_count"] == 1
    await receive_type(alice, "presence")  # a room of one: her own arrival is still pushed
    bob, hello = await connect(w["room"], w["bob"])
    assert hello["online_count"] == 2
    assert await alice.receive_nothing(timeout=0.5)
    await alice.send_json_to({"type": "ping"})
    assert (await receive_type(alice, "presence"))["online_count"] == 2
    await alice.disconnect()
    await bob.disconnect()


async def test_live_questions_hide_anonymous_authors_from_everyone_but_moderators(chat_world):
    """Question frames are encoded once per audience when broadcast: the organiser's socket
    gets who asked an anonymous question, another member's does not."""
    w = chat_world
    room = await database_sync_to_async(services.room_update)(user=w["organiser"], room=w["room"], qa=True)
    bob, _ = await connect(w["room"], w["bob"])
    organiser, _ = await connect(w["room"], w["organiser"])
    await database_sync_to_async(services.question_ask)(user=w["alice"], room=room, body="¿Y el GPU?", anonymous=True)
    seen_by_bob = (await receive_type(bob, "question"))["question"]
    seen_by_organiser = (await receive_type(organiser, "question"))["question"]
    assert seen_by_bob["anonymous"] and seen_by_bob["author"] is None
    assert seen_by_organiser["author"]["id"] == w["alice"].pk
    await database_sync_to_async(services.question_ask)(user=w["bob"], room=room, body="¿Premios?")
    assert (await receive_type(bob, "question"))["question"]["author"]["id"] == w["bob"].pk
    for socket in (bob, organiser):
        await socket.disconnect()


async def test_broadcast_frames_are_passed_on_without_a_trip_to_the_sync_thread(chat_world):
    """Channels' dispatch hops to the process's single sync thread (to close stale database
    connections) before every handler; for a frame that touches no database, in a big room,
    that hop was most of the fan-out's cost. A broadcast must be sent as it came."""
    from unittest import mock

    import channels.db

    w = chat_world
    alice, _ = await connect(w["room"], w["alice"])
    layer = get_channel_layer()
    frames = [f'{{"type": "message", "message": {{"sequence": {n}}}}}' for n in range(10)]
    with mock.patch.object(channels.db, "close_old_connections", wraps=channels.db.close_old_connections) as closes:
        for frame in frames:
            await layer.group_send(w["room"].group_name, {"type": "chat.message", "text": frame})
        received = []
        while len(received) < len(frames):
            text = await alice.receive_from(timeout=5)
            if text.startswith('{"type": "message"'):  # not presence
                received.append(text)
    assert received == frames
    assert closes.call_count == 0
    await alice.disconnect()
