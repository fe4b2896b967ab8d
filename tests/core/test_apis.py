from datetime import datetime

import pytest
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.accounts.factories import UserFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/stats/" in spec["paths"]
    assert "MeOutput" in spec["components"]["schemas"]


@pytest.mark.django_db
def test_interactive_docs_render_with_assets_served_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


@pytest.mark.django_db
def test_stats_are_public_and_say_when_they_were_counted(api, django_assert_num_queries):
    UserFactory.create_batch(3)
    UserFactory(verified=False)
    with django_assert_num_queries(8):
        response = api.get("/api/stats/")
    assert response.status_code == 200
    numbers = response.json()
    assert datetime.fromisoformat(numbers.pop("computed_at")) <= timezone.now()
    assert numbers == {
        "members": 4,
        "members_joined_last_30_days": 4,
        "verified_emails": 3,
        "hub_repositories": 0,
        "hub_downloads_last_30_days": 0,
        "public_profiles": 0,
        "hackathons_upcoming": 0,
        "hackathons_running": 0,
        "hackathons_finished": 0,
        "meetups_upcoming": 0,
        "gpu_hours_granted": "0.00",
        "gpu_hours_used": "0.00",
    }


@pytest.mark.django_db
def test_stats_count_hackathons_and_public_gpu_hours(api):
    from decimal import Decimal

    from apps.compute.services import usage
    from apps.hackathons.models import Hackathon
    from tests.compute.factories import approved_request, make_call, make_operator, make_resource
    from tests.hackathons.factories import hackathon_factory, running_schedule

    hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN)
    hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    call = make_call(budget="1000")
    allocation, grant = approved_request(call=call, units="300")
    usage.usage_report(actor=make_operator(call.resource), request_id=allocation.pk,
                       period_start=grant.start_date, period_end=grant.start_date, units=Decimal("40"))
    cpu_call = make_call(resource=make_resource(kind="cpu", unit="core-hours"), budget="1000")
    approved_request(call=cpu_call, units="500")  # core-hours are not GPU-hours

    numbers = api.get("/api/stats/").json()
    assert (numbers["hackathons_upcoming"], numbers["hackathons_running"]) == (1, 1)
    assert (numbers["gpu_hours_granted"], numbers["gpu_hours_used"]) == ("300.00", "40.00")


@pytest.mark.django_db
def test_me_requires_authentication_with_the_common_error_format(api):
    response = api.get("/api/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.django_db
def test_token_authentication_end_to_end(api):
    user = UserFactory()
    response = api.post("/api/auth/token/", {"email": user.email, "password": "a-long-test-password-42"})
    assert response.status_code == 201
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


@pytest.mark.django_db
def test_validation_errors_are_400_with_field_messages(api):
    response = api.post("/api/auth/token/", {"email": "not-an-email"})
    assert response.status_code == 400
    body = response.json()
    assert body["message"]
    assert set(body["errors"]) == {"email", "password"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


@pytest.mark.django_db
def test_wrong_password_and_unverified_accounts_get_no_token(api):
    verified = UserFactory()
    unverified = UserFactory(verified=False)
    wrong = api.post("/api/auth/token/", {"email": verified.email, "password": "nope-nope-nope"})
    assert wrong.status_code == 400
    assert "token" not in wrong.json()
    pending = api.post(
        "/api/auth/token/", {"email": unverified.email, "password": "a-long-test-password-42"}
    )
    assert pending.status_code == 403
    assert "Verify" in pending.json()["message"] or "Verifica" in pending.json()["message"]


@pytest.mark.django_db
def test_token_endpoint_is_rate_limited(api, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "token_obtain": "3/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    statuses = [
        api.post("/api/auth/token/", {"email": "x@example.org", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    limited = api.post("/api/auth/token/", {"email": "x@example.org", "password": "y"})
    assert limited.json()["retry_after"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": "null"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "1e3"}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "last"}, "page"),
    ],
)
def test_invalid_pagination_parameters_are_a_400_naming_them(api, query, field):
    api.force_authenticate(UserFactory())
    response = api.get("/api/notifications/", query)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.django_db
def test_valid_pagination_parameters_still_page(api):
    api.force_authenticate(UserFactory())
    assert api.get("/api/notifications/", {"page_size": "100", "page": "1"}).status_code == 200
    assert api.get("/api/notifications/", {"group": ""}).status_code == 200  # every group, as the schema says
    assert api.get("/api/notifications/", {"page": "2"}).status_code == 404  # past the end


@pytest.mark.django_db
def test_the_schema_bounds_the_pagination_parameters(api):
    parameters = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]["/api/notifications/"]["get"]["parameters"]
    schemas = {parameter["name"]: parameter["schema"] for parameter in parameters}
    assert schemas["page"] == {"type": "integer", "minimum": 1}
    assert schemas["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "" in schemas["group"]["enum"]
