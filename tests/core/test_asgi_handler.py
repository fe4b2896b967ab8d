"""The web process's HTTP path (`community.asgi.OneThreadHopASGIHandler`): a request enters a
thread from the event loop once for all of its middleware and its view, never back and forth."""

import pytest
from asgiref import sync
from channels.testing import HttpCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client

from community.asgi import application
from tests.accounts.factories import UserFactory


@pytest.fixture
def crossings(monkeypatch):
    """How many times code passed from the event loop into a thread, and back."""
    counted = {"into a thread": 0, "back to the loop": 0}
    for name, kind in (("into a thread", sync.SyncToAsync), ("back to the loop", sync.AsyncToSync)):
        original = kind.__call__

        def counting(self, *args, _original=original, _name=name, **kwargs):
            counted[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(kind, "__call__", counting)
    return counted


def _signed_in_cookie() -> str:
    member = Client()
    member.force_login(UserFactory())
    connection.close()  # this thread's: the test database is dropped at the end
    return f"{settings.SESSION_COOKIE_NAME}={member.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/notifications/", "/api/hackathons/", "/healthz"])
async def test_a_members_request_enters_a_thread_once_for_its_middleware_and_view(path, crossings):
    cookie = await sync.sync_to_async(_signed_in_cookie)()
    crossings.update({"into a thread": 0, "back to the loop": 0})
    communicator = HttpCommunicator(
        application, "GET", path, headers=[(b"host", b"testserver"), (b"cookie", cookie.encode())]
    )
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)  # the request's end: its response closed
    assert response["status"] == 200
    # Into a thread for the request-started signal, the whole chain and the response's close;
    # Django's own handler went in four times and back to the loop once.
    assert crossings == {"into a thread": 3, "back to the loop": 0}
