"""One failed-login budget per account and per client address, whatever the way in."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# ACCOUNT_RATE_LIMITS["login_failed"] defaults to 10/m per address and 5/5m per account.
PER_ACCOUNT = 5
PER_ADDRESS = 10
with translation.override("es"):
    BUDGET_MESSAGE = translation.gettext("Too many failed login attempts. Try again later.")


@pytest.fixture(autouse=True)
def _token_throttle_out_of_the_way(monkeypatch):
    """The API's request throttle (10/min) would answer before the login budget does."""
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token_obtain": "1000/minute"}
    )


def trust_proxies(settings, count):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}


def refused_for_login_budget(response) -> bool:
    return response.status_code == 429 and response.json()["message"] == BUDGET_MESSAGE


def token_attempt(client, email, password, **headers):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json", **headers)


def page_attempt(client, email, password, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def admin_attempt(client, username, password, **headers):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **headers)


def test_token_endpoint_stops_guessing_after_the_account_budget():
    user = UserFactory()
    api = APIClient()
    for _ in range(PER_ACCOUNT):
        assert token_attempt(api, user.email, "wrong-guess").status_code == 400
    assert refused_for_login_budget(token_attempt(api, user.email, PASSWORD))


def test_every_way_in_spends_one_account_budget():
    staff = UserFactory(is_staff=True, is_superuser=True)
    for i in range(PER_ACCOUNT - 1):
        way = (token_attempt, page_attempt)[i % 2]
        client = APIClient() if way is token_attempt else Client()
        way(client, staff.email, "wrong-guess", REMOTE_ADDR=f"10.0.0.{i}")
    # The admin form takes the username; it is the same account and the same budget.
    admin_attempt(Client(), staff.username, "wrong-guess", REMOTE_ADDR="10.0.1.1")
    admin = Client()
    response = admin_attempt(admin, staff.username, PASSWORD, REMOTE_ADDR="10.0.1.2")
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "_auth_user_id" not in admin.session
    page = page_attempt(Client(), staff.email, PASSWORD, REMOTE_ADDR="10.0.1.3")
    assert page.status_code == 200
    assert "Too many failed login attempts" in page.content.decode() or "Demasiados" in page.content.decode()


def test_one_address_cannot_spread_guesses_over_many_accounts():
    api = APIClient()
    for i in range(PER_ADDRESS):
        token_attempt(api, f"nobody{i}@example.org", "wrong-guess")
    user = UserFactory()
    assert refused_for_login_budget(token_attempt(api, user.email, PASSWORD))
    assert token_attempt(APIClient(), user.email, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 201


def test_a_successful_login_costs_nothing():
    user = UserFactory()
    api = APIClient()
    for _ in range(PER_ACCOUNT + 2):
        assert token_attempt(api, user.email, PASSWORD).status_code == 201


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    trust_proxies(settings, 0)
    api = APIClient()
    for i in range(PER_ADDRESS):
        token_attempt(api, f"nobody{i}@example.org", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    user = UserFactory()
    refused = token_attempt(api, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert refused_for_login_budget(refused)


def test_with_one_trusted_proxy_the_address_it_saw_counts(settings):
    trust_proxies(settings, 1)
    api = APIClient()
    # A client rotating its own X-Forwarded-For: the proxy appends the real address last.
    for i in range(PER_ADDRESS):
        token_attempt(api, f"nobody{i}@example.org", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.1")
    user = UserFactory()
    refused = token_attempt(api, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.1")
    assert refused_for_login_budget(refused)
    assert token_attempt(api, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 201


def test_api_throttle_counts_clients_by_the_same_rule(settings):
    from rest_framework.settings import api_settings

    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT == 0


def test_web_process_does_not_rewrite_the_client_address_from_headers():
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    assert "--proxy-headers" not in procfile
