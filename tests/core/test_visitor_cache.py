"""Public pages and API lists rendered once for visitors who are not signed in."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.mark.django_db
def test_a_visitor_gets_the_shared_page_until_what_it_shows_changes(django_assert_num_queries):
    make_profile(display_name="Ana Ruiz", visibility="public")
    first = Client().get("/talent/")
    assert "Ana Ruiz" in first.content.decode()
    with django_assert_num_queries(1):  # the topics' generations in the database, nothing else
        again = Client().get("/talent/")
    assert again.status_code == 200 and "Ana Ruiz" in again.content.decode()
    make_profile(display_name="Jordi Puig", visibility="public")  # a write to the page's topic
    assert "Jordi Puig" in Client().get("/talent/").content.decode()
    english = Client(headers={"accept-language": "en"}).get("/talent/")
    assert english["Content-Language"] == "en" and "Jordi Puig" in english.content.decode()


@pytest.mark.django_db
def test_each_visitor_gets_a_working_csrf_token_of_their_own():
    Client().get("/talent/")  # stored
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/talent/")
        token = CSRF_INPUT.search(page.content.decode())[1]
        tokens.append(token)
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/talent/", "csrfmiddlewaretoken": token})
        assert switched.status_code == 302, "the language switcher of a cached page must work"
    assert tokens[0] != tokens[1]


@pytest.mark.django_db
def test_members_and_visitors_with_a_session_get_their_own_rendering():
    make_profile(display_name="Ana Ruiz", visibility="public")
    Client().get("/talent/")  # the shared page is stored
    member = UserFactory(first_name="Marta")
    client = Client()
    client.force_login(member)
    page = client.get("/talent/")
    assert page.context is not None, "a member's page is rendered for them, not taken from the cache"
    shared = Client().get("/talent/")
    assert shared.context is None and member.email not in shared.content.decode()


@pytest.mark.django_db
def test_api_lists_are_shared_by_visitors_and_fresh_after_a_write(django_assert_num_queries):
    make_profile(display_name="Ana Ruiz", visibility="public")
    assert APIClient().get("/api/profiles/").json()["count"] == 1
    with django_assert_num_queries(1):
        assert APIClient().get("/api/profiles/").json()["count"] == 1
    make_profile(display_name="Jordi Puig", visibility="public")
    assert APIClient().get("/api/profiles/").json()["count"] == 2


@pytest.mark.django_db
def test_a_shared_api_answer_is_sent_as_rendered_json_and_still_browsable(monkeypatch):
    from rest_framework.renderers import JSONRenderer

    make_profile(display_name="Ana Ruiz", visibility="public")
    first = APIClient().get("/api/profiles/")
    renders = []
    original = JSONRenderer.render
    monkeypatch.setattr(JSONRenderer, "render", lambda *args, **kwargs: renders.append(1) or original(*args, **kwargs))

    shared = APIClient().get("/api/profiles/")
    assert renders == []  # the stored bytes, not the data rendered again
    assert shared.status_code == 200 and shared["Content-Type"] == first["Content-Type"] == "application/json"
    assert shared.content == first.content and "Accept" in shared["Vary"]

    indented = APIClient().get("/api/profiles/", HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "count": 1') and indented.json() == first.json()
    browsable = Client().get("/api/profiles/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and "Ana Ruiz" in browsable.content.decode()


@pytest.mark.django_db
def test_pages_render_when_the_cache_fails(monkeypatch):
    make_profile(display_name="Ana Ruiz", visibility="public")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert "Ana Ruiz" in Client().get("/talent/").content.decode()
    assert APIClient().get("/api/profiles/").json()["count"] == 1


@pytest.mark.django_db
def test_a_profile_made_private_is_gone_for_the_next_visitor():
    from apps.profiles import services

    profile = make_profile(display_name="Ana Ruiz", visibility="public")
    url = f"/talent/{profile.handle}/"
    assert Client().get(url).status_code == 200
    services.profile_update(actor=profile.user, profile=profile, data={"visibility": "hidden"})
    assert Client().get(url).status_code == 404
