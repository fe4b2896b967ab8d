import pytest

from apps.core import readiness
from community.celery import app as celery_app
from tests.accounts.factories import UserFactory

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthz_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


@pytest.mark.django_db
def test_readyz_reports_every_dependency_up(staff_client):
    response = staff_client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["detail"] == "postgresql"


@pytest.mark.django_db
def test_readyz_reports_redis_down_as_degraded(staff_client, settings):
    settings.REDIS_URL = CLOSED_PORT_URL
    response = staff_client.get("/readyz")
    # Still in service: log-in and the API work without Redis (see tests/core/test_redis_outage.py).
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_broker_down(staff_client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_PORT_URL)
    response = staff_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] is False
    assert checks["redis"]["ok"] is True


def check_failing(monkeypatch, name: str, message: str, *, required: bool) -> None:
    """Register (or replace) the readiness check `name` with one that raises `OSError(message)`."""

    def down():
        raise OSError(message)

    monkeypatch.setitem(readiness._checks, name, readiness.ReadinessCheck(down, required=required))


@pytest.mark.django_db
def test_readyz_is_unavailable_without_the_database(client, monkeypatch):
    check_failing(monkeypatch, "database", "connection refused", required=True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_a_check_an_app_registers_is_reported_and_an_optional_failure_only_degrades(staff_client, monkeypatch):
    check_failing(monkeypatch, "search", "search index unreachable", required=False)
    response = staff_client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["search"] == {"ok": False, "error": "OSError: search index unreachable"}
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_shows_no_hosts_or_errors_to_anonymous_callers(client, settings):
    settings.REDIS_URL = CLOSED_PORT_URL
    body = client.get("/readyz").json()
    assert body["checks"]["redis"] == {"ok": False}
    assert "127.0.0.1" not in str(body) and "postgresql" not in str(body)
    assert all(set(check) == {"ok"} for check in body["checks"].values())


@pytest.mark.django_db
def test_public_media_are_served_with_debug_off(client, settings, tmp_path):
    assert settings.DEBUG is False
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "abc.jpg").write_bytes(b"\xff\xd8\xff\xe0fake")
    response = client.get("/media/avatars/abc.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get("/media/../community/settings/base.py").status_code in (400, 404)
    assert client.get("/media/avatars/missing.jpg").status_code == 404
