"""A request that cannot reach PostgreSQL answers 503 with Retry-After, never a 500."""

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from apps.core.middleware import DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableMiddleware


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
