"""A live socket ends with its session: log-out, a new password, a deleted account."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from community.asgi import application
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_socket(client):
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return WebsocketCommunicator(
        application, "/ws/notifications/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)],
    )


def closed_after(client, action) -> dict:
    async def scenario():
        communicator = open_socket(client)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(action)()
        output = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return output

    return async_to_sync(scenario)()


def test_logging_out_closes_the_notification_socket(client):
    client.force_login(UserFactory())
    output = closed_after(client, lambda: client.post("/accounts/logout/"))
    assert output == {"type": "websocket.close", "code": 4401}


def test_a_new_password_closes_sockets_of_every_session(client):
    from django.test import Client

    user = UserFactory()
    client.force_login(user)
    other = Client()
    other.force_login(user)

    def change_password_elsewhere():
        other.post("/accounts/password/change/", {
            "oldpassword": PASSWORD, "password1": "another-long-password-77", "password2": "another-long-password-77",
        })

    assert closed_after(client, change_password_elsewhere)["type"] == "websocket.close"
