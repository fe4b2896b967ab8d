"""Chat's metrics at `/metrics`: sockets open, frames received and channel-layer group sends."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from tests.chat.conftest import communicator, receive_type
from tests.metrics_scrape import metric


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sockets_open_chat_frames_and_group_sends(chat_world):
    client = Client()
    read = database_sync_to_async(lambda name: metric(client, name))
    sockets, frames, sends = (await read("community_websockets_open"), await read("community_chat_frames_total"),
                              await read("community_channel_layer_group_sends_total"))
    alice = await communicator(chat_world["room"], chat_world["alice"])
    assert (await alice.connect(timeout=5))[0]
    await receive_type(alice, "hello")
    assert await read("community_websockets_open") == sockets + 1
    await alice.send_json_to({"type": "send", "client_id": "m1", "body": "Hola"})
    await receive_type(alice, "message")
    assert await read("community_chat_frames_total") == frames + 1
    assert await read("community_channel_layer_group_sends_total") > sends
    await alice.disconnect()
    assert await read("community_websockets_open") == sockets
