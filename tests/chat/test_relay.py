"""The group relay (apps.core.relay) in chat rooms against the real Redis channel layer: two channel-layer
instances stand for two server processes, each with its own process channel."""

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from django.urls import path

from apps.chat.consumers import ChatConsumer
from apps.hackathons.services import teams
from tests.chat.conftest import communicator, receive_type
from tests.chat.test_consumer import close_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

OTHER = "other-process"


@pytest.fixture
def other_process(settings):
    """An ASGI app whose chat sockets use a second Redis channel layer: another server process."""
    settings.CHANNEL_LAYERS = {**settings.CHANNEL_LAYERS, OTHER: settings.CHANNEL_LAYERS["default"]}
    consumer = type("OtherProcessChatConsumer", (ChatConsumer,), {"channel_layer_alias": OTHER})
    return AuthMiddlewareStack(URLRouter([path("ws/chat/<int:room_id>/", consumer.as_asgi())]))


async def connect(room, user, **kwargs):
    socket = await communicator(room, user, **kwargs)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    await receive_type(socket, "hello")
    return socket


async def group_members(room) -> set[str]:
    layer = get_channel_layer()
    members = await layer.connection(layer.consistent_hash(room.group_name)).zrange(layer._group_key(room.group_name), 0, -1)
    return {member.decode() for member in members}


async def test_a_message_reaches_the_sockets_of_both_processes_through_one_member_each(chat_world, other_process):
    w = chat_world
    alice = await connect(w["room"], w["alice"])
    organiser = await connect(w["room"], w["organiser"])
    bob = await connect(w["room"], w["bob"], app=other_process)
    members = await group_members(w["room"])
    assert len(members) == 2  # one per process, not one per socket
    assert len({member.split("!")[0] for member in members}) == 2  # two processes' channels

    await bob.send_json_to({"type": "send", "client_id": "p1", "body": "desde el otro proceso"})
    for socket in (alice, organiser, bob):
        frame = await receive_type(socket, "message")
        assert frame["message"]["body"] == "desde el otro proceso" and frame["message"]["sequence"] == 1

    await alice.disconnect()
    assert len(await group_members(w["room"])) == 2  # the organiser still needs this process's member
    await organiser.disconnect()
    await bob.disconnect()
    assert await group_members(w["room"]) == set()


async def test_anonymous_question_author_is_shown_only_to_moderators_across_processes(chat_world, other_process):
    from apps.chat import services

    w = chat_world
    room = await database_sync_to_async(services.room_update)(user=w["organiser"], room=w["room"], qa=True)
    alice = await connect(room, w["alice"])
    organiser = await connect(room, w["organiser"], app=other_process)
    await database_sync_to_async(services.question_ask)(user=w["bob"], room=room, body="¿Quién?", anonymous=True)
    assert (await receive_type(alice, "question"))["question"]["author"] is None
    assert (await receive_type(organiser, "question"))["question"]["author"]["id"] == w["bob"].pk
    await alice.disconnect()
    await organiser.disconnect()


async def test_access_loss_closes_a_socket_served_by_the_relay_of_another_process(chat_world, other_process):
    w = chat_world
    alice = await connect(w["team_room"], w["alice"])
    bob = await connect(w["team_room"], w["bob"], app=other_process)
    await database_sync_to_async(teams.team_leave)(user=w["bob"], team=w["team"])
    assert await close_code(bob) == 4403
    await alice.send_json_to({"type": "send", "client_id": "a1", "body": "sigo aquí"})
    assert (await receive_type(alice, "message"))["message"]["body"] == "sigo aquí"
    await alice.disconnect()
