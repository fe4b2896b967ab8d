"""One account area, reachable from the header, linking every setting that exists."""

import pytest
from django.urls import Resolver404, resolve

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_header_leads_to_the_account_area_and_my_community(client):
    client.force_login(UserFactory())
    header = client.get("/").content.decode()
    assert 'href="/accounts/settings/"' in header and 'href="/me/"' in header


def test_the_account_area_links_every_setting_that_exists(client):
    user = UserFactory()
    client.force_login(user)
    body = client.get("/accounts/settings/").content.decode()
    for url in ["/talent/me/edit/", "/accounts/email/", "/accounts/password/change/",
                "/notifications/settings/", "/meetups/calendar/", "/talent/me/account/"]:
        assert f'href="{url}"' in body, url
    assert 'name="language"' in body
    assert user.email in body


def test_allauth_pages_carry_the_account_sub_navigation(client):
    client.force_login(UserFactory())
    body = client.get("/accounts/email/").content.decode()
    assert 'class="account-nav"' in body and 'href="/accounts/password/change/"' in body


def test_sections_whose_page_does_not_exist_yet_are_left_out(client):
    client.force_login(UserFactory())
    body = client.get("/accounts/settings/").content.decode()
    try:
        resolve("/accounts/tokens/")
        assert 'href="/accounts/tokens/"' in body
    except Resolver404:
        assert "/accounts/tokens/" not in body
