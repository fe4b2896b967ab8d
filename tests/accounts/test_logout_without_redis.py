"""Log-out ends the session whatever Redis does: a live server on a Redis the test owns,
frozen and then stopped while members log out."""

import http.client
import time
import urllib.parse

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.asgi_server import running_asgi_server
from tests.own_redis import OwnRedis

CSRF = "b" * 32


def request(server_url: str, method: str, path: str, cookie: str, body: dict | None = None) -> http.client.HTTPResponse:
    host, port = urllib.parse.urlsplit(server_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={CSRF}"}
    encoded = None
    if body is not None:
        encoded = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": CSRF})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=encoded, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def signed_in(server_url: str, cookie: str) -> bool:
    """The account page answers a member; a visitor is sent to the sign-in page."""
    answer = request(server_url, "GET", "/accounts/settings/", cookie)
    assert answer.status in (200, 302), answer.status
    return answer.status == 200


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
def test_log_out_ends_the_session_while_redis_is_frozen_and_while_it_is_stopped():
    """Before: the log-out receiver rang the channel layer before the session was flushed,
    so log-out answered 500 and the old cookie kept working; and a session cached in Redis
    (cached_db) came back to life when a frozen Redis answered again."""
    redis_server = OwnRedis().start()
    try:
        with running_asgi_server(
            REDIS_URL=redis_server.url, CACHE_OUTAGE_RETRY_SECONDS="1",
            # Bounds how long the code before the fix waited on the frozen layer (15 s by default).
            CHANNEL_LAYER_SOCKET_TIMEOUT="3",
        ) as server:
            frozen_member, stopped_member = session_of(UserFactory()), session_of(UserFactory())
            assert signed_in(server.url, frozen_member) and signed_in(server.url, stopped_member)

            redis_server.freeze()
            started = time.monotonic()
            logged_out = request(server.url, "POST", "/accounts/logout/", frozen_member, body={})
            took = time.monotonic() - started
            assert logged_out.status == 302, server.output()
            assert took < 5, f"log-out waited {took:.1f} s for a frozen Redis"
            assert not signed_in(server.url, frozen_member)
            redis_server.thaw()
            time.sleep(1.5)  # the cache uses Redis again after CACHE_OUTAGE_RETRY_SECONDS
            assert not signed_in(server.url, frozen_member), "the ended session came back with Redis"
            assert signed_in(server.url, stopped_member)

            redis_server.stop()
            assert request(server.url, "POST", "/accounts/logout/", stopped_member, body={}).status == 302, \
                server.output()
            assert not signed_in(server.url, stopped_member)
            log = server.output()
    finally:
        redis_server.stop()
    assert "Could not tell sockets their session ended" in log  # logged and dropped
