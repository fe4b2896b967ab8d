"""Schemathesis drives every API operation with generated input, as three kinds of caller.

Each operation is tried with a bounded number of examples (`API_FUZZ_EXAMPLES`, default 2)
per role; an answer fails the test when it is a server error, or when its status, content
type or body is not what the schema (`/api/schema/`) says. Input the schema forbids
(`API_FUZZ_NEGATIVE_EXAMPLES`, default 1) must be refused with a 4xx, never served.
"""

import os

import pytest
import schemathesis
from schemathesis import GenerationMode
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.checks import negative_data_rejection

from apps.notifications.services import notify
from community.wsgi import application
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import clear_worker_redis

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "2"))
NEGATIVE_EXAMPLES = int(os.environ.get("API_FUZZ_NEGATIVE_EXAMPLES", "1"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema(mode: GenerationMode):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # Generated examples only: the coverage phase's exhaustive boundary cases would send
    # hundreds of requests per operation, far past the suite's time budget.
    schema.config.phases.coverage.enabled = False
    schema.config.generation.update(modes=[mode])
    return schema


schema = _schema(GenerationMode.POSITIVE)
invalid_input_schema = _schema(GenerationMode.NEGATIVE)


def _token_for(user) -> str:
    """A token obtained the way clients obtain one, so the test follows the token rules."""
    response = APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 201, response.content  # a new token is created
    return response.json()["token"]


@pytest.fixture
def callers(db):
    """Request headers of each kind of caller.

    Requests go straight to the WSGI application, which closes old database connections
    when a request ends; like Django's test client, keep the test's connection (and its
    transaction) open meanwhile.
    """
    member, staff = UserFactory(), UserFactory(is_staff=True)
    # Lists with something in them, so their items are checked against the schema too (a
    # notification's dotted kind broke the pattern a SlugField published).
    notify(recipients=[member, staff], kind="meetups.event_changed", title="Cambio de sala", email=False)
    headers = {
        "anonymous": {},
        "member": {"Authorization": f"Token {_token_for(member)}"},
        "staff": {"Authorization": f"Token {_token_for(staff)}"},
    }
    # After the tokens: Django's test client reconnects the receivers when it is done.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield headers
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, callers):
    for headers in callers.values():
        clear_worker_redis()  # rate limits start afresh for every example
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)


@invalid_input_schema.parametrize()
@settings(
    max_examples=NEGATIVE_EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_refuses_input_its_schema_forbids(case, callers):
    for headers in callers.values():
        clear_worker_redis()
        response = case.call(headers=headers)
        case.validate_response(response, checks=[negative_data_rejection, *CHECKS])
