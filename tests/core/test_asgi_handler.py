"""The web process's HTTP path (`community.asgi.OneThreadHopASGIHandler`): a request enters a
thread from the event loop once for all of its middleware and its view, never back and forth."""

import asyncio
import threading

import pytest
from asgiref import sync
from asgiref.testing import ApplicationCommunicator
from channels.testing import HttpCommunicator
from django.conf import settings
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from community.asgi import application, django_asgi_app
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


# --- Threads lent to requests (community.asgi.RequestThreads) ---------------------------------

seen: dict[str, list] = {}
inside = threading.Barrier(4, timeout=10)
entered = threading.Event()
release = threading.Event()


def _together(request):
    """Waits until four requests are inside at once, so they must be on four threads."""
    seen.setdefault("threads", []).append(threading.current_thread())
    seen.setdefault("connections", []).append(connections["default"])
    inside.wait()
    return HttpResponse("ok")


def _held(request):
    seen["held"] = threading.current_thread()
    entered.set()
    release.wait(timeout=10)
    return HttpResponse("ok")


def _where(request):
    seen.setdefault("where", []).append(threading.current_thread())
    return HttpResponse("ok")


urlpatterns = [path("together/", _together), path("held/", _held), path("where/", _where)]


@pytest.fixture
def lent():
    seen.clear()
    inside.reset()
    entered.clear()
    release.clear()
    yield django_asgi_app.threads
    release.set()


async def _get(path: str) -> int:
    communicator = HttpCommunicator(application, "GET", path, headers=[(b"host", b"testserver")])
    response = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)
    return response["status"]


async def _until(condition):
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.mark.urls("tests.core.test_asgi_handler")
@pytest.mark.asyncio
async def test_requests_at_once_each_have_a_thread_and_connection_and_the_threads_serve_the_next(lent):
    assert await asyncio.gather(*[_get("/together/") for _ in range(4)]) == [200] * 4
    first = seen.pop("threads")
    assert len(set(first)) == 4
    assert len({id(wrapper) for wrapper in seen.pop("connections")}) == 4

    await _until(lambda: set(first) <= set(_idle_threads(lent)))
    assert await asyncio.gather(*[_get("/together/") for _ in range(4)]) == [200] * 4
    assert set(seen["threads"]) == set(first)


@pytest.mark.urls("tests.core.test_asgi_handler")
@pytest.mark.asyncio
async def test_a_thread_is_lent_to_no_other_request_until_its_requests_view_has_finished(lent):
    """Even when the client has gone away: asgiref waits for the view, and the thread goes back
    to the pool only behind whatever its request left on it."""
    held = ApplicationCommunicator(
        application,
        {"type": "http", "method": "GET", "path": "/held/", "query_string": b"", "headers": [(b"host", b"testserver")]},
    )
    await held.send_input({"type": "http.request", "body": b""})
    await asyncio.to_thread(entered.wait, 10)
    await held.send_input({"type": "http.disconnect"})

    assert await _get("/where/") == 200  # on the held view's thread, it would wait behind it
    assert seen["where"][-1] is not seen["held"]
    await _until(lambda: seen["where"][-1] in _idle_threads(lent))
    assert seen["held"] not in _idle_threads(lent)

    release.set()
    await held.wait(timeout=10)
    await _until(lambda: seen["held"] in _idle_threads(lent))


def _idle_threads(threads) -> list:
    """The threads waiting in the pool (`ThreadPoolExecutor._threads`: one per executor here)."""
    return [thread for executor in threads._idle for thread in executor._threads]
