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



ORIGINS = [
    (b"http://testserver:8080", b"testserver", False),  # the same host on another port
    (b"https://testserver", b"testserver", False),  # another scheme
    (b"http://testserver:80", b"testserver", True),  # the default port written out
    (b"http://localhost:8000", b"localhost:8000", True),
    (b"http://localhost:8001", b"localhost:8000", False),
    (b"http://evil.example", b"evil.example", False),  # a Host outside ALLOWED_HOSTS
    (b"null", b"testserver", False),
    (None, b"testserver", False),
]


@pytest.mark.asyncio
async def test_the_origin_must_match_scheme_host_and_port():
    """No database: an anonymous health socket never reads one, and a flush per case cost seconds."""
    for origin, host, accepted in ORIGINS:
        headers = [(b"host", host)] + ([(b"origin", origin)] if origin is not None else [])
        communicator = WebsocketCommunicator(application, "/ws/healthz/", headers=headers)
        assert (await communicator.connect())[0] is accepted, (origin, host)
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_site_url_and_trusted_origins_may_open_sockets_behind_a_tls_proxy(settings):
    settings.SITE_URL = "https://comunidad.example"
    settings.ALLOWED_HOSTS = ["comunidad.example", "backend.internal"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.comunidad.example"]
    for origin, headers, accepted in [
        (b"https://comunidad.example", [(b"host", b"backend.internal")], True),
        (b"https://www.comunidad.example", [(b"host", b"backend.internal")], True),
        (b"https://backend.internal", [(b"host", b"backend.internal"), (b"x-forwarded-proto", b"https")], True),
        (b"https://backend.internal", [(b"host", b"backend.internal")], False),
        (b"https://comunidad.example:8443", [(b"host", b"comunidad.example")], False),
    ]:
        communicator = WebsocketCommunicator(application, "/ws/healthz/", headers=[(b"origin", origin), *headers])
        assert (await communicator.connect())[0] is accepted, origin
        await communicator.disconnect()
