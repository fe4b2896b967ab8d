import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from apps.accounts.models import User

PASSWORD = "una-clave-bastante-larga-77"


def sign_up(client, email="nueva@example.org", handle="nueva-persona"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": handle, "password1": PASSWORD, "password2": PASSWORD},
    )


def confirmation_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)


@pytest.mark.django_db
def test_signup_sends_a_verification_email_and_blocks_login_until_verified(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="nueva@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[0].to == ["nueva@example.org"]

    client.logout()
    login = client.post("/accounts/login/", {"login": "nueva@example.org", "password": PASSWORD})
    assert login.status_code == 302
    assert login.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_verified_member_logs_in_and_is_greeted_by_their_handle(client):
    sign_up(client, email="nueva.212255@example.org", handle="nueva-persona")
    link = confirmation_link()
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="nueva.212255@example.org").verified

    response = client.post(
        "/accounts/login/", {"login": "nueva.212255@example.org", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/talent/me/first-steps/name/"  # a new member sets up first
    page = response.content.decode()
    assert "como nueva-persona." in page  # the log-in message
    assert "data-account-link>nueva-persona</a>" in page
    home = client.get("/").content.decode()
    assert "nueva-persona" in home.split('class="hero-welcome">')[1].split("</p>")[0]


@pytest.mark.django_db
def test_signup_errors_are_shown_next_to_the_fields(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "not-an-address", "password1": PASSWORD, "password2": "different-one-123"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "username", "password2"}
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_a_taken_address_reveals_nothing_and_creates_nothing(client):
    User.objects.create_user(username="taken", email="taken@example.org", password=PASSWORD)
    response = sign_up(client, email="taken@example.org")
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert mail.outbox[0].to == ["taken@example.org"]


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = User.objects.create_user(username="olvido", email="olvido@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(form_url, {"password1": "otra-clave-nueva-88", "password2": "otra-clave-nueva-88"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("otra-clave-nueva-88")


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client):
    user = User.objects.create_user(username="victima", email="victima@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-guess"})
    blocked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert blocked.status_code in (200, 429)


@pytest.mark.django_db
def test_the_language_switch_is_remembered_on_the_account_and_follows_the_member(client):
    from tests.accounts.factories import UserFactory

    member = UserFactory()
    assert member.language == "" and member.preferred_language == "es"
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"

    from django.test import Client

    new_device = Client()  # no language cookie yet
    new_device.force_login(member)
    assert '<html lang="en">' in new_device.get("/").content.decode()


@pytest.mark.django_db
def test_new_members_keep_the_language_they_signed_up_in(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    sign_up(client, email="english@example.org")
    assert User.objects.get(email="english@example.org").language == "en"


@pytest.mark.django_db
def test_the_verification_email_names_the_real_site(client, settings):
    sign_up(client)
    body = mail.outbox[0].body
    host = settings.SITE_URL.split("://", 1)[1]
    assert f"{settings.SITE_NAME} ({host})" in body
    assert "localhost" not in body
    assert "usted" not in body.lower()


@pytest.mark.django_db
def test_the_handle_chosen_at_signup_is_the_public_name_until_a_display_name_is_set(client):
    sign_up(client, email="nueva.212255@example.org", handle="lucia-m")
    user = User.objects.get(email="nueva.212255@example.org")
    assert user.username == "lucia-m" and str(user) == "lucia-m"
    assert user.profile.handle == "lucia-m" and user.profile.display_name == "lucia-m"
    user.profile.display_name = "Lucía Martín"
    user.profile.save()
    assert User.objects.select_related("profile").get(pk=user.pk).public_name == "Lucía Martín"


@pytest.mark.django_db
@pytest.mark.parametrize("handle", ["Taken", "nueva.212255", "me", "a", "con espacios"])
def test_signup_refuses_a_taken_reserved_or_malformed_handle_next_to_the_field(client, handle):
    User.objects.create_user(username="taken", email="someone@example.org", password=PASSWORD)
    response = sign_up(client, email="nueva.212255@example.org", handle=handle)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username"}
    assert not User.objects.filter(email="nueva.212255@example.org").exists()


@pytest.mark.django_db
def test_a_signup_without_a_chosen_handle_never_takes_it_from_the_address(rf):
    """GitHub and OIDC sign-ups skip the form: the handle comes from the name, else "member"."""
    from apps.accounts.adapter import AccountAdapter

    named = User(email="lucia.martin.4821@example.org", first_name="Lucía", last_name="Martín")
    nameless = User(email="lucia.martin.4821@example.org")
    for user in (named, nameless):
        AccountAdapter().populate_username(rf.get("/"), user)
    assert named.username.startswith("lucia")
    assert nameless.username.startswith("member")
    assert "4821" not in named.username + nameless.username


@pytest.mark.django_db
def test_the_verification_page_resends_the_link_at_most_every_three_minutes_and_names_a_contact(client, settings):
    from tests.conftest import clear_worker_redis

    settings.CONTACT_EMAIL = "ayuda@example.org"
    sign_up(client)
    page = client.get("/accounts/confirm-email/").content.decode()
    assert "data-resend-verification" in page and "mailto:ayuda@example.org" in page
    resend = "/accounts/verification/resend/"
    assert client.post(resend, {"email": "nueva@example.org"}).url == "/accounts/confirm-email/"
    assert len(mail.outbox) == 1  # the sign-up's e-mail was sent just now
    clear_worker_redis()  # three minutes later
    client.post(resend, {"email": "NUEVA@example.org"})
    client.post(resend, {"email": "nueva@example.org"})
    client.post(resend, {"email": "nobody@example.org"})  # the same answer, no e-mail
    assert [m.to for m in mail.outbox] == [["nueva@example.org"], ["nueva@example.org"]]
