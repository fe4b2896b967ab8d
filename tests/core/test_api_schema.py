"""The OpenAPI schema says what the API really answers: envelopes, errors, filters."""

import pytest
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.hackathons.factories import hackathon_factory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


@pytest.mark.parametrize("path", [
    "/api/compute/calls/", "/api/compute/requests/", "/api/compute/reviews/", "/api/hackathons/",
    "/api/hackathons/{slug}/teams/", "/api/notifications/", "/api/me/contact-requests/",
])
def test_paginated_lists_are_described_with_their_envelope(schema, path):
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "results"} <= set(envelope["properties"])
    parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}
    assert {"page", "page_size"} <= parameters


def test_every_operation_describes_its_errors_with_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message", "errors"]
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"401", "429"} <= codes, (method, path)
        if method != "GET":
            assert {"400", "403", "409"} <= codes, (method, path)
        if method in ("POST", "PUT", "PATCH"):
            assert "415" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        for code in codes - {"200", "201", "202", "204"}:
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (method, path, code)


@pytest.mark.parametrize(("path", "name", "values"), [
    ("/api/hackathons/", "period", ["upcoming", "running", "past"]),
    ("/api/hackathons/{slug}/registrations/", "status", None),
    ("/api/hub/repositories/", "kind", ["model", "dataset"]),
    ("/api/me/contact-requests/", "box", ["received", "sent"]),
    ("/api/profiles/", "region", None),
])
def test_filter_values_are_enums(schema, path, name, values):
    parameter = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)
    enum = parameter["schema"].get("enum") or parameter["schema"]["items"]["enum"]
    assert enum and (values is None or set(values) <= set(enum))


@pytest.mark.parametrize("url", [
    "/api/hackathons/?period=someday", "/api/hackathons/?format=underwater", "/api/hub/repositories/?kind=space",
    "/api/hub/repositories/?sort=shoe-size", "/api/profiles/?region=atlantis", "/api/profiles/?available=never",
    "/api/profiles/?sort=random", "/api/notifications/?unread=perhaps", "/api/me/contact-requests/?box=spam",
])
def test_unknown_filter_values_are_a_400_naming_the_filter(url):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("reader", "reader@example.org", "pw-123456789"))
    response = client.get(url)
    assert response.status_code == 400, url
    name = url.split("?")[1].split("=")[0]
    assert [key.split(".")[0] for key in response.json()["errors"]] == [name]


def test_unknown_registration_status_is_a_400():
    hackathon = hackathon_factory()
    client = APIClient()
    client.force_authenticate(hackathon.organisers.get())
    url = f"/api/hackathons/{hackathon.slug}/registrations/"
    assert client.get(url, {"status": "confirmed"}).status_code == 200
    assert client.get(url, {"status": "maybe"}).json()["errors"]["status"]


def test_the_format_filter_is_not_taken_for_a_renderer():
    hackathon_factory(state="published", format="online")
    response = APIClient().get("/api/hackathons/", {"format": "online"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_an_api_url_no_route_matches_answers_in_the_error_shape(client):
    response = client.get("/api/profiles/%C2%AE/")  # not a slug: no route matches
    assert response.status_code == 404
    assert response.json()["errors"] == {} and response.json()["message"]
    assert "text/html" in client.get("/talent/%C2%AE/")["Content-Type"]


def test_a_body_without_a_content_type_is_the_documented_415(schema):
    """Schemathesis found it: a body the parsers cannot read answered a status the schema left out."""
    response = APIClient().generic("POST", "/api/auth/token/", b"\xf2\xa8\xa9", content_type="")
    assert response.status_code == 415
    assert set(response.json()) == {"message", "errors"}
    assert "415" in schema["paths"]["/api/auth/token/"]["post"]["responses"]
