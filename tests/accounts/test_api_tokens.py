"""API tokens: expiry, listing, revoking (one, all, the one in use), and what a new password ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from tests.accounts.factories import PASSWORD, UserFactory, api_token_key

pytestmark = pytest.mark.django_db


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_obtained_token_has_an_expiry_and_only_its_digest_is_stored():
    user = UserFactory()
    response = APIClient().post("/api/auth/token/", {"email": user.email, "password": PASSWORD, "name": "script"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "script" and body["expires_at"]
    assert not ApiToken.objects.filter(key_digest=body["token"]).exists()
    assert with_token(body["token"]).get("/api/me/").status_code == 200


def test_bad_or_expired_token_is_401_with_a_challenge():
    user = UserFactory()
    key = api_token_key(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    for presented in (key, "not-a-real-token"):
        response = with_token(presented).get("/api/me/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")
        assert set(response.json()) == {"message", "errors"}


def test_list_shows_only_my_live_tokens(django_assert_num_queries):
    me, other = UserFactory(), UserFactory()
    key = api_token_key(me)
    api_token_key(other)
    client = with_token(key)
    client.get("/api/me/")  # the first use records last_used_at
    for size in (1, 4):
        while ApiToken.objects.filter(user=me).count() < size:
            api_token_key(me)
        # token lookup, count, page
        with django_assert_num_queries(3):
            response = client.get("/api/auth/tokens/")
        assert response.json()["count"] == size
    assert "token" not in response.json()["results"][0]


def test_revoke_the_token_in_use_then_one_then_all():
    user = UserFactory()
    first, second, third = (api_token_key(user) for _ in range(3))
    assert with_token(first).delete("/api/auth/token/").status_code == 204
    assert with_token(first).get("/api/me/").status_code == 401

    second_id = ApiToken.objects.get(prefix=second[:8]).pk
    assert with_token(third).delete(f"/api/auth/tokens/{second_id}/").status_code == 204
    assert with_token(second).get("/api/me/").status_code == 401

    assert with_token(third).delete("/api/auth/tokens/").status_code == 204
    assert not ApiToken.objects.filter(user=user).exists()


def test_cannot_revoke_someone_elses_token():
    owner, intruder = UserFactory(), UserFactory()
    api_token_key(owner)
    token_id = ApiToken.objects.get(user=owner).pk
    assert with_token(api_token_key(intruder)).delete(f"/api/auth/tokens/{token_id}/").status_code == 404
    assert ApiToken.objects.filter(pk=token_id).exists()


def test_password_change_revokes_every_token_and_keeps_this_session():
    user = UserFactory()
    key = api_token_key(user)
    browser = Client()
    browser.force_login(user)
    other_browser = Client()
    other_browser.force_login(user)
    response = browser.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "another-long-password-77", "password2": "another-long-password-77",
    })
    assert response.status_code == 302
    assert with_token(key).get("/api/me/").status_code == 401
    assert browser.get("/api/me/").status_code == 200
    assert other_browser.get("/api/me/").status_code == 403


def test_password_reset_revokes_every_token(mailoutbox):
    user = UserFactory()
    key = api_token_key(user)
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/key/" in line).strip()
    path = link[link.index("/accounts/"):]
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
                {"password1": "another-long-password-77", "password2": "another-long-password-77"})
    assert not user.api_tokens.exists()
    assert with_token(key).get("/api/me/").status_code == 401


def test_tokens_page_creates_shows_once_and_revokes():
    user = UserFactory()
    client = Client()
    assert client.get("/accounts/tokens/").status_code == 302
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "laptop", "lifetime_days": "7"}, follow=True)
    token = ApiToken.objects.get(user=user)
    page = response.content.decode()
    assert "data-token-key" in page and token.prefix in page
    assert "data-token-key" not in client.get("/accounts/tokens/").content.decode()
    assert (token.expires_at - timezone.now()).days in (6, 7)

    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_page_refuses_a_lifetime_past_the_limit(settings):
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/accounts/tokens/", {"name": "x", "lifetime_days": str(settings.API_TOKEN_MAX_LIFETIME_DAYS + 1)})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert "has-error" in response.content.decode()
