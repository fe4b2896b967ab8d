import pytest
from channels.testing import WebsocketCommunicator

from community.asgi import application


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_health_socket_round_trips_through_the_redis_channel_layer():
    communicator = WebsocketCommunicator(
        application, "/ws/healthz/", headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {
        "status": "ok",
        "authenticated": False,
    }
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_sockets_from_foreign_origins_are_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/healthz/", headers=[(b"origin", b"https://evil.example"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert not connected
