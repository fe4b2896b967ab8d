"""A brand-new member's guided setup: reached from the e-mail confirmation, a step at a time,
each skippable, resumable from My community, and never again once finished."""

import pytest
from django.test import Client

from apps.notifications.models import NotificationPreference
from apps.profiles.models import FirstSteps
from apps.profiles.selectors import FIRST_STEPS
from tests.accounts.factories import UserFactory
from tests.accounts.test_signup import PASSWORD, confirmation_link, sign_up

pytestmark = pytest.mark.django_db


def new_member(handle="recien-llegada") -> tuple[Client, object]:
    """A member who signed up and confirmed their address, signed in (as the journey goes)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_up(client, email=f"{handle}@example.org", handle=handle)
    client.post(confirmation_link())
    client.post("/accounts/login/", {"login": f"{handle}@example.org", "password": PASSWORD})
    return client, FirstSteps.objects.get(user__username=handle).user


def test_confirming_the_address_leads_to_the_setup_after_signing_in():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_up(client)
    confirmed = client.post(confirmation_link())
    assert confirmed.status_code == 302
    assert confirmed.url == "/accounts/login/?next=%2Ftalent%2Fme%2Ffirst-steps%2F"
    login = client.post(confirmed.url, {"login": "nueva@example.org", "password": PASSWORD}, follow=True)
    assert [url for url, _status in login.redirect_chain] == ["/talent/me/first-steps/", "/talent/me/first-steps/name/"]
    assert login.context["step"] == "name"


def test_each_step_saves_with_the_profile_service_or_is_skipped():
    client, user = new_member()
    saved = client.post("/talent/me/first-steps/name/", {"display_name": "Lucía Pérez", "headline": "NLP", "save": ""})
    assert saved.status_code == 302 and saved.url == "/talent/me/first-steps/region/"
    user.profile.refresh_from_db()
    assert user.profile.display_name == "Lucía Pérez" and user.profile.headline == "NLP"
    skipped = client.post("/talent/me/first-steps/region/", {"skip": ""})
    assert skipped.url == "/talent/me/first-steps/skills/"
    refused = client.post("/talent/me/first-steps/links/", {"website": "ftp://x", "save": ""})
    assert refused.status_code == 400 and "website" in refused.context["form"].errors
    assert FirstSteps.objects.get(user=user).passed == ["name", "region"]


def test_leaving_half_way_is_resumed_from_my_community():
    client, user = new_member()
    client.post("/talent/me/first-steps/name/", {"skip": ""})
    me = client.get("/me/")
    assert me.context["first_steps"] == list(FIRST_STEPS[1:])
    assert 'href="/talent/me/first-steps/"' in me.content.decode()
    assert client.get("/talent/me/first-steps/").url == "/talent/me/first-steps/region/"


def test_the_last_step_saves_notification_choices_and_finishes_for_good():
    client, user = new_member()
    for step in FIRST_STEPS[:-1]:
        client.post(f"/talent/me/first-steps/{step}/", {"skip": ""})
    form = client.get("/talent/me/first-steps/notifications/").context["form"]
    data = {name: value for name, value in form.initial.items()}
    data.update({"mode-announcements-message": "off", "save": ""})
    data["email_enabled"] = "on"
    done = client.post("/talent/me/first-steps/notifications/", data)
    assert done.status_code == 302 and done.url == "/me/"
    assert NotificationPreference.objects.filter(user=user, kind="announcements.message", mode="off").exists()
    assert FirstSteps.objects.get(user=user).finished_at is not None
    assert "data-me-first-steps" not in client.get("/me/").content.decode()
    assert client.get("/talent/me/first-steps/").url == "/me/"
    client.logout()
    login = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert login.url == "/"  # not sent to the setup again


def test_members_from_before_the_setup_are_never_sent_there():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get("/talent/me/first-steps/").url == "/me/"
    assert "data-me-first-steps" not in client.get("/me/").content.decode()
