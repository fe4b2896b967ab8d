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


def test_a_socket_that_missed_the_ring_closes_at_its_next_ping(client):
    """The ring is best effort (apps/accounts/live.py): a ping re-checks the session itself."""
    from apps.accounts.models import MemberSession

    client.force_login(UserFactory())

    async def scenario():
        communicator = open_socket(client)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "ping"})
        answer = await communicator.receive_json_from(timeout=5)
        await sync_to_async(MemberSession.objects.all().delete)()  # ended with no ring: nothing is sent
        await communicator.send_json_to({"type": "ping"})
        closed = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return answer, closed

    answer, closed = async_to_sync(scenario)()
    assert answer == {"event": "unread", "unread": 0}
    assert closed == {"type": "websocket.close", "code": 4401}
