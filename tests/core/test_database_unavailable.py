"""A request that cannot reach PostgreSQL answers 503 with Retry-After, never a 500."""

import json
import socket
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory

from apps.core.middleware import DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableMiddleware
from tests.accounts.factories import UserFactory


def _unreachable(request):
    raise AssertionError("process_exception is called instead")


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
@pytest.mark.parametrize("path", ["/hackathons/", "/api/hackathons/"])
def test_an_unreachable_database_is_a_503_to_try_again(error, path):
    middleware = DatabaseUnavailableMiddleware(_unreachable)
    response = middleware.process_exception(RequestFactory().get(path), error)
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    if path.startswith("/api/"):
        assert json.loads(response.content)["message"]
    else:
        assert response["Content-Type"].startswith("text/plain")


def test_other_errors_are_left_to_the_rest():
    middleware = DatabaseUnavailableMiddleware(_unreachable)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None


@contextmanager
def _postgresql_refusing_connections():
    """Every new connection to PostgreSQL refused, as while it restarts: the connection is
    closed and pointed at a port nothing listens on (a real refusal, nothing patched)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused_port = closed.getsockname()[1]
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = refused_port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/talent/", "/api/hackathons/"])
def test_a_signed_in_member_gets_the_503_too_though_their_session_is_read_before_any_view(path):
    """The member's session is read by the middleware that chooses their language, before any
    view runs, so the failure happens where a view's exception handling does not reach."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    with _postgresql_refusing_connections():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert client.get(path).status_code == 200  # and back as soon as PostgreSQL answers
